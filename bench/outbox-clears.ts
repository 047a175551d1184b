// `npm run bench -- outbox-clears [--calls N] [--steps N] [--late F]`: the Cosmos requests a call
// step with commands costs when its outbox entry is cleared at once, when the clear is always held
// for the call's next save, and as the app does it (held while holding pays), with 1, 2 and 4
// instances behind a load balancer that sends each callback to any of them. Real call shell, real
// call store and CachingCallStore on the local Cosmos (in this process); the decider is a stand-in
// that answers every event with one command, so that every step has an entry to clear.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { CosmosCallStore } from '../bot/adapters/cosmos-call-store.js';
import { createContainersIfMissing, openCosmosDatabase } from '../bot/adapters/cosmos-database.js';
import { CachingCallStore } from '../bot/caching-call-store.js';
import type { CallEvent } from '../bot/call-flow/call-events.js';
import { startCall } from '../bot/call-flow/decide-call.js';
import { DeferredOutboxClears } from '../bot/deferred-outbox-clears.js';
import { applyCallEvent, type CallShellDependencies } from '../bot/handle-call-events.js';
import { ConcurrencyConflict, type CallStore } from '../bot/ports.js';
import { createSeededRandom } from '../bot/assistant/nlu/seeded-random.js';
import { startCosmosEmulator } from '../local/cosmos/cosmos-emulator.js';
import { testFlow } from '../test/support/test-assistant-flow.js';

type Mode = 'at once' | 'always held' | 'held while it pays';

class AlwaysHeld extends DeferredOutboxClears {
  override shouldHold(): boolean {
    return true;
  }
}

/** Counts the requests the store sends Cosmos, failed ETags among them. */
function counted(inner: CallStore, counts: { requests: number; conflicts: number }): CallStore {
  const count = async <T>(work: () => Promise<T>): Promise<T> => {
    counts.requests++;
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConcurrencyConflict) counts.conflicts++;
      throw error;
    }
  };
  return {
    createCall: (r, h) => count(() => inner.createCall(r, h)),
    getCall: (id) => count(() => inner.getCall(id)),
    replaceCall: (r, e, h) => count(() => inner.replaceCall(r, e, h)),
    listHistory: (id) => inner.listHistory(id),
    upsertHistory: (items) => (items.length > 0 ? count(() => inner.upsertHistory(items)) : Promise.resolve()),
    listCallsWithOutboxBefore: (before, limit) => count(() => inner.listCallsWithOutboxBefore(before, limit)),
    listCallsFromCaller: (caller) => count(() => inner.listCallsFromCaller(caller)),
    findCallByCallbackCorrelationId: (id) => count(() => inner.findCallByCallbackCorrelationId(id)),
  };
}

export default async function outboxClears(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { calls: { type: 'string' }, steps: { type: 'string' }, late: { type: 'string' } } });
  const calls = Number(values.calls ?? 300);
  const steps = Number(values.steps ?? 10);
  // The share of steps whose next callback comes after the held clear's wait (a long prompt, hold music, a talk).
  const late = Number(values.late ?? 0.2);
  const emulator = await startCosmosEmulator({ certificateFolder: mkdtempSync(join(tmpdir(), 'sb-bench-outbox-')) });
  const { database } = openCosmosDatabase({ endpoint: emulator.endpoint, databaseId: 'switchboard', key: emulator.key, caCertificateFile: emulator.certificateFile });
  await createContainersIfMissing(database, 1);
  const cosmos = new CosmosCallStore(database.container('calls'), { retentionDays: 1 });
  const flow = testFlow();
  const logger = pino({ level: 'silent' });
  let now = new Date('2026-11-24T16:00:00Z');
  let eventNumber = 0;

  const run = async (mode: Mode, instances: number) => {
    const counts = { requests: 0, conflicts: 0 };
    const waits: (() => void)[] = [];
    const delay = (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        waits.push(resolve);
        signal.addEventListener('abort', () => resolve());
      });
    const shells = Array.from({ length: instances }, (): { deps: CallShellDependencies; clears: DeferredOutboxClears | undefined } => {
      const clears = mode === 'at once' ? undefined : mode === 'always held' ? new AlwaysHeld({ delay, logger }) : new DeferredOutboxClears({ delay, logger });
      const deps: CallShellDependencies = {
        store: new CachingCallStore(counted(cosmos, counts)),
        control: { answerCall: async () => ({ callConnectionId: 'c' }), rejectCall: async () => undefined, createCall: async () => undefined, startRecording: async () => 'r', stopRecording: async () => undefined, execute: async () => undefined },
        agentCalls: { addTeamsUser: async () => undefined, removeTeamsUser: async () => undefined },
        actions: { run: async () => ({ status: 'failed', reason: 'none' }) },
        routing: undefined,
        delay: async () => undefined,
        clock: { now: () => now },
        logger,
        // Every event gets one command, so every step has an outbox entry to clear.
        decide: (state) => ({ state: { ...state, callConnectionId: 'conn' }, commands: [{ kind: 'CancelMedia' }], history: [{ kind: 'stageChanged', from: state.stage, to: state.stage }] }),
        callbackUrl: () => 'http://127.0.0.1/',
        runningActions: new Map(),
        outboxClears: clears,
      };
      return { deps, clears };
    });
    const random = createSeededRandom(7);
    const passWaits = async () => {
      for (const end of waits.splice(0)) end();
      for (const s of shells) await s.clears?.settled();
    };
    const before = { ...counts };
    for (let c = 0; c < calls; c++) {
      const callId = `${mode.replace(/ /g, '-')}-${instances}-${c}`;
      await cosmos.createCall({ state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, now), step: 1, outbox: [], recentEventIds: [] });
      for (let s = 0; s < steps; s++) {
        const shell = shells[Math.floor(random() * instances)]!;
        const event: CallEvent = { kind: 'ParticipantsUpdated', participantIds: ['caller'], eventId: `e${++eventNumber}`, occurredAt: now.toISOString() };
        await applyCallEvent(shell.deps, callId, event);
        now = new Date(now.getTime() + 3_000);
        if (random() < late) await passWaits();
      }
      // The call ends; whatever is still held is written when its wait is over.
      await passWaits();
    }
    const stepsRun = calls * steps;
    const settled = shells.reduce((sum, s) => ({ dropped: sum.dropped + (s.clears?.counts.droppedBySave ?? 0), alone: sum.alone + (s.clears?.counts.writtenAlone ?? 0) }), { dropped: 0, alone: 0 });
    return {
      mode,
      instances,
      requestsPerStep: (counts.requests - before.requests) / stepsRun,
      failedETagsPerStep: (counts.conflicts - before.conflicts) / stepsRun,
      droppedBySave: settled.dropped,
      writtenAlone: settled.alone,
    };
  };

  const results = [];
  for (const instances of [1, 2, 4]) {
    for (const mode of ['at once', 'always held', 'held while it pays'] as const) results.push(await run(mode, instances));
  }
  console.log(`outbox-clears: ${calls} calls of ${steps} steps with commands per row; ${(late * 100).toFixed(0)} % of next callbacks come after the held clear's wait; each callback to a random instance (seed 7)`);
  console.log(`  ${'instances'.padEnd(10)}${'clears'.padEnd(20)}${'requests/step'.padStart(14)}${'failed ETags/step'.padStart(19)}${'dropped by save'.padStart(17)}${'written alone'.padStart(15)}`);
  for (const r of results) {
    console.log(`  ${String(r.instances).padEnd(10)}${r.mode.padEnd(20)}${r.requestsPerStep.toFixed(2).padStart(14)}${r.failedETagsPerStep.toFixed(2).padStart(19)}${String(r.droppedBySave).padStart(17)}${String(r.writtenAlone).padStart(15)}`);
  }
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const at = new Date().toISOString();
  const file = join(folder, `outbox-clears-${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ bench: 'outbox-clears', at, machine: { cpus: cpus().length, node: process.version }, settings: { calls, steps, late, seed: 7 }, results }, null, 2)}\n`);
  console.log(`  results: ${file}`);
  database.client.dispose();
  await emulator.close();
}
