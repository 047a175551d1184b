import { pino } from 'pino';
import type { AssistantFlow } from '../../bot/call-flow/assistant-flow.js';
import { decideCall } from '../../bot/call-flow/decide-call.js';
import type { CallShellDependencies } from '../../bot/handle-call-events.js';
import type { CallControl, CallStore, Clock, MediaCommand } from '../../bot/ports.js';

/** A media command the shell sent to Call Automation, and the call it was for. */
export interface ExecutedCommand {
  readonly callConnectionId: string;
  readonly command: MediaCommand;
}

/**
 * The call shell on a real store, with Call Automation answering every command at once (recorded in
 * `executed`), no routing deployed and actions that fail: what tests of the shell's own guarantees need.
 */
export function testCallShell(options: {
  readonly store: CallStore;
  readonly flow: AssistantFlow;
  readonly clock: Clock;
  readonly executed: ExecutedCommand[];
  /** Commands Call Automation refuses (a 5xx after the SDK's retries), recorded in `refused`. */
  readonly refuse?: { readonly when: (command: MediaCommand) => boolean; readonly refused: ExecutedCommand[] };
  readonly overrides?: Partial<CallShellDependencies>;
}): CallShellDependencies {
  const control: CallControl = {
    answerCall: async () => ({ callConnectionId: 'conn' }),
    rejectCall: async () => undefined,
    createCall: async () => undefined,
    startRecording: async () => 'rec',
    stopRecording: async () => undefined,
    execute: async (callConnectionId, command) => {
      if (options.refuse?.when(command)) {
        options.refuse.refused.push({ callConnectionId, command });
        throw new Error('Service Unavailable (503)');
      }
      options.executed.push({ callConnectionId, command });
    },
  };
  return {
    store: options.store,
    control,
    agentCalls: { addTeamsUser: async () => undefined, removeTeamsUser: async () => undefined },
    actions: { run: async () => ({ status: 'failed', reason: 'none' }) },
    routing: undefined,
    delay: async () => undefined,
    clock: options.clock,
    logger: pino({ level: 'silent' }),
    decide: (state, event, now) => decideCall(options.flow, state, event, now),
    callbackUrl: (callId) => `http://127.0.0.1/api/calls/${callId}/events`,
    runningActions: new Map(),
    ...options.overrides,
  };
}

/** A store whose next save lands in Cosmos, after which the function host dies (once). */
export function dyingAfterSave(store: CallStore): CallStore {
  let died = false;
  return {
    createCall: (record, history) => store.createCall(record, history),
    getCall: (callId) => store.getCall(callId),
    replaceCall: async (record, etag, history) => {
      const saved = await store.replaceCall(record, etag, history);
      if (!died) {
        died = true;
        throw new Error('the function host died');
      }
      return saved;
    },
    listHistory: (callId) => store.listHistory(callId),
    upsertHistory: (items) => store.upsertHistory(items),
    listCallsWithOutboxBefore: (before, limit) => store.listCallsWithOutboxBefore(before, limit),
    listCallsFromCaller: (caller) => store.listCallsFromCaller(caller),
    findCallByCallbackCorrelationId: (id) => store.findCallByCallbackCorrelationId(id),
  };
}
