// The shell's exactly-once guarantees (DESIGN.md §4) for any delivery of a call's callbacks: each
// event delivered once or several times, in any order, to several instances at once (each with its
// own memory of the call), one invocation maybe dying between its save and its commands, on the real
// Cosmos emulator, the outbox sweep maybe racing the last callback. Whatever the interleaving, every
// event is applied in exactly one step, every command is carried out exactly once, and no outbox is left.
import fc from 'fast-check';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import { startCall } from '../../bot/call-flow/decide-call.js';
import { CachingCallStore } from '../../bot/caching-call-store.js';
import { applyCallEvent, sweepAbandonedOutboxes, type CallShellDependencies } from '../../bot/handle-call-events.js';
import type { CallStore, Clock } from '../../bot/ports.js';
import { startCallStoreFixture, type CallStoreFixture } from '../support/call-store-fixture.js';
import { testFlow } from '../support/test-assistant-flow.js';
import { dyingAfterSave, testCallShell, type ExecutedCommand } from '../support/test-call-shell.js';

let cosmos: CallStoreFixture;
const now = new Date('2026-11-25T10:00:00Z');
const flow = testFlow();

beforeAll(async () => {
  cosmos = await startCallStoreFixture();
});
afterAll(async () => {
  await cosmos.close();
});

function shell(store: CallStore, executed: ExecutedCommand[], clock: Clock = { now: () => now }): CallShellDependencies {
  return testCallShell({ store, flow, clock, executed });
}

/** What a callback carries; the operation context is that of the question the call was first asked. */
type Kind = 'participants' | 'silence' | 'noMatch' | 'speech' | 'keys' | 'playCompleted';
const kinds: readonly Kind[] = ['participants', 'silence', 'noMatch', 'speech', 'keys', 'playCompleted'];

function eventOf(kind: Kind, eventId: string, firstQuestion: string): CallEvent {
  const base = { eventId, occurredAt: now.toISOString() };
  switch (kind) {
    case 'participants':
      return { ...base, kind: 'ParticipantsUpdated', participantIds: [eventId] };
    case 'silence':
      return { ...base, kind: 'RecognitionTimedOut', operationContext: firstQuestion };
    case 'noMatch':
      return { ...base, kind: 'RecognitionFailed', code: 400, subCode: 8547, message: 'no match', operationContext: firstQuestion };
    case 'speech':
      return { ...base, kind: 'SpeechRecognized', text: 'blah', confidence: 0.9, operationContext: firstQuestion };
    case 'keys':
      return { ...base, kind: 'KeysPressed', tones: '9', operationContext: firstQuestion };
    case 'playCompleted':
      return { ...base, kind: 'PlayCompleted', operationContext: firstQuestion };
  }
}

const deliveries = fc
  .array(fc.record({ kind: fc.constantFrom(...kinds), times: fc.integer({ min: 1, max: 3 }) }), { minLength: 2, maxLength: 6 })
  .chain((events) => {
    const copies = events.flatMap((e, i) => Array.from({ length: e.times }, () => ({ event: i, kind: e.kind })));
    return fc.record({
      events: fc.constant(events),
      order: fc.shuffledSubarray(copies, { minLength: copies.length, maxLength: copies.length }),
      instances: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: copies.length, maxLength: copies.length }),
      batch: fc.integer({ min: 1, max: 4 }),
      /** The delivery whose invocation dies right after its save, if any. */
      crashAt: fc.option(fc.nat(copies.length - 1), { nil: undefined }),
      /** The outbox sweep runs as the later callback arrives, racing it for what was abandoned. */
      sweep: fc.boolean(),
    });
  });

let calls = 0;

describe('the call shell, for any delivery of callbacks', () => {
  it('applies every event in exactly one step and carries out every command exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ events, order, instances, batch, crashAt, sweep }) => {
        const callId = `prop-${++calls}`;
        const executed: ExecutedCommand[] = [];
        const { store } = cosmos;
        await store.createCall({ state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, now), step: 1, outbox: [], recentEventIds: [] });
        await applyCallEvent(shell(store, executed), callId, { kind: 'CallConnected', callConnectionId: 'conn-1', eventId: `${callId}-connected`, occurredAt: now.toISOString() });
        const firstQuestion = (await store.getCall(callId))!.record.state.pendingOperation!;
        // Three instances, each remembering the calls it has seen.
        let clockAt = now;
        const clock = { now: () => clockAt };
        const shells = [0, 1, 2].map(() => shell(new CachingCallStore(store), executed, clock));
        const dying = shell(dyingAfterSave(store), executed, clock);
        // Delivered `batch` at a time, concurrently within a batch; a dead invocation's callback is
        // delivered again, as Call Automation retries a callback that failed.
        const retries: (typeof order)[number][] = [];
        for (let start = 0; start < order.length; start += batch) {
          await Promise.all(
            order.slice(start, start + batch).map(async (delivery, j) => {
              const at = start + j;
              const deps = at === crashAt ? dying : shells[instances[at] ?? 0]!;
              try {
                await applyCallEvent(deps, callId, eventOf(delivery.kind, `${callId}-e${delivery.event}`, firstQuestion));
              } catch (error) {
                if (at !== crashAt || !String(error).includes('died')) throw error;
                retries.push(delivery);
              }
            }),
          );
        }
        for (const delivery of retries) await applyCallEvent(shells[0]!, callId, eventOf(delivery.kind, `${callId}-e${delivery.event}`, firstQuestion));
        // After the lease, the next callback (or the sweep, whichever is first) finishes what a dead
        // invocation left in the outbox.
        clockAt = new Date(now.getTime() + 31_000);
        const later = applyCallEvent(shells[1]!, callId, { kind: 'ParticipantsUpdated', participantIds: ['later'], eventId: `${callId}-later`, occurredAt: clockAt.toISOString() });
        await Promise.all([later, sweep ? sweepAbandonedOutboxes(shells[2]!) : undefined]);

        const stored = (await store.getCall(callId))!.record;
        const history = await store.listHistory(callId);
        const applied = history.filter((h) => h.entry.kind === 'event' && h.entry.event.eventId.startsWith(`${callId}-e`));
        const stepsPerEvent = new Map<string, Set<number>>();
        for (const h of applied) {
          if (h.entry.kind !== 'event') continue;
          stepsPerEvent.set(h.entry.event.eventId, (stepsPerEvent.get(h.entry.event.eventId) ?? new Set()).add(h.step));
        }
        expect([...stepsPerEvent.values()].map((steps) => steps.size)).toEqual(events.map(() => 1));
        expect(stepsPerEvent.size).toBe(events.length);
        // The CallConnected step, one step per distinct event, and the later one.
        expect(stored.step).toBe(3 + events.length);
        expect(stored.outbox).toEqual([]);
        const commandsDecided = history.filter((h) => h.entry.kind === 'command').length;
        expect(executed.length).toBe(commandsDecided);
      }),
      { numRuns: 40, seed: 20261207 },
    );
  });
});
