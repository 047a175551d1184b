import type { CallerStep } from '../../local/acs/simulated-caller.js';
import type { LocalStack } from '../../local/local-stack.js';
import { apiFetch } from './api-fetch.js';

export interface PlayedCall {
  readonly callId: string;
  /** What the caller heard, prompt by prompt. */
  readonly heard: (string | undefined)[];
  readonly endReason: string | undefined;
  /** The call's state and history as `GET /api/calls/{callId}` returns them. */
  readonly state: { readonly stage: string; readonly endReason: string };
  readonly history: readonly { readonly entry: { readonly kind: string; readonly command?: string } }[];
}

/** Places a scripted call on the local stack and waits until it has ended and every callback is in. */
export async function playCall(stack: LocalStack, call: { readonly from: string; readonly to: string; readonly script: readonly CallerStep[] }): Promise<PlayedCall> {
  const placed = await stack.callAutomation.placeCall(call);
  const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
  await stack.callAutomation.callbacksIdle();
  const callId = conversation.correlationId;
  const stored = (await (await apiFetch(stack, `calls/${callId}`)).json()) as Pick<PlayedCall, 'state' | 'history'>;
  return {
    callId,
    heard: conversation.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text),
    endReason: conversation.endReason,
    state: stored.state,
    history: stored.history,
  };
}
