// `npm run bench -- servicebus [--messages N] [--sessions S]`: messages per second through the
// Service Bus trigger runner against the local Service Bus, and send-to-handler latency (p50 / p99),
// next to a floor measured in the same run: the bare SDK `subscribe()` on the same emulator.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { pino } from 'pino';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../local/service-bus/service-bus-emulator.js';
import { createServiceBusTriggerRunner } from '../local/service-bus/service-bus-trigger-runner.js';

interface ScenarioResult {
  readonly scenario: string;
  readonly messages: number;
  readonly messagesPerSecond: number;
  readonly p50LatencyInMs: number;
  readonly p99LatencyInMs: number;
}

interface Scenario {
  readonly scenario: string;
  readonly queueName: string;
  readonly sessions: number;
  readonly messages: number;
  /** 'batches': send everything at once in batches of 100; 'one-by-one': send the next after the last was handled. */
  readonly sending: 'batches' | 'one-by-one';
  /** 'runner': the trigger runner; 'sdk': `receiver.subscribe()` completing each message, the floor. */
  readonly consumer: 'runner' | 'sdk';
}

const silent = pino({ level: 'silent' });

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : fallback;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(emulator: ServiceBusEmulator, scenario: Scenario): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let handled = 0;
  const waiters: Array<{ readonly count: number; readonly resolve: () => void }> = [];
  const handledAtLeast = (count: number) =>
    handled >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  const handler = async (body: unknown) => {
    latencies.push(performance.now() - (body as { sentAt: number }).sentAt);
    handled += 1;
    for (const waiter of [...waiters]) {
      if (handled < waiter.count) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const client = new ServiceBusClient(emulator.connectionString);
  let stopConsumer: () => Promise<void>;
  if (scenario.consumer === 'runner') {
    const runner = createServiceBusTriggerRunner({
      connectionString: emulator.connectionString,
      functions: [{ name: 'bench', queueName: scenario.queueName, isSessionsEnabled: scenario.sessions > 0, handler }],
      maxConcurrentSessions: Math.max(1, scenario.sessions),
      sessionIdleTimeoutInMs: 500,
      retryOptions: { timeoutInMs: 5_000, maxRetries: 1 },
      logger: silent,
    });
    await runner.start();
    stopConsumer = () => runner.close();
  } else {
    // The runner's own receive path minus the runner: own connection, same concurrency, explicit complete.
    const receiverClient = new ServiceBusClient(emulator.connectionString);
    const receiver = receiverClient.createReceiver(scenario.queueName);
    const subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          await handler(message.body);
          await receiver.completeMessage(message);
        },
        processError: async () => undefined,
      },
      { maxConcurrentCalls: 16, autoCompleteMessages: false },
    );
    stopConsumer = async () => {
      await subscription.close();
      await receiverClient.close();
    };
  }
  const sender = client.createSender(scenario.queueName);
  const messageOf = (i: number): ServiceBusMessage => ({
    body: { i, sentAt: performance.now() },
    ...(scenario.sessions > 0 ? { sessionId: `session-${i % scenario.sessions}` } : {}),
  });
  // Warm the links up so connection set-up is not measured.
  await sender.sendMessages(messageOf(-1));
  await handledAtLeast(1);
  latencies.length = 0;
  const base = handled;

  const started = performance.now();
  if (scenario.sending === 'batches') {
    for (let first = 0; first < scenario.messages; first += 100) {
      const batch = await sender.createMessageBatch();
      for (let i = first; i < Math.min(first + 100, scenario.messages); i += 1) batch.tryAddMessage(messageOf(i));
      await sender.sendMessages(batch);
    }
    await handledAtLeast(base + scenario.messages);
  } else {
    for (let i = 0; i < scenario.messages; i += 1) {
      await sender.sendMessages(messageOf(i));
      await handledAtLeast(base + i + 1);
    }
  }
  const elapsedInMs = performance.now() - started;
  await stopConsumer();
  await client.close();
  latencies.sort((a, b) => a - b);
  return {
    scenario: scenario.scenario,
    messages: scenario.messages,
    messagesPerSecond: Math.round((scenario.messages / elapsedInMs) * 1000),
    p50LatencyInMs: Number(percentile(latencies, 50).toFixed(2)),
    p99LatencyInMs: Number(percentile(latencies, 99).toFixed(2)),
  };
}

/** The run with the median throughput of `times` runs (load from other processes makes single runs noisy). */
async function medianOf(times: number, measure: () => Promise<ScenarioResult>): Promise<ScenarioResult> {
  const runs: ScenarioResult[] = [];
  for (let i = 0; i < times; i += 1) runs.push(await measure());
  runs.sort((a, b) => a.messagesPerSecond - b.messagesPerSecond);
  return runs[Math.floor(runs.length / 2)]!;
}

export default async function servicebus(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { messages: { type: 'string' }, sessions: { type: 'string' } }, strict: false });
  const messages = positive(values.messages as string | undefined, 3_000);
  const sessions = positive(values.sessions as string | undefined, 8);
  const oneByOne = Math.min(messages, 500);
  const emulator = await startServiceBusEmulator({
    queues: [{ name: 'bench-queue' }, { name: 'bench-sessions', requiresSession: true }],
    logger: silent,
  });
  const scenarios: Scenario[] = [
    { scenario: 'floor: SDK subscribe(), batches of 100', queueName: 'bench-queue', sessions: 0, messages, sending: 'batches', consumer: 'sdk' },
    { scenario: 'runner, queue, batches of 100', queueName: 'bench-queue', sessions: 0, messages, sending: 'batches', consumer: 'runner' },
    { scenario: `runner, ${sessions} sessions, batches of 100`, queueName: 'bench-sessions', sessions, messages, sending: 'batches', consumer: 'runner' },
    { scenario: 'runner, queue, one at a time', queueName: 'bench-queue', sessions: 0, messages: oneByOne, sending: 'one-by-one', consumer: 'runner' },
    { scenario: 'runner, 1 session, one at a time', queueName: 'bench-sessions', sessions: 1, messages: oneByOne, sending: 'one-by-one', consumer: 'runner' },
  ];
  const results: ScenarioResult[] = [];
  try {
    // Unrecorded passes first, so the JIT has warmed up for every recorded scenario alike.
    for (const scenario of scenarios.slice(0, 2)) await run(emulator, scenario);
    for (const scenario of scenarios) results.push(await medianOf(3, () => run(emulator, scenario)));
  } finally {
    await emulator.close();
  }
  console.table(results);
  const [floor, queue, sessionRun] = results;
  const ratio = (a: ScenarioResult | undefined, b: ScenarioResult | undefined) =>
    a === undefined || b === undefined ? undefined : Number((a.messagesPerSecond / b.messagesPerSecond).toFixed(2));
  const ratios = { runnerToFloorThroughput: ratio(queue, floor), sessionsToQueueThroughput: ratio(sessionRun, queue) };
  console.log(`throughput ratios: runner / bare SDK ${ratios.runnerToFloorThroughput}, sessions / queue ${ratios.sessionsToQueueThroughput}`);
  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `servicebus-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = { bench: 'servicebus', at: new Date().toISOString(), cpus: availableParallelism(), loadavg: loadavg(), node: process.version, results, ratios };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${file}`);
}
