// `npm run bench -- callbacks [--calls N] [--floor N] [--warmup N]`: what handling one Call
// Automation callback event costs in the full shell (JWT verify included: parse, load, decide,
// save, execute against the emulators; the outbox clear rides on the call's next save), next to the Cosmos floor the issue names, measured in
// the same run through the same CosmosClient: a point read + one transactional batch (a call
// document of the same size, replaced under its ETag, plus the history items of one event). Also
// the floor again at the callbacks' own cadence (after the same idle gaps), and the reaction a
// caller waits for (callback in -> first command out). Also
// the Cosmos requests a typical self-service call and an escalated call make. The local Azure runs
// in child processes (local/local-azure-process.ts; Cosmos alone in one), the app and the timing in
// this one.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CosmosClient, type Container, type OperationInput } from '@azure/cosmos';
import { pino } from 'pino';
import { AcsCallControl } from '../bot/adapters/acs-call-control.js';
import { createCallbackVerifier } from '../bot/adapters/acs-callback-auth.js';
import { CosmosCallStore } from '../bot/adapters/cosmos-call-store.js';
import type { HistoryEntry } from '../bot/call-flow/call-state.js';
import { callIdFor } from '../bot/handle-incoming-call.js';
import type { AgentCallControl, CallControl, CallRecord, CallStore, MediaCommand, StoredHistoryItem } from '../bot/ports.js';
import type { CallerStep } from '../local/acs/simulated-caller.js';
import { SettableClock } from '../local/host/settable-clock.js';
import { httpFlowTestTarget } from '../local/flow-test/flow-test-target.js';
import { startLocalApp } from '../local/local-stack.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Time spent in a port, so an event's cost can be split into Cosmos, ACS and the rest. */
class Stopwatch {
  inMs = 0;

  async time<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.inMs += performance.now() - started;
    }
  }
}

/** The app's call store, timed; its Cosmos container is set once the stack is up. */
class TimedCallStore implements CallStore {
  inner: CallStore | undefined;
  /** Events applied: saves that move a call to a new step. */
  stepsSaved = 0;
  /** Outbox entries removed by a write of their own rather than by the call's next save. */
  clearsAlone = 0;
  private readonly lastStep = new Map<string, number>();

  constructor(private readonly watch: Stopwatch) {}
  private get target(): CallStore {
    if (!this.inner) throw new Error('the bench store is not connected yet');
    return this.inner;
  }
  createCall(record: CallRecord, history?: readonly StoredHistoryItem[]) { return this.watch.time(() => this.target.createCall(record, history)); }
  getCall(callId: string) { return this.watch.time(() => this.target.getCall(callId)); }
  async replaceCall(record: CallRecord, etag: string, history?: readonly StoredHistoryItem[]) {
    const etagAfter = await this.watch.time(() => this.target.replaceCall(record, etag, history));
    // A save that moves the call to a new step applied an event; clearing an outbox entry does not.
    const callId = record.state.callId;
    if (record.step > (this.lastStep.get(callId) ?? 0)) {
      this.lastStep.set(callId, record.step);
      this.stepsSaved++;
    } else {
      this.clearsAlone++;
    }
    return etagAfter;
  }
  upsertHistory(items: readonly StoredHistoryItem[]) { return this.watch.time(() => this.target.upsertHistory(items)); }
  listHistory(callId: string) { return this.watch.time(() => this.target.listHistory(callId)); }
  listCallsWithOutboxBefore(before: string, limit: number) { return this.target.listCallsWithOutboxBefore(before, limit); }
  listCallsFromCaller(callerRawId: string) { return this.target.listCallsFromCaller(callerRawId); }
  findCallByCallbackCorrelationId(correlationId: string) { return this.target.findCallByCallbackCorrelationId(correlationId); }
}

/** The app's Call Automation client, timed; connected once the emulator's key is known. */
class TimedCallControl implements CallControl, AgentCallControl {
  inner: (CallControl & AgentCallControl) | undefined;
  /** Called as each command leaves for Call Automation: the moment a caller's call reacts. */
  onCommand: () => void = () => {};

  constructor(private readonly watch: Stopwatch) {}
  private get target(): CallControl & AgentCallControl {
    if (!this.inner) throw new Error('the bench call control is not connected yet');
    this.onCommand();
    return this.inner;
  }
  answerCall(options: Parameters<CallControl['answerCall']>[0]) { return this.watch.time(() => this.target.answerCall(options)); }
  rejectCall(options: Parameters<CallControl['rejectCall']>[0]) { return this.watch.time(() => this.target.rejectCall(options)); }
  execute(id: string, command: MediaCommand, context: Parameters<CallControl['execute']>[2]) { return this.watch.time(() => this.target.execute(id, command, context)); }
  startRecording(options: Parameters<CallControl['startRecording']>[0]) { return this.watch.time(() => this.target.startRecording(options)); }
  stopRecording(recordingId: string) { return this.watch.time(() => this.target.stopRecording(recordingId)); }
  createCall(options: Parameters<CallControl['createCall']>[0]) { return this.watch.time(() => this.target.createCall(options)); }
  addTeamsUser(options: Parameters<AgentCallControl['addTeamsUser']>[0]) { return this.watch.time(() => this.target.addTeamsUser(options)); }
  removeTeamsUser(options: Parameters<AgentCallControl['removeTeamsUser']>[0]) { return this.watch.time(() => this.target.removeTeamsUser(options)); }
}

interface CallbackSample {
  readonly inMs: number;
  readonly events: number;
  readonly cosmosInMs: number;
  readonly cosmosRequests: number;
  readonly acsInMs: number;
  /** Another callback was being handled at the same time (its splits overlap). */
  readonly overlapped: boolean;
  /** performance.now() when the handler started and ended (app samples only). */
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** From the handler's start to its first Call Automation command (app samples only). */
  readonly reactionInMs?: number;
}

/**
 * Watches every HTTP server in this process through node:diagnostics_channel: counts the requests
 * the Cosmos emulator answers (every client of the app: call store, routing store) with the
 * request charge it reports, and times the callbacks the Functions host serves.
 */
class ServerWatch {
  cosmosRequests = 0;
  cosmosRequestCharge = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Callbacks timed at the Functions host's HTTP server: the host's own work included. */
  readonly samples: CallbackSample[] = [];
  /** The same callbacks timed at the app's entry point (`callEvents`), as a function's handler sees them. */
  readonly appSamples: CallbackSample[] = [];
  readonly tokens: string[] = [];
  private readonly open = new WeakMap<ServerResponse, () => CallbackSample>();

  /** Starts a sample; the function it returns ends it. */
  begin(): () => CallbackSample {
    const at = performance.now();
    const cosmosInMs = this.cosmos.inMs;
    const cosmosRequests = this.cosmosRequests;
    const acsInMs = this.acs.inMs;
    const steps = this.store.stepsSaved;
    const overlapped = this.inFlight > 1;
    return () => ({
      inMs: performance.now() - at,
      events: this.store.stepsSaved - steps,
      cosmosInMs: this.cosmos.inMs - cosmosInMs,
      cosmosRequests: this.cosmosRequests - cosmosRequests,
      acsInMs: this.acs.inMs - acsInMs,
      overlapped: overlapped || this.inFlight > 1,
    });
  }

  // Cosmos runs in the other process: its requests are counted as this process sends them.
  private readonly onClientRequest = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (String(request.getHeader('host') ?? '').endsWith(`:${this.ports.cosmos}`)) this.cosmosRequests++;
  };
  private readonly onClientResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (!String(request.getHeader('host') ?? '').endsWith(`:${this.ports.cosmos}`)) return;
    this.cosmosRequestCharge += Number(response.headers['x-ms-request-charge'] ?? 0);
  };
  private readonly onStart = (message: unknown) => {
    const { server, request, response } = message as { server: Server; request: IncomingMessage; response: ServerResponse };
    const port = (server.address() as AddressInfo | null)?.port;
    if (port !== this.ports.functions || request.method !== 'POST' || !/^\/api\/calls\/[^/]+\/events/.test(request.url ?? '')) return;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (request.headers.authorization) this.tokens.push(request.headers.authorization);
    this.open.set(response, this.begin());
  };
  private readonly onFinish = (message: unknown) => {
    const { response } = message as { server: Server; response: ServerResponse };
    const end = this.open.get(response);
    if (!end) return;
    this.open.delete(response);
    this.samples.push(end());
    this.inFlight--;
  };

  constructor(
    private readonly ports: { cosmos: number; functions: number },
    private readonly store: TimedCallStore,
    private readonly cosmos: Stopwatch,
    private readonly acs: Stopwatch,
  ) {
    subscribe('http.client.request.start', this.onClientRequest);
    subscribe('http.client.response.finish', this.onClientResponse);
    subscribe('http.server.request.start', this.onStart);
    subscribe('http.server.response.finish', this.onFinish);
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onClientRequest);
    unsubscribe('http.client.response.finish', this.onClientResponse);
    unsubscribe('http.server.request.start', this.onStart);
    unsubscribe('http.server.response.finish', this.onFinish);
  }
}

// A self-service call that runs an action, and a call escalated through routing (Service Bus,
// route function, queue and agent documents); the bench's stack signs in no agents, so the
// routing decision is the queue's overflow.
const calls: Record<'selfService' | 'escalated', { readonly script: CallerStep[]; readonly check: (entries: HistoryEntry[], state: { endReason?: string }) => boolean }> = {
  selfService: {
    script: [{ press: '1' }, { say: 'where is my order' }, { press: '12345678' }, { say: 'yes' }, { say: 'no thanks' }],
    check: (entries, state) => state.endReason === 'completed' && entries.some((e) => e.kind === 'actionResult' && e.status === 'succeeded'),
  },
  escalated: {
    script: [{ press: '1' }, { say: 'I want to pay my bill' }],
    check: (entries) => entries.some((e) => e.kind === 'command' && e.command.kind === 'RequestRouting') && entries.some((e) => e.kind === 'callEnded'),
  },
};

/** `local/local-azure-process.ts` in a child process; resolves once it prints its settings. */
async function startLocalAzureProcess(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'local', 'local-azure-process.ts'), '--state-folder', mkdtempSync(join(tmpdir(), 'sb-bench-')), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error('the local Azure process exited before it started'); })])) as [string];
  const started = JSON.parse(first) as { environment: Record<string, string>; urls: Record<string, string> };
  return {
    ...started,
    close: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

async function simulator<T = unknown>(urls: Readonly<Record<string, string>>, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${urls['simulator']}/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const ms = (value: number) => `${value.toFixed(2)} ms`;

export default async function callbacks(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { calls: { type: 'string' }, floor: { type: 'string' }, warmup: { type: 'string' } } });
  const callsPerKind = Number(values.calls ?? 15);
  const floorIterations = Number(values.floor ?? 300);
  const warmupCalls = Number(values.warmup ?? 3);
  const loadAtStart = loadavg()[0] ?? NaN;

  const cosmosWatch = new Stopwatch();
  const acsWatch = new Stopwatch();
  const store = new TimedCallStore(cosmosWatch);
  const control = new TimedCallControl(acsWatch);
  // The local Azure runs in a child process, as real Azure runs elsewhere: its CPU work (TLS,
  // signing callbacks, the in-memory database) does not land inside the handler being timed.
  const azure = await startLocalAzureProcess(['--call-timing', JSON.stringify({ playDurationPerCharacterInMs: 0.1, callerResponseDelayInMs: 25 })]);
  // Cosmos in a process of its own: beside Call Automation, a callback being signed delays its answers.
  const cosmos = await startLocalAzureProcess(['--cosmos-only']);
  // The sample config's queues keep business hours: the calls are placed on a Tuesday morning.
  const openHours = new SettableClock();
  openHours.set(new Date('2026-11-24T11:00:00-05:00'));
  const stack = await startLocalApp({
    clock: openHours,
    environment: { ...azure.environment, ...cosmos.environment },
    functionsPort: 0,
    logger: pino({ level: 'silent' }),
    overrides: { store, control },
  });
  await simulator(azure.urls, 'PUT', 'incoming-call-webhook', { url: stack.functionsHost.eventGridUrl('incoming-call') });
  const caller = httpFlowTestTarget({ simulator: azure.urls['simulator'] ?? '', functions: stack.functionsHost.baseUrl });
  const client = new CosmosClient({
    endpoint: stack.settings.COSMOS_ENDPOINT,
    key: stack.settings.COSMOS_KEY,
    agent: new Agent({ ca: readFileSync(stack.settings.COSMOS_CA_CERT_FILE ?? '', 'utf8'), keepAlive: true }),
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const container: Container = client.database(stack.settings.COSMOS_DATABASE).container('calls');
  store.inner = new CosmosCallStore(container, { retentionDays: stack.settings.HISTORY_RETENTION_DAYS });
  control.inner = new AcsCallControl({ connectionString: stack.settings.ACS_CONNECTION_STRING, maxRetries: 0 });
  const watch = new ServerWatch({ cosmos: Number(new URL(stack.settings.COSMOS_ENDPOINT).port), functions: stack.functionsHost.port }, store, cosmosWatch, acsWatch);
  // The app as the Functions host calls it: the handler's time, without the host's HTTP work.
  const callEvents = stack.switchboard.callEvents.bind(stack.switchboard);
  let handling: { readonly at: number; firstCommandAt?: number } | undefined;
  control.onCommand = () => {
    if (handling && handling.firstCommandAt === undefined) handling.firstCommandAt = performance.now();
  };
  Object.assign(stack.switchboard, {
    callEvents: async (request: Parameters<typeof callEvents>[0]) => {
      const end = watch.begin();
      const mark: { readonly at: number; firstCommandAt?: number } = { at: performance.now() };
      handling = mark;
      try {
        return await callEvents(request);
      } finally {
        const endedAt = performance.now();
        watch.appSamples.push({
          ...end(),
          startedAt: mark.at,
          endedAt,
          ...(mark.firstCommandAt === undefined ? {} : { reactionInMs: mark.firstCommandAt - mark.at }),
        });
        if (handling === mark) handling = undefined;
      }
    },
  });

  const placeCall = async (kind: keyof typeof calls) => {
    const startSample = watch.samples.length;
    const startAppSample = watch.appSamples.length;
    const startRequests = watch.cosmosRequests;
    const startClears = store.clearsAlone;
    const startCharge = watch.cosmosRequestCharge;
    const placed = await caller.placeCall({ from: '+14255550123', to: '+12125550100', script: calls[kind].script, whenScriptEnds: 'hangUp' });
    const conversation = await caller.waitForCallEnd(placed.simulatedCallId, 30_000);
    if (conversation.state !== 'ended') throw new Error(`The ${kind} call did not end within 30 s`);
    await simulator(azure.urls, 'GET', 'idle');
    const requests = watch.cosmosRequests - startRequests;
    const clearsAlone = store.clearsAlone - startClears;
    const requestCharge = watch.cosmosRequestCharge - startCharge;
    const callId = callIdFor(conversation.correlationId);
    const history = await new CosmosCallStore(container, { retentionDays: 1 }).listHistory(callId);
    const stored = await container.item(callId, callId).read<Record<string, unknown> & { state: { endReason?: string } }>();
    if (!stored.resource || !calls[kind].check(history.map((h) => h.entry), stored.resource.state)) {
      throw new Error(`The ${kind} call did not go as the bench expects (ended "${stored.resource?.state.endReason}"): it would measure the wrong flow.`);
    }
    return {
      callId,
      requests,
      clearsAlone,
      requestCharge,
      callbacks: watch.appSamples.slice(startAppSample),
      atHost: watch.samples.slice(startSample),
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

  // The floors, through the same CosmosClient as the app's call store, on a call document of the
  // same size with as many history items as the calls wrote per event. The issue's floor: a point
  // read, then one transactional batch (the document replaced under its ETag + the history items).
  // A stricter reference: a point read + one plain replace. Iterations are interleaved with the
  // calls so that both see the same load on the machine.
  const floorId = 'bench-floor';
  const floorDocument = { ...warm.document, id: floorId, callId: floorId, padding: '' };
  floorDocument.padding = 'x'.repeat(Math.max(0, warm.documentBytes - Buffer.byteLength(JSON.stringify(floorDocument))));
  await container.items.upsert(floorDocument);
  const historyItemsPerEvent = Math.max(1, Math.round(warm.historyItems / warm.events));
  const historyTemplate = { callId: floorId, type: 'history', step: 0, index: 0, at: new Date().toISOString(), entry: { kind: 'stageChanged', from: 'understanding', to: 'collectingSlot' } };
  const floor: number[] = [];
  const replaceFloor: number[] = [];
  const pattern: number[] = [];
  const floorRequests = { floor: 0, replaceFloor: 0, pattern: 0 };
  let floorRound = 0;
  const stepBatch = (etag: string | undefined): OperationInput[] => [
    { operationType: 'Replace', id: floorId, partitionKey: floorId, ifMatch: etag, resourceBody: floorDocument },
    ...Array.from({ length: historyItemsPerEvent }, (_, index): OperationInput => ({
      operationType: 'Upsert',
      partitionKey: floorId,
      resourceBody: { ...historyTemplate, id: `${floorId}:${floorRound}:${index}`, index },
    })),
  ];
  const timed = async (into: number[], key: keyof typeof floorRequests, work: () => Promise<unknown>) => {
    const before = watch.cosmosRequests;
    const started = performance.now();
    await work();
    into.push(performance.now() - started);
    floorRequests[key] += watch.cosmosRequests - before;
  };
  const measureFloor = async (iterations: number) => {
    for (let i = 0; i < iterations; i++) {
      floorRound++;
      await timed(floor, 'floor', async () => {
        const read = await container.item(floorId, floorId).read();
        await container.items.batch(stepBatch(read.etag), floorId);
      });
      await timed(replaceFloor, 'replaceFloor', async () => {
        const read = await container.item(floorId, floorId).read();
        await container.item(floorId, floorId).replace(floorDocument, { accessCondition: { type: 'IfMatch', condition: read.etag } });
      });
      // A step with commands that clears its outbox entry by a write of its own (at once when a
      // command failed or the caller has gone; otherwise the call's next save usually drops it):
      // the batch, then the replace.
      const { etag } = await container.item(floorId, floorId).read();
      await timed(pattern, 'pattern', async () => {
        const saved = await container.items.batch(stepBatch(etag), floorId);
        await container.item(floorId, floorId).replace(floorDocument, { accessCondition: { type: 'IfMatch', condition: saved.result?.[0]?.eTag ?? '' } });
      });
    }
  };
  await measureFloor(20);
  for (const list of [floor, replaceFloor, pattern]) list.length = 0;
  floorRequests.floor = 0;
  floorRequests.replaceFloor = 0;
  floorRequests.pattern = 0;
  const floorPerCall = Math.max(1, Math.ceil(floorIterations / (2 * callsPerKind)));
  // The same floor at the callbacks' own cadence: a callback comes after the process has idled
  // (the caller listening, the emulator playing), and a Cosmos request after an idle gap takes
  // longer than one sent straight after another. After each self-service call, its callbacks' idle
  // gaps are replayed, with a read + batch where each callback was handled.
  const cadenceFloor: number[] = [];
  const measureFloorAtCadence = async (samples: readonly CallbackSample[]) => {
    for (let i = 1; i < samples.length; i++) {
      const idle = (samples[i]?.startedAt ?? 0) - (samples[i - 1]?.endedAt ?? 0);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(idle, 1000))));
      floorRound++;
      const started = performance.now();
      const read = await container.item(floorId, floorId).read();
      await container.items.batch(stepBatch(read.etag), floorId);
      cadenceFloor.push(performance.now() - started);
    }
  };

  watch.samples.length = 0;
  watch.appSamples.length = 0;
  watch.tokens.length = 0;
  const results = { selfService: [] as Awaited<ReturnType<typeof placeCall>>[], escalated: [] as Awaited<ReturnType<typeof placeCall>>[] };
  for (let i = 0; i < callsPerKind; i++) {
    const selfService = await placeCall('selfService');
    results.selfService.push(selfService);
    await measureFloorAtCadence(selfService.callbacks);
    await measureFloor(floorPerCall);
    results.escalated.push(await placeCall('escalated'));
    await measureFloor(floorPerCall);
  }

  // Per event: an invocation can apply more than its own event (a self-service action's result),
  // so its time is spread over the events it applied. Self-service callbacks only: an escalated
  // call's callbacks can run beside the route function, which shares the machine and the stores.
  const perEventOf = (samples: readonly CallbackSample[], value: (s: CallbackSample) => number) =>
    samples.flatMap((s) => (s.events > 0 ? Array.from({ length: s.events }, () => value(s) / s.events) : []));
  const selfServiceCallbacks = results.selfService.flatMap((c) => c.callbacks);
  const escalatedCallbacks = results.escalated.flatMap((c) => c.callbacks);
  const perEvent = perEventOf(selfServiceCallbacks, (s) => s.inMs);
  const perEventAtHost = perEventOf(results.selfService.flatMap((c) => c.atHost), (s) => s.inMs);
  const perEventWithoutAcs = perEventOf(selfServiceCallbacks, (s) => s.inMs - s.acsInMs);
  // What a caller waits for: the callback's arrival at the handler until its step's first command
  // leaves for Call Automation (verify, parse, load, decide, save). One-event callbacks only: an
  // action's callback also waits for the action's backend.
  const reaction = selfServiceCallbacks.flatMap((s) => (s.events === 1 && s.reactionInMs !== undefined ? [s.reactionInMs] : []));
  const escalatedPerEvent = perEventOf(escalatedCallbacks, (s) => s.inMs);
  const callbackInMs = sum(selfServiceCallbacks.map((s) => s.inMs));
  const events = sum(selfServiceCallbacks.map((s) => s.events));

  // JWT verification on its own, over the tokens the callbacks carried (keys fetched once, cached).
  const verify = createCallbackVerifier({ issuer: stack.settings.ACS_CALLBACK_ISSUER, audience: stack.settings.ACS_CALLBACK_AUDIENCE, jwksUrl: stack.settings.ACS_CALLBACK_JWKS_URL });
  await verify(watch.tokens[0]);
  const verifyStarted = performance.now();
  for (const token of watch.tokens) await verify(token);
  const jwtVerifyInMs = (performance.now() - verifyStarted) / Math.max(1, watch.tokens.length);

  const perCall = (list: typeof results.selfService) => ({
    cosmosRequests: mean(list.map((c) => c.requests)),
    clearsAlone: mean(list.map((c) => c.clearsAlone)),
    requestCharge: mean(list.map((c) => c.requestCharge)),
    callbacks: mean(list.map((c) => c.callbacks.length)),
    events: mean(list.map((c) => c.events)),
    historyItems: mean(list.map((c) => c.historyItems)),
  });
  const report = {
    bench: 'callbacks',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg()[0] ?? NaN },
    settings: { callsPerKind, warmupCalls, floorIterations: floor.length, jwtVerify: 'included in the per-event figure' },
    perEvent: {
      p50InMs: percentile(perEvent, 50),
      meanInMs: mean(perEvent),
      p95InMs: percentile(perEvent, 95),
      atHostP50InMs: percentile(perEventAtHost, 50),
      atHostMeanInMs: mean(perEventAtHost),
      withoutAcsCommandsP50InMs: percentile(perEventWithoutAcs, 50),
      withoutAcsCommandsMeanInMs: mean(perEventWithoutAcs),
      cosmosShare: sum(selfServiceCallbacks.map((s) => s.cosmosInMs)) / callbackInMs,
      acsShare: sum(selfServiceCallbacks.map((s) => s.acsInMs)) / callbackInMs,
      cosmosRequests: sum(selfServiceCallbacks.map((s) => s.cosmosRequests)) / events,
      jwtVerifyInMs,
      eventsPerCallback: events / selfServiceCallbacks.length,
      overlappedCallbacks: selfServiceCallbacks.filter((s) => s.overlapped).length,
      escalatedCallsP50InMs: percentile(escalatedPerEvent, 50),
      escalatedCallsMeanInMs: mean(escalatedPerEvent),
    },
    floor: { documentBytes: warm.documentBytes, historyItemsPerEvent, p50InMs: percentile(floor, 50), meanInMs: mean(floor), requestsPerIteration: floorRequests.floor / floor.length },
    cadenceFloor: { p50InMs: percentile(cadenceFloor, 50), meanInMs: mean(cadenceFloor), samples: cadenceFloor.length },
    reaction: { p50InMs: percentile(reaction, 50), meanInMs: mean(reaction), p95InMs: percentile(reaction, 95), samples: reaction.length },
    replaceFloor: { p50InMs: percentile(replaceFloor, 50), meanInMs: mean(replaceFloor), requestsPerIteration: floorRequests.replaceFloor / replaceFloor.length },
    shellCosmosPattern: { requestsPerIteration: floorRequests.pattern / pattern.length, p50InMs: percentile(pattern, 50), meanInMs: mean(pattern) },
    ratio: {
      goal: 1.2,
      p50: percentile(perEvent, 50) / percentile(floor, 50),
      mean: mean(perEvent) / mean(floor),
      withoutAcsCommandsP50: percentile(perEventWithoutAcs, 50) / percentile(floor, 50),
      withoutAcsCommandsMean: mean(perEventWithoutAcs) / mean(floor),
      overCadenceFloorP50: percentile(perEvent, 50) / percentile(cadenceFloor, 50),
      overCadenceFloorMean: mean(perEvent) / mean(cadenceFloor),
      withoutAcsCommandsOverCadenceFloorP50: percentile(perEventWithoutAcs, 50) / percentile(cadenceFloor, 50),
      reactionOverCadenceFloorP50: percentile(reaction, 50) / percentile(cadenceFloor, 50),
      reactionOverCadenceFloorMean: mean(reaction) / mean(cadenceFloor),
      overReplaceFloorP50: percentile(perEvent, 50) / percentile(replaceFloor, 50),
      withoutAcsCommandsOverReplaceFloorP50: percentile(perEventWithoutAcs, 50) / percentile(replaceFloor, 50),
    },
    perCall: { selfService: perCall(results.selfService), escalated: perCall(results.escalated) },
  };

  const p = report.perEvent;
  const rows: [string, string][] = [
    ['shell per event at the handler, JWT verify included (p50 / mean / p95)', `${ms(p.p50InMs)} / ${ms(p.meanInMs)} / ${ms(p.p95InMs)}`],
    ['  at the local host\'s HTTP server, the host\'s work included (p50 / mean)', `${ms(p.atHostP50InMs)} / ${ms(p.atHostMeanInMs)}`],
    ['  time in Cosmos (call store) / in ACS commands', `${(p.cosmosShare * 100).toFixed(0)} % / ${(p.acsShare * 100).toFixed(0)} %`],
    ['  Cosmos requests per event', p.cosmosRequests.toFixed(2)],
    ['  JWT verify alone (cached JWKS)', ms(jwtVerifyInMs)],
    [`Cosmos floor: point read + batch(replace + ${historyItemsPerEvent} history), ${warm.documentBytes} B doc (p50 / mean)`, `${ms(report.floor.p50InMs)} / ${ms(report.floor.meanInMs)}`],
    ['ratio shell / floor (p50 / mean; goal <= 1.2x)', `${report.ratio.p50.toFixed(2)}x / ${report.ratio.mean.toFixed(2)}x`],
    ['the same floor at the callbacks\' cadence, after their idle gaps (p50 / mean)', `${ms(report.cadenceFloor.p50InMs)} / ${ms(report.cadenceFloor.meanInMs)}`],
    ['  ratio shell / cadence floor (p50 / mean)', `${report.ratio.overCadenceFloorP50.toFixed(2)}x / ${report.ratio.overCadenceFloorMean.toFixed(2)}x`],
    ['  without the ACS command time (p50)', `${report.ratio.withoutAcsCommandsOverCadenceFloorP50.toFixed(2)}x`],
    ['reaction: callback in -> first command out (verify, parse, load, decide, save; p50 / mean / p95)', `${ms(report.reaction.p50InMs)} / ${ms(report.reaction.meanInMs)} / ${ms(report.reaction.p95InMs)}`],
    ['  ratio reaction / cadence floor (p50 / mean)', `${report.ratio.reactionOverCadenceFloorP50.toFixed(2)}x / ${report.ratio.reactionOverCadenceFloorMean.toFixed(2)}x`],
    ['shell per event without its ACS command time (p50 / mean)', `${ms(p.withoutAcsCommandsP50InMs)} / ${ms(p.withoutAcsCommandsMeanInMs)}`],
    ['  ratio to floor (p50 / mean)', `${report.ratio.withoutAcsCommandsP50.toFixed(2)}x / ${report.ratio.withoutAcsCommandsMean.toFixed(2)}x`],
    ['stricter floor: point read + 1 plain replace (p50 / mean)', `${ms(report.replaceFloor.p50InMs)} / ${ms(report.replaceFloor.meanInMs)}`],
    ['  ratio shell / stricter floor, with / without ACS commands (p50)', `${report.ratio.overReplaceFloorP50.toFixed(2)}x / ${report.ratio.withoutAcsCommandsOverReplaceFloorP50.toFixed(2)}x`],
    ['a step whose entry is cleared by a write of its own: batch + replace (p50 / mean)', `${ms(report.shellCosmosPattern.p50InMs)} / ${ms(report.shellCosmosPattern.meanInMs)}`],
    ['escalated calls: shell per event (p50 / mean; route function running beside)', `${ms(p.escalatedCallsP50InMs)} / ${ms(p.escalatedCallsMeanInMs)}`],
    ['self-service call: Cosmos requests / callbacks / events / outbox clears written alone', `${report.perCall.selfService.cosmosRequests.toFixed(1)} / ${report.perCall.selfService.callbacks.toFixed(1)} / ${report.perCall.selfService.events.toFixed(1)} / ${report.perCall.selfService.clearsAlone.toFixed(1)}`],
    ['escalated call (routing included): Cosmos requests / callbacks / events / clears alone', `${report.perCall.escalated.cosmosRequests.toFixed(1)} / ${report.perCall.escalated.callbacks.toFixed(1)} / ${report.perCall.escalated.events.toFixed(1)} / ${report.perCall.escalated.clearsAlone.toFixed(1)}`],
    ['request charge per call, self-service / escalated (emulator: flat 1 RU a request)', `${report.perCall.selfService.requestCharge.toFixed(0)} / ${report.perCall.escalated.requestCharge.toFixed(0)} RU`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `callbacks: ${callsPerKind} self-service + ${callsPerKind} escalated calls (after ${warmupCalls} of each to warm up), ` +
      `${report.machine.cpus} CPUs (load ${loadAtStart.toFixed(1)} -> ${report.machine.loadAverageAtEnd.toFixed(1)}), local Azure in child processes`,
  );
  for (const [name, value] of rows) console.log(`  ${name.padEnd(width)}  ${value}`);
  if (p.overlappedCallbacks > 0) console.log(`  note: ${p.overlappedCallbacks} self-service callbacks overlapped another; their splits overlap`);

  const folder = join(here, 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `callbacks-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`  results: ${file}`);

  watch.close();
  client.dispose();
  await stack.close();
  await azure.close();
  await cosmos.close();
}
