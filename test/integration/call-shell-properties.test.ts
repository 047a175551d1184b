// The shell's exactly-once guarantees (DESIGN.md §4) for any delivery of a call's callbacks: each
// event delivered once or several times, in any order, to several instances at once (each with its
// own memory of the call), one invocation maybe dying between its save and its commands, on the real
// Cosmos emulator, the outbox sweep maybe racing the last callback, Call Automation maybe refusing
// some commands for good. Whatever the interleaving, every event (and every failure the shell makes up
// for a refused command) is applied in exactly one step, every command is sent exactly once, and no
// outbox is left.
import fc from 'fast-check';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import { startCall } from '../../bot/call-flow/decide-call.js';
import { CachingCallStore } from '../../bot/caching-call-store.js';
import { applyCallEvent, sweepAbandonedOutboxes, type CallShellDependencies } from '../../bot/handle-call-events.js';
import type { CallStore, Clock, MediaCommand } from '../../bot/ports.js';
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

function shell(store: CallStore, executed: ExecutedCommand[], clock: Clock = { now: () => now }, refuse?: Parameters<typeof testCallShell>[0]['refuse']): CallShellDependencies {
  return testCallShell({ store, flow, clock, executed, refuse });
}

/** Call Automation refuses about a third of the commands, chosen by `seed`, every time they are sent. */
function refusing(seed: number, refused: ExecutedCommand[]) {
  const when = (command: MediaCommand) => {
    const key = `${seed}:${command.kind}:${'operationContext' in command ? command.operationContext : ''}`;
    let hash = 2166136261;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
    return (hash >>> 0) % 3 === 0;
  };
  return { when, refused };
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
      /** Call Automation refuses some commands for good (chosen by this seed), or none. */
      refusalSeed: fc.option(fc.nat(), { nil: undefined }),
    });
  });

let calls = 0;

// npm test plays the same 40 deliveries every time; SHELL_PROPERTY_RUNS=1000 plays that many new ones.
const extraRuns = Number(process.env['SHELL_PROPERTY_RUNS'] ?? 0);
const runs = extraRuns > 0 ? { numRuns: extraRuns } : { numRuns: 40, seed: 20261207 };

describe('the call shell, for any delivery of callbacks', () => {
  it('applies every event in exactly one step, sends every command exactly once, and never leaves the call waiting on a command Call Automation refused', async () => {
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ events, order, instances, batch, crashAt, sweep, refusalSeed }) => {
        const callId = `prop-${++calls}`;
        const executed: ExecutedCommand[] = [];
        const refused: ExecutedCommand[] = [];
        const refuse = refusalSeed === undefined ? undefined : refusing(refusalSeed, refused);
        const { store } = cosmos;
        await store.createCall({ state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, now), step: 1, outbox: [], recentEventIds: [] });
        await applyCallEvent(shell(store, executed), callId, { kind: 'CallConnected', callConnectionId: 'conn-1', eventId: `${callId}-connected`, occurredAt: now.toISOString() });
        const firstQuestion = (await store.getCall(callId))!.record.state.pendingOperation!;
        // Three instances, each remembering the calls it has seen.
        let clockAt = now;
        const clock = { now: () => clockAt };
        const shells = [0, 1, 2].map(() => shell(new CachingCallStore(store), executed, clock, refuse));
        const dying = shell(dyingAfterSave(store), executed, clock, refuse);
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
        const stepsPerEvent = new Map<string, Set<number>>();
        for (const h of history) {
          if (h.entry.kind !== 'event') continue;
          stepsPerEvent.set(h.entry.event.eventId, (stepsPerEvent.get(h.entry.event.eventId) ?? new Set()).add(h.step));
        }
        const delivered = [...stepsPerEvent].filter(([id]) => id.startsWith(`${callId}-e`));
        expect(delivered.map(([, steps]) => steps.size)).toEqual(events.map(() => 1));
        expect(delivered.length).toBe(events.length);
        // What the shell made up for refused commands: each applied in exactly one step too.
        const madeUp = [...stepsPerEvent].filter(([id]) => id.endsWith(':not-sent'));
        expect(madeUp.every(([, steps]) => steps.size === 1)).toBe(true);
        if (!refuse) expect(madeUp).toEqual([]);
        // The CallConnected step, one step per distinct event and made-up failure, and the later one.
        expect(stored.step).toBe(3 + events.length + madeUp.length);
        expect(stored.outbox).toEqual([]);
        // Each command decided was sent once (carried out or refused), or left out as one the call had moved past.
        const commandsDecided = history.filter((h) => h.entry.kind === 'command').length;
        const leftOut = history.filter((h) => h.entry.kind === 'commandSkipped').length;
        expect(executed.length + refused.length + leftOut).toBe(commandsDecided);
        expect(history.filter((h) => h.entry.kind === 'commandFailed').length).toBe(refused.length);
        // Never waiting in silence: a call still going waits on an operation Call Automation took.
        const { stage, pendingOperation } = stored.state;
        if (stage !== 'ended' && stage !== 'ending') {
          const accepted = executed.filter(({ command }) => 'operationContext' in command && command.operationContext === pendingOperation);
          expect({ stage, pendingOperation, accepted: accepted.length > 0 }).toEqual({ stage, pendingOperation, accepted: true });
        }
      }),
      runs,
    );
  });
});
