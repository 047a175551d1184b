import type { StoredHistoryItem } from '../../bot/ports.js';
import type { CallAutomationEmulator } from '../acs/call-automation-emulator.js';
import type { CallerStep, Conversation, WhenScriptEnds } from '../acs/simulated-caller.js';
import type { Switchboard } from '../../bot/wiring.js';
import type { SettableClock } from '../host/settable-clock.js';
import { localApiToken } from '../cli/local-api-token.js';

/** A call as the app stored it: GET /api/calls/{callId}. */
export interface StoredCall {
  readonly state: Record<string, unknown>;
  readonly history: readonly StoredHistoryItem[];
}

/**
 * The running contact center a scenario is played against: the Call Automation simulator places
 * the caller, the app's call history says what it decided. Over HTTP for `npm start`
 * (httpFlowTestTarget), in process for tests (localStackFlowTestTarget).
 */
export interface FlowTestTarget {
  /** Where a reader can fetch a call's history, for failure reports. */
  readonly historyUrl?: (callId: string) => string;
  placeCall(request: {
    readonly from: string;
    readonly to: string;
    readonly script: readonly CallerStep[];
    readonly whenScriptEnds: WhenScriptEnds;
  }): Promise<{ readonly simulatedCallId: string; readonly incomingCallDelivered: boolean }>;
  /** The conversation once the caller's side has ended, or as it stands after `timeoutInMs`. */
  waitForCallEnd(simulatedCallId: string, timeoutInMs: number): Promise<Conversation>;
  /** Hangs up a call that outlived its scenario, so it holds no agent. */
  hangUp(simulatedCallId: string): Promise<void>;
  /**
   * The app's record of an ended call once the app has finished with it; undefined when the app
   * never took the call (a rejected number).
   */
  readCall(callId: string, timeoutInMs: number): Promise<StoredCall | undefined>;
  /** Sets the app's clock to `at` (running on from there), or back to real time with undefined. */
  setClock(at: string | undefined): Promise<void>;
}

/** In process, against a stack started with startLocalStack (tests). */
export function localStackFlowTestTarget(stack: {
  readonly callAutomation: CallAutomationEmulator;
  readonly clock: SettableClock;
  readonly switchboard: Pick<Switchboard, 'getCallHistory'>;
  readonly functionsHost?: { readonly baseUrl: string };
}): FlowTestTarget {
  const base = stack.functionsHost?.baseUrl;
  return {
    ...(base ? { historyUrl: (callId: string) => `${base}/api/calls/${callId}` } : {}),
    placeCall: (request) => stack.callAutomation.placeCall({ ...request, script: [...request.script] }),
    waitForCallEnd: (id, timeoutInMs) =>
      stack.callAutomation.waitForCallEnd(id, timeoutInMs).catch((error: unknown) => {
        const current = stack.callAutomation.getConversation(id);
        if (!current) throw error;
        return current;
      }),
    async hangUp(id) {
      stack.callAutomation.hangUp(id);
    },
    async setClock(at) {
      stack.clock.set(at === undefined ? undefined : new Date(at));
    },
    async readCall(callId) {
      // Every callback has been answered, so every step the app decided is saved.
      await stack.callAutomation.callbacksIdle();
      const found = await stack.switchboard.getCallHistory(callId);
      return found ? { state: found.state as Record<string, unknown>, history: found.history } : undefined;
    },
  };
}

export class FlowTargetUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowTargetUnreachable';
  }
}

const maxLongPollInMs = 60_000;
const historyPollIntervalInMs = 50;

/** Over HTTP, against a running `npm start`: the simulator API and GET /api/calls/{callId}. */
export function httpFlowTestTarget(urls: { readonly simulator: string; readonly functions: string; readonly entraToken?: string }): FlowTestTarget {
  const simulator = urls.simulator.replace(/\/+$/, '');
  const functions = urls.functions.replace(/\/+$/, '');
  const request = async (url: string, init?: RequestInit): Promise<Response> => {
    try {
      return await fetch(url, init);
    } catch {
      throw new FlowTargetUnreachable(`Cannot reach the local stack at ${new URL(url).origin}. Start it with: npm start`);
    }
  };
  let token: string | undefined;
  return {
    historyUrl: (callId) => `${functions}/api/calls/${callId}`,
    async placeCall(body) {
      const response = await request(`${simulator}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`The simulator refused the call (${response.status}): ${await response.text()}`);
      return (await response.json()) as { simulatedCallId: string; incomingCallDelivered: boolean };
    },
    async waitForCallEnd(id, timeoutInMs) {
      const deadline = Date.now() + timeoutInMs;
      for (;;) {
        const wait = Math.max(0, Math.min(maxLongPollInMs, deadline - Date.now()));
        const response = await request(`${simulator}/calls/${encodeURIComponent(id)}?waitForEnd=true&timeoutInMs=${wait}`);
        if (!response.ok) throw new Error(`The simulator could not report call ${id} (${response.status}): ${await response.text()}`);
        const conversation = (await response.json()) as Conversation;
        if (conversation.state === 'ended' || Date.now() >= deadline) return conversation;
      }
    },
    async hangUp(id) {
      await request(`${simulator}/calls/${encodeURIComponent(id)}/hang-up`, { method: 'POST' });
    },
    async setClock(at) {
      const response = await request(`${functions}/local/clock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ at: at ?? null }),
      });
      if (!response.ok) throw new Error(`The local host could not set the app's clock (${response.status}): ${await response.text()}`);
    },
    async readCall(callId, timeoutInMs) {
      // The caller's side ends before the app has handled the last callback; the call is settled
      // once its state is ended and the step that ended it is in history (or it awaits a callback).
      const deadline = Date.now() + timeoutInMs;
      for (;;) {
        token ??= urls.entraToken === undefined ? '' : await localApiToken(urls.entraToken);
        const response = await request(`${functions}/api/calls/${encodeURIComponent(callId)}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
        if (response.status === 404) return undefined;
        if (response.status === 401 || response.status === 403) {
          throw new Error(`GET /api/calls/${callId} answered ${response.status}: ${await response.text()}. The flow test reads call history as a supervisor, with a token from the local stack's Entra ID (npm start).`);
        }
        if (!response.ok) throw new Error(`GET /api/calls/${callId} answered ${response.status}: ${await response.text()}`);
        const call = (await response.json()) as StoredCall;
        // A caller who booked a callback has hung up too: the call waits for its turn without them.
        const settled = (call.state['stage'] === 'ended' && call.history.some((h) => h.entry.kind === 'callEnded')) || call.state['stage'] === 'callbackPending';
        if (settled || Date.now() >= deadline) return call;
        await new Promise((resolve) => setTimeout(resolve, historyPollIntervalInMs));
      }
    },
  };
}
