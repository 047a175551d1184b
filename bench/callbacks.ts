// `npm run bench -- callbacks [--calls N] [--floor N] [--warmup N]`: what handling one Call
// Automation callback event costs in the full shell (JWT verify included: parse, load, decide,
// save, history, execute against the local emulators), next to the Cosmos floor measured in the
// same run through the same CosmosClient (a point read + one write of a call document of the same
// size), and the Cosmos requests a typical self-service call and an escalated call make.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CosmosClient, type Container, type CosmosClientOptions, type OperationInput, type PluginConfig } from '@azure/cosmos';
import { pino } from 'pino';
import { AcsCallControl } from '../bot/adapters/acs-call-control.js';
import { createCallbackVerifier } from '../bot/adapters/acs-callback-auth.js';
import { CosmosCallStore } from '../bot/adapters/cosmos-call-store.js';
import { callIdFor } from '../bot/handle-incoming-call.js';
import type { CallControl, CallRecord, CallStore, MediaCommand, StoredHistoryItem, AgentCallControl } from '../bot/ports.js';
import { createSwitchboard, type Switchboard } from '../bot/wiring.js';
import { createFunctionTable } from '../functions/function-table.js';
import type { CallerStep } from '../local/acs/simulated-caller.js';
import { startLocalFunctionsHost } from '../local/host/local-functions-host.js';
import { ephemeralPorts, startLocalStack } from '../local/local-stack.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Counts every HTTP request the SDK sends (retries included) and the request charge it reports. */
class CosmosRequestCounter {
  requests = 0;
  requestCharge = 0;

  readonly plugin: PluginConfig = {
    on: 'request',
    plugin: async (context, _diagnostics, next) => {
      this.requests++;
      const response = await next(context);
      this.requestCharge += Number(response.headers['x-ms-request-charge'] ?? 0);
      return response;
    },
  };
}

/** Time spent in each port, so an event's cost can be split into Cosmos, ACS and the rest. */
class Stopwatch {
  inMs = 0;
  calls = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.inMs += performance.now() - started;
      this.calls++;
    }
  }
}

class TimedCallStore implements CallStore {
  /** Events applied: saves that add the outbox entry of a new step (clearing an entry adds none). */
  stepsSaved = 0;

  constructor(private readonly inner: CallStore, private readonly watch: Stopwatch) {}
  createCall(record: CallRecord) { return this.watch.time(() => this.inner.createCall(record)); }
  getCall(callId: string) { return this.watch.time(() => this.inner.getCall(callId)); }
  async replaceCall(record: CallRecord, etag: string) {
    const etagAfter = await this.watch.time(() => this.inner.replaceCall(record, etag));
    if (record.outbox.some((entry) => entry.step === record.step)) this.stepsSaved++;
    return etagAfter;
  }
  upsertHistory(items: readonly StoredHistoryItem[]) { return this.watch.time(() => this.inner.upsertHistory(items)); }
  listHistory(callId: string) { return this.watch.time(() => this.inner.listHistory(callId)); }
}

class TimedCallControl implements CallControl, AgentCallControl {
  constructor(private readonly inner: CallControl & AgentCallControl, private readonly watch: Stopwatch) {}
  addTeamsUser(options: Parameters<AgentCallControl['addTeamsUser']>[0]) { return this.watch.time(() => this.inner.addTeamsUser(options)); }
  removeTeamsUser(options: Parameters<AgentCallControl['removeTeamsUser']>[0]) { return this.watch.time(() => this.inner.removeTeamsUser(options)); }
  answerCall(options: Parameters<CallControl['answerCall']>[0]) { return this.watch.time(() => this.inner.answerCall(options)); }
  rejectCall(options: Parameters<CallControl['rejectCall']>[0]) { return this.watch.time(() => this.inner.rejectCall(options)); }
  execute(id: string, command: MediaCommand, context: Parameters<CallControl['execute']>[2]) { return this.watch.time(() => this.inner.execute(id, command, context)); }
}

interface CallbackSample {
  readonly inMs: number;
  readonly events: number;
  readonly cosmosInMs: number;
  readonly cosmosRequests: number;
  readonly acsInMs: number;
}

const calls: Record<'selfService' | 'escalated', { readonly script: CallerStep[]; readonly endReason: string }> = {
  selfService: {
    script: [{ press: '1' }, { say: 'where is my order' }, { press: '12345678' }, { say: 'yes' }, { say: 'no thanks' }],
    endReason: 'completed',
  },
  escalated: {
    script: [{ press: '1' }, { say: 'I want to pay my bill' }],
    endReason: 'no routing: routing is not deployed',
  },
};

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const ms = (value: number) => `${value.toFixed(2)} ms`;

export default async function callbacks(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { calls: { type: 'string' }, floor: { type: 'string' }, warmup: { type: 'string' } } });
  const callsPerKind = Number(values.calls ?? 15);
  const floorIterations = Number(values.floor ?? 300);
  const warmupCalls = Number(values.warmup ?? 3);
  const loadAtStart = loadavg()[0];

  const stack = await startLocalStack({
    ports: ephemeralPorts,
    stateFolder: mkdtempSync(join(tmpdir(), 'sb-bench-')),
    logger: pino({ level: 'silent' }),
    // Real callbacks are seconds apart; spacing them a little keeps the emulator's own work (it
    // runs in this process) from landing inside the handler being timed.
    callTiming: { playDurationPerCharacterInMs: 0.1, callerResponseDelayInMs: 25 },
  });
  const counter = new CosmosRequestCounter();
  // `plugins` is a working CosmosClient option that the SDK's typings mark @hidden.
  const client = new CosmosClient({
    endpoint: stack.settings.COSMOS_ENDPOINT,
    key: stack.settings.COSMOS_KEY,
    agent: new Agent({ ca: readFileSync(stack.settings.COSMOS_CA_CERT_FILE ?? '', 'utf8'), keepAlive: true }),
    connectionPolicy: { enableEndpointDiscovery: false },
    plugins: [counter.plugin],
  } as CosmosClientOptions);
  const container: Container = client.database(stack.settings.COSMOS_DATABASE).container('calls');
  const cosmosWatch = new Stopwatch();
  const acsWatch = new Stopwatch();
  const store = new TimedCallStore(new CosmosCallStore(container, { retentionDays: stack.settings.HISTORY_RETENTION_DAYS }), cosmosWatch);
  const control = new TimedCallControl(new AcsCallControl({ connectionString: stack.settings.ACS_CONNECTION_STRING, maxRetries: 0 }), acsWatch);

  // The bench's own Functions host serves the same function table with a switchboard whose Cosmos
  // client counts requests; Event Grid is pointed at it, so the stack's host stays idle.
  let measured: Switchboard | undefined;
  const host = await startLocalFunctionsHost({
    functions: createFunctionTable(async () => {
      if (!measured) throw new Error('the bench app is still starting');
      return measured;
    }),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  const app = createSwitchboard({ ...stack.settings, CALLBACK_BASE_URL: host.baseUrl }, { store, control, logger: pino({ level: 'silent' }), acsMaxRetries: 0 });
  const samples: CallbackSample[] = [];
  const tokens: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  measured = {
    ...app,
    async callEvents(request) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const before = { cosmos: cosmosWatch.inMs, requests: counter.requests, acs: acsWatch.inMs, steps: store.stepsSaved, at: performance.now() };
      try {
        return await app.callEvents(request);
      } finally {
        inFlight--;
        samples.push({
          inMs: performance.now() - before.at,
          events: store.stepsSaved - before.steps,
          cosmosInMs: cosmosWatch.inMs - before.cosmos,
          cosmosRequests: counter.requests - before.requests,
          acsInMs: acsWatch.inMs - before.acs,
        });
        if (request.authorization) tokens.push(request.authorization);
      }
    },
  };
  await stack.callAutomation.setIncomingCallWebhook(host.eventGridUrl('incoming-call'));

  const placeCall = async (kind: keyof typeof calls) => {
    const startSample = samples.length;
    const startRequests = counter.requests;
    const startCharge = counter.requestCharge;
    const placed = await stack.callAutomation.placeCall({ from: '+14255550123', to: '+12125550100', script: calls[kind].script, whenScriptEnds: 'hangUp' });
    const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 30_000);
    await stack.callAutomation.callbacksIdle();
    const requests = counter.requests - startRequests;
    const requestCharge = counter.requestCharge - startCharge;
    const callId = callIdFor(conversation.correlationId);
    const history = await new CosmosCallStore(container, { retentionDays: 1 }).listHistory(callId);
    const stored = await container.item(callId, callId).read<Record<string, unknown> & { state: { endReason?: string } }>();
    if (stored.resource?.state.endReason !== calls[kind].endReason) {
      throw new Error(`The ${kind} call ended "${stored.resource?.state.endReason}", not "${calls[kind].endReason}": the bench would measure the wrong flow.`);
    }
    return {
      callId,
      requests,
      requestCharge,
      callbacks: samples.slice(startSample),
      events: history.filter((h) => h.entry.kind === 'event').length,
      historyItems: history.length,
      document: stored.resource,
      documentBytes: Buffer.byteLength(JSON.stringify(stored.resource)),
    };
  };

  let warm = await placeCall('selfService');
  for (let i = 0; i < warmupCalls; i++) {
    warm = await placeCall('selfService');
    await placeCall('escalated');
  }
  // The floor, through the same CosmosClient: a call document of the same size, read by id and
  // partition key, then replaced under its ETag, as the shell saves a step. Its iterations are
  // interleaved with the calls so both see the same load on the machine.
  const floorId = 'bench-floor';
  const floorDocument = { ...warm.document, id: floorId, callId: floorId, padding: '' };
  floorDocument.padding = 'x'.repeat(Math.max(0, warm.documentBytes - Buffer.byteLength(JSON.stringify(floorDocument))));
  await container.items.upsert(floorDocument);
  const historyItemsPerEvent = Math.max(1, Math.round(warm.historyItems / warm.events));
  const historyTemplate = { callId: floorId, type: 'history', step: 0, index: 0, at: new Date().toISOString(), entry: { kind: 'stageChanged', from: 'understanding', to: 'collectingSlot' } };
  const floor: number[] = [];
  const pattern: number[] = [];
  const floorRequests = { floor: 0, pattern: 0 };
  let floorRound = 0;
  const measureFloor = async (iterations: number) => {
    for (let i = 0; i < iterations; i++) {
      floorRound++;
      let before = counter.requests;
      let started = performance.now();
      const read = await container.item(floorId, floorId).read();
      await container.item(floorId, floorId).replace(floorDocument, { accessCondition: { type: 'IfMatch', condition: read.etag } });
      floor.push(performance.now() - started);
      floorRequests.floor += counter.requests - before;
      before = counter.requests;

      // The shell's own pattern per event: read, replace (state + outbox), history batch, replace (outbox done).
      started = performance.now();
      const again = await container.item(floorId, floorId).read();
      const saved = await container.item(floorId, floorId).replace(floorDocument, { accessCondition: { type: 'IfMatch', condition: again.etag } });
      const operations: OperationInput[] = Array.from({ length: historyItemsPerEvent }, (_, index) => ({
        operationType: 'Upsert',
        partitionKey: floorId,
        resourceBody: { ...historyTemplate, id: `${floorId}:${floorRound}:${index}`, index },
      }));
      await container.items.batch(operations, floorId);
      await container.item(floorId, floorId).replace(floorDocument, { accessCondition: { type: 'IfMatch', condition: saved.etag } });
      pattern.push(performance.now() - started);
      floorRequests.pattern += counter.requests - before;
    }
  };
  await measureFloor(20);
  floor.length = 0;
  pattern.length = 0;
  floorRequests.floor = 0;
  floorRequests.pattern = 0;
  const floorPerCall = Math.max(1, Math.ceil(floorIterations / (2 * callsPerKind)));
  samples.length = 0;
  tokens.length = 0;
  const results = { selfService: [] as Awaited<ReturnType<typeof placeCall>>[], escalated: [] as Awaited<ReturnType<typeof placeCall>>[] };
  for (let i = 0; i < callsPerKind; i++) {
    results.selfService.push(await placeCall('selfService'));
    await measureFloor(floorPerCall);
    results.escalated.push(await placeCall('escalated'));
    await measureFloor(floorPerCall);
  }
  const all = [...results.selfService, ...results.escalated];
  const events = all.reduce((n, c) => n + c.events, 0);
  const callbackSamples = all.flatMap((c) => c.callbacks);
  const eventsPerCallback = callbackSamples.reduce((n, s) => n + s.events, 0) / callbackSamples.length;
  // Per event: an invocation can apply more than its own event (a self-service action's result,
  // "routing unavailable"), so its time is spread over the events it applied.
  const perEvent = callbackSamples.flatMap((s) => (s.events > 0 ? Array.from({ length: s.events }, () => s.inMs / s.events) : []));
  const perEventWithoutAcs = callbackSamples.flatMap((s) => (s.events > 0 ? Array.from({ length: s.events }, () => (s.inMs - s.acsInMs) / s.events) : []));
  const totalCallbackInMs = callbackSamples.reduce((a, s) => a + s.inMs, 0);
  const cosmosShare = callbackSamples.reduce((a, s) => a + s.cosmosInMs, 0) / totalCallbackInMs;
  const acsShare = callbackSamples.reduce((a, s) => a + s.acsInMs, 0) / totalCallbackInMs;
  const callbackEvents = callbackSamples.reduce((n, s) => n + s.events, 0);
  const cosmosRequestsPerEvent = callbackSamples.reduce((a, s) => a + s.cosmosRequests, 0) / callbackEvents;

  // JWT verification on its own, over the tokens the callbacks carried (keys fetched once, cached).
  const verify = createCallbackVerifier({ issuer: stack.settings.ACS_CALLBACK_ISSUER, audience: stack.settings.ACS_CALLBACK_AUDIENCE, jwksUrl: stack.settings.ACS_CALLBACK_JWKS_URL });
  await verify(tokens[0]);
  const verifyStarted = performance.now();
  for (const token of tokens) await verify(token);
  const jwtVerifyInMs = (performance.now() - verifyStarted) / Math.max(1, tokens.length);

  const floorRequestsPerIteration = floorRequests.floor / floor.length;
  const patternRequestsPerIteration = floorRequests.pattern / pattern.length;

  const perCall = (list: typeof results.selfService) => ({
    cosmosRequests: mean(list.map((c) => c.requests)),
    requestCharge: mean(list.map((c) => c.requestCharge)),
    callbacks: mean(list.map((c) => c.callbacks.length)),
    events: mean(list.map((c) => c.events)),
    historyItems: mean(list.map((c) => c.historyItems)),
  });
  const report = {
    bench: 'callbacks',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg()[0] },
    settings: { callsPerKind, warmupCalls, floorIterations, jwtVerify: 'included in the per-event figure' },
    perEvent: {
      p50InMs: percentile(perEvent, 50),
      meanInMs: mean(perEvent),
      p95InMs: percentile(perEvent, 95),
      withoutAcsCommandsP50InMs: percentile(perEventWithoutAcs, 50),
      withoutAcsCommandsMeanInMs: mean(perEventWithoutAcs),
      cosmosShare,
      acsShare,
      cosmosRequests: cosmosRequestsPerEvent,
      jwtVerifyInMs,
      eventsPerCallback,
      maxCallbacksInFlight: maxInFlight,
      eventsPerInvocation: Object.fromEntries([...new Set(callbackSamples.map((x) => x.events))].sort().map((n) => [n, callbackSamples.filter((x) => x.events === n).length])),
    },
    floor: { documentBytes: warm.documentBytes, iterations: floor.length, p50InMs: percentile(floor, 50), meanInMs: mean(floor), requestsPerIteration: floorRequestsPerIteration },
    shellCosmosPattern: { historyItemsPerEvent, requestsPerIteration: patternRequestsPerIteration, p50InMs: percentile(pattern, 50), meanInMs: mean(pattern) },
    ratio: {
      p50: percentile(perEvent, 50) / percentile(floor, 50),
      mean: mean(perEvent) / mean(floor),
      goal: 1.2,
      withoutAcsCommandsP50: percentile(perEventWithoutAcs, 50) / percentile(floor, 50),
      overOwnCosmosPatternP50: percentile(perEvent, 50) / percentile(pattern, 50),
      overOwnCosmosPatternMean: mean(perEvent) / mean(pattern),
    },
    perCall: { selfService: perCall(results.selfService), escalated: perCall(results.escalated) },
  };

  const rows: [string, string][] = [
    ['shell per event, JWT verify included (p50 / mean / p95)', `${ms(report.perEvent.p50InMs)} / ${ms(report.perEvent.meanInMs)} / ${ms(report.perEvent.p95InMs)}`],
    ['  time in Cosmos (store calls) / in ACS commands', `${(cosmosShare * 100).toFixed(0)} % / ${(acsShare * 100).toFixed(0)} %`],
    ['  Cosmos requests per event', cosmosRequestsPerEvent.toFixed(2)],
    ['  JWT verify alone (cached JWKS)', ms(jwtVerifyInMs)],
    [`Cosmos floor: point read + 1 replace, ${warm.documentBytes} B doc (p50 / mean)`, `${ms(report.floor.p50InMs)} / ${ms(report.floor.meanInMs)}`],
    ['ratio shell / floor (p50 / mean; goal <= 1.2x)', `${report.ratio.p50.toFixed(2)}x / ${report.ratio.mean.toFixed(2)}x`],
    ['shell per event without its ACS command time (p50) / ratio to floor', `${ms(report.perEvent.withoutAcsCommandsP50InMs)} / ${report.ratio.withoutAcsCommandsP50.toFixed(2)}x`],
    [`shell's own Cosmos pattern: read + replace + batch(${historyItemsPerEvent}) + replace (p50 / mean)`, `${ms(report.shellCosmosPattern.p50InMs)} / ${ms(report.shellCosmosPattern.meanInMs)}`],
    ['ratio shell / own Cosmos pattern (p50 / mean)', `${report.ratio.overOwnCosmosPatternP50.toFixed(2)}x / ${report.ratio.overOwnCosmosPatternMean.toFixed(2)}x`],
    ['self-service call: Cosmos requests / callbacks / events', `${report.perCall.selfService.cosmosRequests.toFixed(1)} / ${report.perCall.selfService.callbacks.toFixed(1)} / ${report.perCall.selfService.events.toFixed(1)}`],
    ['escalated call: Cosmos requests / callbacks / events', `${report.perCall.escalated.cosmosRequests.toFixed(1)} / ${report.perCall.escalated.callbacks.toFixed(1)} / ${report.perCall.escalated.events.toFixed(1)}`],
    ['request charge per call, self-service / escalated (emulator: flat 1 RU per request)', `${report.perCall.selfService.requestCharge.toFixed(0)} / ${report.perCall.escalated.requestCharge.toFixed(0)} RU`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `callbacks: ${callsPerKind} self-service + ${callsPerKind} escalated calls (after ${warmupCalls} of each to warm up), ` +
      `${report.machine.cpus} CPUs (load ${loadAtStart?.toFixed(1)} -> ${report.machine.loadAverageAtEnd?.toFixed(1)}), everything in one process`,
  );
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  if (maxInFlight > 1) console.log(`  note: up to ${maxInFlight} callbacks were handled at once; per-callback splits overlap`);

  const folder = join(here, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `callbacks-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`  results: ${file}`);

  client.dispose();
  await host.close();
  await stack.close();
}
