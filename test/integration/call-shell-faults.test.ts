// The shell's guarantees (DESIGN.md §4) on the real Cosmos emulator: a redelivered callback is
// applied once, concurrent callbacks are serialised by ETag, and a function that dies between the
// save and the execution leaves an outbox the next invocation finishes.
import { pino } from 'pino';
import { startCallStoreFixture, type CallStoreFixture } from '../support/call-store-fixture.js';
import type { ActionResult, CallEvent } from '../../bot/call-flow/call-events.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { CachingCallStore } from '../../bot/caching-call-store.js';
import { DeferredOutboxClears } from '../../bot/deferred-outbox-clears.js';
import { applyCallEvent, sweepAbandonedOutboxes, type CallShellDependencies } from '../../bot/handle-call-events.js';
import { StoreUnavailable, type CallStore } from '../../bot/ports.js';
import { testFlow } from '../support/test-assistant-flow.js';
import { dyingAfterSave, testCallShell, type ExecutedCommand } from '../support/test-call-shell.js';

let cosmos: CallStoreFixture;
let store: CallStoreFixture['store'];
let current = new Date('2026-11-25T10:00:00Z');
const flow = testFlow();
const executed: ExecutedCommand[] = [];
const shell = (overrides: Partial<CallShellDependencies> = {}): CallShellDependencies =>
  testCallShell({ store, flow, clock: { now: () => current }, executed, overrides });

let n = 0;
type EventInit = { [K in CallEvent['kind']]: Omit<Extract<CallEvent, { kind: K }>, 'eventId' | 'occurredAt'> & { eventId?: string } }[CallEvent['kind']];
const event = (e: EventInit): CallEvent =>
  ({ eventId: `ev-${++n}`, occurredAt: current.toISOString(), ...e }) as CallEvent;

async function newConnectedCall(callId: string): Promise<string> {
  await store.createCall({ state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, current), step: 1, outbox: [], recentEventIds: [] });
  await applyCallEvent(shell(), callId, event({ kind: 'CallConnected', callConnectionId: `conn-${callId}` }));
  return (await store.getCall(callId))!.record.state.pendingOperation!;
}

/** The store's Cosmos requests, named: a save carries history, a clear does not. */
function counting(inner: CallStore, requests: string[]): CallStore {
  return {
    createCall: (r, h) => (requests.push('create'), inner.createCall(r, h)),
    getCall: (id) => (requests.push('read'), inner.getCall(id)),
    replaceCall: (r, e, h) => (requests.push(h && h.length > 0 ? 'save' : 'clear'), inner.replaceCall(r, e, h)),
    listHistory: (id) => inner.listHistory(id),
    upsertHistory: (items) => (requests.push('history'), inner.upsertHistory(items)),
    listCallsWithOutboxBefore: (before, limit) => (requests.push('list'), inner.listCallsWithOutboxBefore(before, limit)),
    listCallsFromCaller: (caller) => inner.listCallsFromCaller(caller),
    findCallByCallbackCorrelationId: (id) => inner.findCallByCallbackCorrelationId(id),
  };
}

/**
 * The decider, except that a ParticipantsUpdated naming "start" starts the self-service action
 * `actionId` (the call then waits for it), as the flow does once a caller confirmed their order number.
 */
function startingAction(decide: CallShellDependencies['decide'], actionId: string, timeoutInMs: number): CallShellDependencies['decide'] {
  return (state, e, now) =>
    e.kind === 'ParticipantsUpdated' && e.participantIds[0] === 'start'
      ? {
          state: { ...state, stage: 'runningAction', actionId },
          history: [],
          commands: [{ kind: 'RunAction', actionId, action: 'orderStatus', language: 'en-US', fillerDelayInMs: 2000, timeoutInMs, pii: { slots: {} } }],
        }
      : decide(state, e, now);
}

/** Waits that end when the test says (or when aborted): the held-back clears' timers. */
function manualTimers() {
  const waits: { readonly ms: number; readonly signal: AbortSignal; readonly end: () => void }[] = [];
  const delay = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      waits.push({ ms, signal, end: resolve });
      signal.addEventListener('abort', () => resolve());
    });
  return { waits, delay, running: () => waits.filter((w) => !w.signal.aborted) };
}

beforeAll(async () => {
  cosmos = await startCallStoreFixture();
  ({ store } = cosmos);
});
afterAll(async () => {
  await cosmos.close();
});
beforeEach(() => {
  executed.length = 0;
});

describe('the call shell on the local Cosmos', () => {
  it('applies a redelivered callback once: the caller hears one reprompt, history has one step', async () => {
    const pending = await newConnectedCall('dup');
    executed.length = 0;
    const silence = event({ kind: 'RecognitionTimedOut', operationContext: pending });
    expect(await applyCallEvent(shell(), 'dup', silence)).toBe('applied');
    expect(await applyCallEvent(shell(), 'dup', silence)).toBe('duplicate');
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    const history = await store.listHistory('dup');
    expect(history.filter((h) => h.entry.kind === 'event' && (h.entry.event as CallEvent).eventId === silence.eventId)).toHaveLength(1);
  });

  it('a routing request Service Bus would not take: the caller is told, it is sent once more, then the call ends with the no-agents message', async () => {
    const pending = await newConnectedCall('no-bus');
    executed.length = 0;
    const sent: string[] = [];
    const unreachable: CallShellDependencies['routing'] = {
      requestRouting: async (_callId, _connection, command) => {
        sent.push(command.queueId);
        throw new Error('Service Bus unreachable');
      },
      cancelRouting: async () => undefined,
      notifyRouting: async () => undefined,
      requestCallback: async () => undefined,
      callbackAnswered: async () => undefined,
      scheduleCallback: async () => undefined,
    };
    const billing = testFlow({ understandings: { 'my bill is wrong': { intent: 'billing', confidence: 0.93, outOfScope: false, ranked: [{ intent: 'billing', confidence: 0.93 }] } } });
    const deps = shell({ routing: unreachable, decide: (state, e, now) => decideCall(billing, state, e, now) });
    await applyCallEvent(deps, 'no-bus', event({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9, operationContext: pending }));
    expect(sent).toEqual(['billing', 'billing']);
    const heard = executed.flatMap((e) => (e.command.kind === 'PlayPrompt' ? [e.command.prompt.text] : []));
    expect(heard).toEqual(['<transferring>', '<technicalDifficulty>', '<noAgents>']);
    const call = (await store.getCall('no-bus'))!.record;
    expect(call.state).toMatchObject({ stage: 'ending', endReason: 'no routing: routing request failed: Service Bus unreachable' });
    expect(call.outbox).toEqual([]);
    const history = (await store.listHistory('no-bus')).map((h) => h.entry);
    expect(history.filter((e) => e.kind === 'commandFailed')).toEqual([
      expect.objectContaining({ command: 'RequestRouting', error: 'Service Bus unreachable' }),
      expect.objectContaining({ command: 'RequestRouting', error: 'Service Bus unreachable' }),
    ]);
  });

  it('a caller who hangs up while a self-service action runs cancels its backend request: no filler, no late result', async () => {
    const pending = await newConnectedCall('gone');
    let runStarted: (signal: AbortSignal) => void = () => {};
    const started = new Promise<AbortSignal>((resolve) => (runStarted = resolve));
    const deps = shell({
      // The backend answers only when its request is aborted; the filler's delay never runs out.
      actions: {
        run: (_name, request) => {
          runStarted(request.signal);
          return new Promise((resolve) => request.signal.addEventListener('abort', () => resolve({ status: 'failed', reason: 'aborted' })));
        },
      },
      delay: (_ms, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
    });
    await applyCallEvent(deps, 'gone', event({ kind: 'KeysPressed', tones: '4', operationContext: pending }));
    const asked = (await store.getCall('gone'))!.record.state;
    expect(asked).toMatchObject({ stage: 'collectingSlot', intent: 'accountBalance' });
    executed.length = 0;
    const running = applyCallEvent(deps, 'gone', event({ kind: 'KeysPressed', tones: '4321', operationContext: asked.pendingOperation! }));
    const signal = await started;
    expect(signal.aborted).toBe(false);
    await applyCallEvent(deps, 'gone', event({ kind: 'CallDisconnected' }));
    expect(signal.aborted).toBe(true);
    await expect(running).resolves.toBe('applied');
    expect(executed.map((e) => e.command.kind)).toEqual([]);
    const history = (await store.listHistory('gone')).map((h) => h.entry);
    expect(history).toContainEqual({ kind: 'callEnded', reason: 'callerHungUp' });
    expect(history.some((e) => e.kind === 'event' && (e.event as CallEvent).kind === 'ActionSlow')).toBe(false);
    expect(history).toContainEqual(expect.objectContaining({ kind: 'event', ignored: 'ended', event: expect.objectContaining({ kind: 'ActionCompleted', result: { status: 'failed', reason: 'cancelled: the call ended' } }) }));
    expect(deps.runningActions.size).toBe(0);
  });

  it('a hang-up handled by another instance cancels the action when its filler is due: the caller who left hears nothing', async () => {
    const pending = await newConnectedCall('elsewhere');
    let runStarted: (signal: AbortSignal) => void = () => {};
    const started = new Promise<AbortSignal>((resolve) => (runStarted = resolve));
    // The filler's wait ends when the test says so; the hard timeout's never does.
    const waits: { ms: number; end: () => void }[] = [];
    const running = shell({
      store: new CachingCallStore(store),
      actions: {
        run: (_name, request) => {
          runStarted(request.signal);
          return new Promise((resolve) => request.signal.addEventListener('abort', () => resolve({ status: 'failed', reason: 'aborted' })));
        },
      },
      delay: (ms, signal) =>
        new Promise((resolve) => {
          waits.push({ ms, end: () => resolve() });
          signal.addEventListener('abort', () => resolve());
        }),
    });
    const other = shell({ store: new CachingCallStore(store) });
    await applyCallEvent(running, 'elsewhere', event({ kind: 'KeysPressed', tones: '4', operationContext: pending }));
    const asked = (await store.getCall('elsewhere'))!.record.state;
    executed.length = 0;
    const action = applyCallEvent(running, 'elsewhere', event({ kind: 'KeysPressed', tones: '4321', operationContext: asked.pendingOperation! }));
    const signal = await started;
    await applyCallEvent(other, 'elsewhere', event({ kind: 'CallDisconnected' }));
    // The other instance cannot reach this one's request: it still runs.
    expect(signal.aborted).toBe(false);
    const filler = waits.reduce((a, b) => (a.ms <= b.ms ? a : b));
    filler.end();
    await expect(action).resolves.toBe('applied');
    expect(signal.aborted).toBe(true);
    expect(executed.filter((e) => e.command.kind === 'PlayPrompt')).toEqual([]);
    const history = (await store.listHistory('elsewhere')).map((h) => h.entry);
    expect(history).toContainEqual(expect.objectContaining({ kind: 'event', ignored: 'ended', event: expect.objectContaining({ kind: 'ActionSlow' }) }));
    expect(history).toContainEqual(expect.objectContaining({ kind: 'event', ignored: 'ended', event: expect.objectContaining({ kind: 'ActionCompleted', result: { status: 'failed', reason: 'cancelled: the call ended' } }) }));
    expect(running.runningActions.size).toBe(0);
  });

  it('serialises concurrent callbacks with the ETag: neither is lost', async () => {
    await newConnectedCall('race');
    const before = (await store.getCall('race'))!.record.step;
    const results = await Promise.all([
      applyCallEvent(shell(), 'race', event({ kind: 'ParticipantsUpdated', participantIds: ['a'] })),
      applyCallEvent(shell(), 'race', event({ kind: 'ParticipantsUpdated', participantIds: ['b'] })),
      applyCallEvent(shell(), 'race', event({ kind: 'ParticipantsUpdated', participantIds: ['c'] })),
    ]);
    expect(results).toEqual(['applied', 'applied', 'applied']);
    const after = (await store.getCall('race'))!.record;
    expect(after.step).toBe(before + 3);
    expect(after.outbox).toEqual([]);
  });

  it('never runs a self-service action again while it is still running past the lease (a slow backend, a 45 s timeout)', async () => {
    await newConnectedCall('slow-action');
    let runs = 0;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let answer: (result: ActionResult) => void = () => undefined;
    const deps = shell({
      actions: {
        run: () => {
          runs++;
          started();
          return new Promise((resolve) => (answer = resolve));
        },
      },
      // The filler and the timeout never come due by themselves.
      delay: (_ms, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve())),
    });
    const decide = startingAction(deps.decide, 'lookup-1', 45_000);
    const first = applyCallEvent({ ...deps, decide }, 'slow-action', event({ kind: 'ParticipantsUpdated', participantIds: ['start'] }));
    await running;
    // 35 s into the action another callback arrives, here and on another instance.
    current = new Date(current.getTime() + 35_000);
    await applyCallEvent({ ...deps, decide }, 'slow-action', event({ kind: 'ParticipantsUpdated', participantIds: ['here'] }));
    await applyCallEvent(shell({ store: new CachingCallStore(store), decide }), 'slow-action', event({ kind: 'ParticipantsUpdated', participantIds: ['there'] }));
    expect(runs).toBe(1);
    answer({ status: 'notFound', say: { prompt: 'orderNotFound' } });
    await first;
    expect(runs).toBe(1);
    expect((await store.getCall('slow-action'))!.record.outbox).toEqual([]);
  });

  it('finishes the outbox of an invocation that died between save and execute', async () => {
    const pending = await newConnectedCall('crash');
    executed.length = 0;
    await expect(applyCallEvent(shell({ store: dyingAfterSave(store) }), 'crash', event({ kind: 'RecognitionTimedOut', operationContext: pending }))).rejects.toThrow('died');
    const saved = (await store.getCall('crash'))!.record;
    expect(saved.state.retries).toBe(1);
    expect(saved.outbox).toHaveLength(1);
    expect(executed).toEqual([]);
    // The step's history was saved with it, in the same transaction.
    const savedHistory = await store.listHistory('crash');
    expect(savedHistory.some((h) => h.step === saved.step && h.entry.kind === 'command')).toBe(true);

    // Within the lease the entry belongs to the (maybe still running) first invocation.
    await applyCallEvent(shell(), 'crash', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(executed).toEqual([]);

    current = new Date(current.getTime() + 31_000);
    await applyCallEvent(shell(), 'crash', event({ kind: 'ParticipantsUpdated', participantIds: ['y'] }));
    expect(executed.map((e) => e.command)).toEqual([expect.objectContaining({ kind: 'StartRecognition', prompt: expect.objectContaining({ text: expect.stringMatching(/^<noInput> <openQuestion>/) }) })]);
    const finished = (await store.getCall('crash'))!.record;
    expect(finished.outbox).toEqual([]);
  });

  it('sweeps up the entry of an invocation that died between save and execute when no callback comes: after the lease, once, however many sweep', async () => {
    const pending = await newConnectedCall('swept');
    await expect(applyCallEvent(shell({ store: dyingAfterSave(store) }), 'swept', event({ kind: 'RecognitionTimedOut', operationContext: pending }))).rejects.toThrow('died');
    executed.length = 0;
    const mine = () => executed.filter((e) => e.callConnectionId === 'conn-swept').map((e) => e.command.kind);
    // Within the lease the entry still belongs to the invocation that wrote it.
    expect(await sweepAbandonedOutboxes(shell())).toBe(0);
    expect(mine()).toEqual([]);

    current = new Date(current.getTime() + 31_000);
    // Two instances sweep at once: one takes the entry (a new lease, ETag-guarded), the other leaves it.
    await Promise.all([sweepAbandonedOutboxes(shell({ store: new CachingCallStore(store) })), sweepAbandonedOutboxes(shell({ store: new CachingCallStore(store) }))]);
    expect(mine()).toEqual(['StartRecognition']);
    expect((await store.getCall('swept'))!.record.outbox).toEqual([]);
    expect(await store.listCallsWithOutboxBefore(current.toISOString(), 100)).not.toContain('swept');
  });

  it('never carries out an entry twice when what one instance remembers is stale', async () => {
    const pending = await newConnectedCall('stale');
    executed.length = 0;
    await expect(applyCallEvent(shell({ store: dyingAfterSave(store) }), 'stale', event({ kind: 'RecognitionTimedOut', operationContext: pending }))).rejects.toThrow('died');
    // The first instance reads the call while the dead invocation's entry is still in it.
    const first = new CachingCallStore(store);
    expect((await first.getCall('stale', { allowCached: true }))!.record.outbox).toHaveLength(1);
    // After the lease the second instance finishes the entry.
    current = new Date(current.getTime() + 31_000);
    await applyCallEvent(shell({ store: new CachingCallStore(store) }), 'stale', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    // The first instance still remembers the entry as undone; it checks the stored call and leaves it.
    const before = (await store.getCall('stale'))!.record.step;
    await applyCallEvent(shell({ store: first }), 'stale', event({ kind: 'ParticipantsUpdated', participantIds: ['y'] }));
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    const after = (await store.getCall('stale'))!.record;
    expect(after.step).toBe(before + 1);
    expect(after.outbox).toEqual([]);
  });

  it('saves a step from what it remembers with one Cosmos request, and one more to clear its commands', async () => {
    const pending = await newConnectedCall('cached');
    const requests: string[] = [];
    const cached = new CachingCallStore(counting(store, requests));
    await applyCallEvent(shell({ store: cached }), 'cached', event({ kind: 'ParticipantsUpdated', participantIds: ['a'] }));
    expect(requests).toEqual(['read', 'save']);
    requests.length = 0;
    await applyCallEvent(shell({ store: cached }), 'cached', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    expect(requests).toEqual(['save', 'clear']);
    const history = await store.listHistory('cached');
    expect(history.filter((h) => h.entry.kind === 'event')).toHaveLength(3);
  });

  it('does not ask a language service that just failed again when a concurrent callback forces a retry', async () => {
    const pending = await newConnectedCall('slow-service');
    const asked: string[] = [];
    const understanding = {
      understand: async (text: string) => {
        asked.push(text);
        // While the service keeps this caller waiting, another callback for the call is saved first.
        if (asked.length === 1) await applyCallEvent(shell(), 'slow-service', event({ kind: 'ParticipantsUpdated', participantIds: ['p'] }));
        throw new Error('language service timed out');
      },
    };
    const before = (await store.getCall('slow-service'))!.record.step;
    const said = event({ kind: 'SpeechRecognized', operationContext: pending, text: 'my bill is wrong', confidence: 0.9 });
    expect(await applyCallEvent(shell({ understanding }), 'slow-service', said)).toBe('applied');
    expect(asked).toEqual(['my bill is wrong']);
    // Both steps are saved: the concurrent one and the caller's words, decided by the embedded model.
    const after = (await store.getCall('slow-service'))!.record;
    expect(after.step).toBe(before + 2);
    expect(after.recentEventIds).toContain(said.eventId);
  });

  it('logs a play or recognition Call Automation could not carry out (a broken audio file, a refused voice) as an error, and a caller\'s no-match not at all', async () => {
    const pending = await newConnectedCall('media-faults');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const deps = shell({ logger });
    await applyCallEvent(deps, 'media-faults', event({ kind: 'RecognitionFailed', code: 400, subCode: 8547, message: 'Action failed, recognized phrase does not match a valid option.', operationContext: pending }));
    const reasked = (await store.getCall('media-faults'))!.record.state.pendingOperation;
    await applyCallEvent(deps, 'media-faults', event({ kind: 'PlayFailed', code: 400, subCode: 8535, message: 'Action failed, file format is invalid.', operationContext: 'queued:9' }));
    await applyCallEvent(deps, 'media-faults', event({ kind: 'RecognitionFailed', code: 500, subCode: 8511, message: 'Action failed, encountered failure while trying to play the prompt.', operationContext: reasked }));
    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 50);
    expect(errors).toEqual([
      expect.objectContaining({ callId: 'media-faults', kind: 'PlayFailed', subCode: 8535, resultMessage: 'Action failed, file format is invalid.', msg: 'media operation failed: check the prompt, voice or audio file it used' }),
      expect.objectContaining({ callId: 'media-faults', kind: 'RecognitionFailed', subCode: 8511, stage: 'understanding' }),
    ]);
  });

  it('logs a play Call Automation refused once, as a command that failed, and the decider hears of it as a failed play', async () => {
    await newConnectedCall('play-refused');
    const lines: string[] = [];
    const base = shell({ logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }) });
    const decided: CallEvent[] = [];
    const deps: CallShellDependencies = {
      ...base,
      control: { ...base.control, execute: async () => { throw new Error('Call Automation said 503'); } },
      decide: (state, e, now) => {
        decided.push(e);
        return e.kind === 'ParticipantsUpdated' ? { state, history: [], commands: [{ kind: 'PlayPrompt', prompt: { text: 'One moment.', voice: 'en-US-Voice', language: 'en-US' }, operationContext: 'notice:1' }] } : base.decide(state, e, now);
      },
    };
    await applyCallEvent(deps, 'play-refused', event({ kind: 'ParticipantsUpdated', participantIds: [] }));
    expect(decided.map((e) => e.kind)).toEqual(['ParticipantsUpdated', 'PlayFailed']);
    expect(decided[1]).toMatchObject({ operationContext: 'notice:1', message: 'not sent: Call Automation said 503' });
    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 50);
    expect(errors.map((e) => e['msg'])).toEqual(['call command failed']);
  });

  it('removes a carried-out entry Cosmos refused to update twice (503), its failed command in history; past the waits it leaves the entry to the lease without failing the callback', async () => {
    const posts = ({ method }: { method: string }) => method === 'POST';
    const waits: number[] = [];
    const base = shell({ delay: async (ms) => void waits.push(ms) });
    // A cancel Call Automation refuses: its failure goes to history with the removal, and nothing follows it.
    const deps: CallShellDependencies = {
      ...base,
      control: { ...base.control, execute: async () => { throw new Error('Call Automation said 500'); } },
      decide: (state, e, now) => (e.kind === 'ParticipantsUpdated' ? { state, history: [], commands: [{ kind: 'CancelMedia' }] } : base.decide(state, e, now)),
    };

    await newConnectedCall('clear-503');
    // The step (no history: a plain replace) goes through; the removal, a batch that carries the
    // failure into history, is refused twice.
    cosmos.emulator.faults.inject({ status: 503, count: 2, matches: posts });
    expect(await applyCallEvent(deps, 'clear-503', event({ kind: 'ParticipantsUpdated', participantIds: [] }))).toBe('applied');
    expect(cosmos.emulator.faults.pending()).toBe(0);
    expect(waits).toHaveLength(2);
    expect((await store.getCall('clear-503'))!.record.outbox).toEqual([]);
    expect((await store.listHistory('clear-503')).map((h) => h.entry)).toContainEqual(expect.objectContaining({ kind: 'commandFailed', command: 'CancelMedia', error: 'Call Automation said 500' }));

    await newConnectedCall('clear-down');
    waits.length = 0;
    cosmos.emulator.faults.inject({ status: 503, count: 6, matches: posts });
    expect(await applyCallEvent(deps, 'clear-down', event({ kind: 'ParticipantsUpdated', participantIds: [] }))).toBe('applied');
    expect(cosmos.emulator.faults.pending()).toBe(0);
    expect(waits).toHaveLength(5);
    expect((await store.getCall('clear-down'))!.record.outbox).toHaveLength(1);
  });

  it('a question Call Automation refused, whose follow-up Cosmos would not save either, is sent again by the sweep after the lease', async () => {
    const pending = await newConnectedCall('both-down');
    const base = shell();
    let refusals = 1;
    const deps: CallShellDependencies = {
      ...base,
      control: {
        ...base.control,
        execute: async (connection, command, context) => {
          if (refusals-- > 0) throw new Error('Call Automation said 503');
          await base.control.execute(connection, command, context);
        },
      },
    };
    executed.length = 0;
    // The step's save goes through; every try to save the made-up failure's step is refused.
    cosmos.emulator.faults.inject({ status: 503, count: 6, skip: 1, matches: ({ method }) => method === 'POST' });
    await expect(applyCallEvent(deps, 'both-down', event({ kind: 'RecognitionTimedOut', operationContext: pending }))).rejects.toThrow(StoreUnavailable);
    expect(cosmos.emulator.faults.pending()).toBe(0);
    // The entry stays: it was not removed before its follow-up was saved.
    const left = (await store.getCall('both-down'))!.record;
    expect(left.outbox).toHaveLength(1);

    current = new Date(current.getTime() + 31_000);
    await sweepAbandonedOutboxes(deps);
    expect(executed.filter((e) => e.callConnectionId === 'conn-both-down').map((e) => e.command.kind)).toEqual(['StartRecognition']);
    expect((await store.getCall('both-down'))!.record.outbox).toEqual([]);
  });

  it('answers an event for a call it does not know with "unknown call" and writes nothing', async () => {
    expect(await applyCallEvent(shell(), 'nobody', event({ kind: 'CallDisconnected' }))).toBe('unknown call');
    expect(await store.getCall('nobody')).toBeUndefined();
  });
});

describe('held-back outbox clears on the local Cosmos', () => {
  const deferred = (timers: ReturnType<typeof manualTimers>) => new DeferredOutboxClears({ delay: timers.delay, logger: pino({ level: 'silent' }) });

  it('lets the call\'s next save remove a carried-out entry: one Cosmos request a step, and the commands sent once', async () => {
    const pending = await newConnectedCall('held');
    executed.length = 0;
    const requests: string[] = [];
    const timers = manualTimers();
    const clears = deferred(timers);
    const deps = shell({ store: new CachingCallStore(counting(store, requests)), outboxClears: clears });
    await applyCallEvent(deps, 'held', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    expect(requests).toEqual(['read', 'save']);
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    // Carried out, not yet cleared: the stored call still lists it, and its clear waits 20 s.
    expect((await store.getCall('held'))!.record.outbox).toHaveLength(1);
    expect(timers.running().map((w) => w.ms)).toEqual([20_000]);

    requests.length = 0;
    current = new Date(current.getTime() + 4_000);
    const reasked = (await store.getCall('held'))!.record.state.pendingOperation;
    await applyCallEvent(deps, 'held', event({ kind: 'RecognitionTimedOut', operationContext: reasked }));
    expect(requests).toEqual(['save']);
    // The first entry went with that save; the second waits its turn.
    const stored = (await store.getCall('held'))!.record;
    expect(stored.outbox.map((e) => e.step)).toEqual([stored.step]);
    expect(clears.counts).toEqual({ droppedBySave: 1, writtenAlone: 0, writtenAfterConflict: 0 });
    expect(executed).toHaveLength(2);
    await clears.flushAll();
    expect((await store.getCall('held'))!.record.outbox).toEqual([]);
  });

  it('clears an entry by a write of its own when no save comes in time, counting the wait from the entry\'s save', async () => {
    const pending = await newConnectedCall('held-alone');
    const requests: string[] = [];
    const timers = manualTimers();
    const clears = deferred(timers);
    // Saved at 10:00:00; the commands took 3 s (a slow Call Automation).
    const savedAt = current;
    const slow = shell({ store: new CachingCallStore(counting(store, requests)), outboxClears: clears, clock: { now: () => current } });
    const control = slow.control;
    const deps: CallShellDependencies = {
      ...slow,
      control: { ...control, execute: async (...args) => { current = new Date(savedAt.getTime() + 3_000); await control.execute(...args); } },
    };
    await applyCallEvent(deps, 'held-alone', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    expect(timers.running().map((w) => w.ms)).toEqual([17_000]);
    requests.length = 0;
    timers.running()[0]!.end();
    await clears.settled();
    expect(requests).toEqual(['clear']);
    expect((await store.getCall('held-alone'))!.record.outbox).toEqual([]);
    expect(clears.counts).toEqual({ droppedBySave: 0, writtenAlone: 1, writtenAfterConflict: 0 });
    expect(clears.paidShare).toBe(1);
  });

  it('never sends a held entry\'s commands again, even when its call\'s next event comes after the lease', async () => {
    const pending = await newConnectedCall('held-late');
    executed.length = 0;
    const timers = manualTimers();
    const clears = deferred(timers);
    const deps = shell({ store: new CachingCallStore(store), outboxClears: clears });
    await applyCallEvent(deps, 'held-late', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    // The timer is late (a busy process): the next event finds the entry older than the lease.
    current = new Date(current.getTime() + 45_000);
    await applyCallEvent(deps, 'held-late', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    expect((await store.getCall('held-late'))!.record.outbox).toEqual([]);
    // Its timer was stopped with it: nothing is left to write.
    expect(timers.running()).toEqual([]);
    expect(clears.size).toBe(0);
  });

  it('leaves a held entry alone on another instance within the lease, and the clear of its own re-reads the call another instance saved', async () => {
    const pending = await newConnectedCall('held-two');
    executed.length = 0;
    const timers = manualTimers();
    const clears = deferred(timers);
    const first = shell({ store: new CachingCallStore(store), outboxClears: clears });
    const second = shell({ store: new CachingCallStore(store), outboxClears: deferred(manualTimers()) });
    await applyCallEvent(first, 'held-two', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    current = new Date(current.getTime() + 5_000);
    const meanwhile = event({ kind: 'ParticipantsUpdated', participantIds: ['x'] });
    await applyCallEvent(second, 'held-two', meanwhile);
    expect(executed.map((e) => e.command.kind)).toEqual(['StartRecognition']);
    expect((await store.getCall('held-two'))!.record.outbox).toHaveLength(1);
    // The first instance remembers the call before the second saved it: its clear meets a failed ETag, re-reads, and removes the entry.
    timers.running()[0]!.end();
    await clears.settled();
    const stored = (await store.getCall('held-two'))!.record;
    expect(stored.outbox).toEqual([]);
    expect(stored.recentEventIds).toContain(meanwhile.eventId);
    expect(clears.counts).toEqual({ droppedBySave: 0, writtenAlone: 1, writtenAfterConflict: 1 });
    expect(clears.paidShare).toBeLessThan(1);
  });

  it('an instance that died holding a clear: the entry finished after the lease leaves out the question the call has moved past', async () => {
    const first = await newConnectedCall('held-died');
    executed.length = 0;
    // Instance A asks again and holds the clear; then it dies (its timer never fires).
    const dead = shell({ store: new CachingCallStore(store), outboxClears: deferred(manualTimers()) });
    await applyCallEvent(dead, 'held-died', event({ kind: 'RecognitionTimedOut', operationContext: first }));
    const asked = (await store.getCall('held-died'))!.record.state.pendingOperation!;
    expect(executed.map((e) => e.command)).toEqual([expect.objectContaining({ kind: 'StartRecognition', operationContext: asked })]);
    // The caller is silent again; instance B handles it within the lease and moves the call on.
    current = new Date(current.getTime() + 10_000);
    await applyCallEvent(shell({ store: new CachingCallStore(store) }), 'held-died', event({ kind: 'RecognitionTimedOut', operationContext: asked }));
    const movedTo = (await store.getCall('held-died'))!.record.state.pendingOperation;
    expect(movedTo).not.toBe(asked);
    const sentBefore = executed.length;
    // After the lease the next callback finds A's entry and finishes it without asking the old question again.
    current = new Date(current.getTime() + 31_000);
    await applyCallEvent(shell({ store: new CachingCallStore(store) }), 'held-died', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(executed.slice(sentBefore)).toEqual([]);
    const stored = (await store.getCall('held-died'))!.record;
    expect(stored.outbox).toEqual([]);
    expect((await store.listHistory('held-died')).map((h) => h.entry)).toContainEqual({ kind: 'commandSkipped', command: 'StartRecognition', reason: 'the call moved past it before the entry was finished' });
  });

  it('an instance that died while its action ran: after the lease the next callback runs the action once and the caller hears its result once', async () => {
    await newConnectedCall('died-in-action');
    executed.length = 0;
    const start = startingAction(shell().decide, 'lookup-3', 8000);
    // Instance A saves the step, starts the action and is never heard from again (its backend never answers).
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stuck = { run: () => (started(), new Promise<ActionResult>(() => undefined)) };
    const dying = shell({ store: new CachingCallStore(store), decide: start, actions: stuck, delay: () => new Promise<void>(() => undefined) });
    void applyCallEvent(dying, 'died-in-action', event({ kind: 'ParticipantsUpdated', participantIds: ['start'] }));
    await running;
    // After the lease and the action's timeout, instance B's next callback takes the entry over.
    current = new Date(current.getTime() + 8_000 + 31_000);
    let runs = 0;
    const taker = shell({ store: new CachingCallStore(store), decide: start, actions: { run: async () => (runs++, { status: 'notFound', say: { prompt: 'orderNotFound' } }) } });
    await applyCallEvent(taker, 'died-in-action', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(runs).toBe(1);
    const stored = (await store.getCall('died-in-action'))!.record;
    expect(stored.state.actionId).toBeUndefined();
    expect(stored.outbox).toEqual([]);
    expect(executed.filter((e) => e.command.kind === 'StartRecognition' && JSON.stringify(e.command).includes('orderNotFound'))).toHaveLength(1);
  });

  it('an instance that died holding the clear of a finished action: the entry finished after its lease does not run the action again', async () => {
    await newConnectedCall('done-action');
    let runs = 0;
    const actions = { run: async (): Promise<ActionResult> => (runs++, { status: 'notFound', say: { prompt: 'orderNotFound' } }) };
    const dead = shell({ store: new CachingCallStore(store), outboxClears: deferred(manualTimers()), actions });
    const decide = startingAction(dead.decide, 'lookup-2', 8000);
    await applyCallEvent({ ...dead, decide }, 'done-action', event({ kind: 'ParticipantsUpdated', participantIds: ['start'] }));
    expect(runs).toBe(1);
    // The result was spoken: the call no longer waits for the action.
    expect((await store.getCall('done-action'))!.record.state.actionId).toBeUndefined();
    current = new Date(current.getTime() + 8_000 + 31_000);
    await applyCallEvent(shell({ store: new CachingCallStore(store), actions }), 'done-action', event({ kind: 'ParticipantsUpdated', participantIds: ['x'] }));
    expect(runs).toBe(1);
    expect((await store.listHistory('done-action')).map((h) => h.entry)).toContainEqual({ kind: 'commandSkipped', command: 'RunAction', reason: 'the call moved past it before the entry was finished' });
    expect((await store.getCall('done-action'))!.record.outbox).toEqual([]);
  });

  it('clears at once when the caller has gone (no callback will carry it) or a command failed (the failure belongs in history now)', async () => {
    const pending = await newConnectedCall('held-none');
    const timers = manualTimers();
    const clears = deferred(timers);
    const failing = shell({ store: new CachingCallStore(store), outboxClears: clears });
    // Every command refused but the last hang-up (a refused one stays for the sweep to send again).
    const refuseAllButHangUp: CallShellDependencies['control']['execute'] = async (connection, command, context) => {
      if (command.kind !== 'HangUp') throw new Error('Call Automation said 500');
      await failing.control.execute(connection, command, context);
    };
    const deps: CallShellDependencies = { ...failing, control: { ...failing.control, execute: refuseAllButHangUp } };
    await applyCallEvent(deps, 'held-none', event({ kind: 'RecognitionTimedOut', operationContext: pending }));
    expect((await store.getCall('held-none'))!.record.outbox).toEqual([]);
    expect((await store.listHistory('held-none')).map((h) => h.entry)).toContainEqual(expect.objectContaining({ kind: 'commandFailed', error: 'Call Automation said 500' }));

    // A caller who hangs up while an agent talks to them: routing is told the call ended.
    await newConnectedCall('held-gone');
    const withAgent = shell({ store: new CachingCallStore(store), outboxClears: clears });
    const decide: CallShellDependencies['decide'] = (state, e, now) => {
      const decision = withAgent.decide(state, e, now);
      return e.kind === 'CallDisconnected' ? { ...decision, commands: [{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o-1', agentId: 'alice' }] } : decision;
    };
    await applyCallEvent({ ...withAgent, decide }, 'held-gone', event({ kind: 'CallDisconnected' }));
    const gone = (await store.getCall('held-gone'))!.record;
    expect(gone.state.stage).toBe('ended');
    expect(gone.outbox).toEqual([]);
    expect(timers.running()).toEqual([]);
  });
});
