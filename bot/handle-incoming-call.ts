import { z } from 'zod';
import { startCall } from './call-flow/decide-call.js';
import type { CallState } from './call-flow/call-state.js';
import type { Logger } from './logger.js';
import { StoreUnavailable, type CallControl, type CallStore, type Clock } from './ports.js';
import { storeRetries } from './store-retries.js';

const identifier = z.object({ rawId: z.string().min(1) }).passthrough();

/** `data` of an Event Grid `Microsoft.Communication.IncomingCall` event. */
export const incomingCallSchema = z.object({
  to: identifier,
  from: identifier,
  serverCallId: z.string().min(1),
  incomingCallContext: z.string().min(1),
  correlationId: z.string().min(1),
  callerDisplayName: z.string().optional(),
});

export interface IncomingCallDependencies {
  readonly store: CallStore;
  readonly control: CallControl;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Waits between tries while the store is unavailable; injected for tests. */
  readonly delay: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly newCall: (call: { callId: string; callerId: string; calledNumber: string }, now: Date) => CallState;
  readonly callbackUrl: (callId: string) => string;
  /** Numbers this deployment answers; others are rejected. Undefined answers every number. */
  readonly isServedNumber?: (calledRawId: string) => boolean;
  /** The config's name for the dialled line ("Customer care (main line)"), kept in history. */
  readonly lineName?: (calledNumber: string) => string | undefined;
}

export type IncomingCallOutcome = 'answered' | 'rejected' | 'already handled' | 'malformed';

/** Phone-number raw ids look like `4:+14255550123`. */
function phoneNumberOf(rawId: string): string {
  return rawId.startsWith('4:') ? rawId.slice(2) : rawId;
}

/** The call id the bot uses: derived from ACS's correlation id so a redelivered event maps to the same call. */
export function callIdFor(correlationId: string): string {
  return correlationId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64);
}

/**
 * Event Grid IncomingCall: create the call document, then answer with a callback URL naming the
 * call. A redelivery finds the document; it answers again only if the call never connected.
 */
export async function handleIncomingCall(deps: IncomingCallDependencies, data: unknown): Promise<IncomingCallOutcome> {
  const parsed = incomingCallSchema.safeParse(data);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'incoming call event malformed');
    return 'malformed';
  }
  const call = parsed.data;
  const callId = callIdFor(call.correlationId);
  if (deps.isServedNumber && !deps.isServedNumber(call.to.rawId)) {
    deps.logger.info({ callId, pii: { calledNumber: call.to.rawId } }, 'incoming call rejected: number not served');
    await deps.control.rejectCall({ incomingCallContext: call.incomingCallContext, reason: 'none' });
    return 'rejected';
  }
  const now = deps.clock.now();
  const calledNumber = phoneNumberOf(call.to.rawId);
  const state = deps.newCall({ callId, callerId: call.from.rawId, calledNumber }, now);
  const line = deps.lineName?.(calledNumber);
  const received = { kind: 'callReceived', ...(line === undefined ? {} : { line }), pii: { callerId: call.from.rawId, calledNumber: call.to.rawId } } as const;
  // Creating it again after a failure that was applied after all finds it, still answering.
  const unavailable = storeRetries(deps, { callId, what: 'answer' });
  for (;;) {
    try {
      const created = await deps.store.createCall({ state, step: 1, outbox: [], recentEventIds: [] }, [{ callId, step: 1, index: 0, at: now.toISOString(), entry: received }]);
      if (!created.created) {
        const existing = await deps.store.getCall(callId);
        if (existing && existing.record.state.stage !== 'answering') return 'already handled';
      }
      break;
    } catch (error) {
      if (!(error instanceof StoreUnavailable) || !(await unavailable.waited(error))) throw error;
    }
  }
  const { callConnectionId } = await deps.control.answerCall({
    incomingCallContext: call.incomingCallContext,
    callbackUrl: deps.callbackUrl(callId),
    operationContext: 'answer',
  });
  deps.logger.info({ callId, callConnectionId }, 'call answered');
  return 'answered';
}
