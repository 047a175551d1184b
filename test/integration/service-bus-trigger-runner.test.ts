// Service Bus-triggered functions run with the Functions host's semantics against the local
// Service Bus, through the real @azure/service-bus client.
import type { InvocationContext } from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import { pino } from 'pino';
import {
  startServiceBusEmulator,
  type ServiceBusEmulator,
  type ServiceBusEmulatorEvent,
} from '../../local/service-bus/service-bus-emulator.js';
import {
  createServiceBusTriggerRunner,
  type ServiceBusTriggerFunction,
  type ServiceBusTriggerRunner,
} from '../../local/service-bus/service-bus-trigger-runner.js';

const logger = pino({ level: 'silent' });
const queues = [
  { name: 'work', maxDeliveryCount: 2 },
  { name: 'routing', requiresSession: true, maxDeliveryCount: 3 },
  { name: 'idle-sessions', requiresSession: true },
];
const retryOptions = { timeoutInMs: 1_000, maxRetries: 1, retryDelayInMs: 50 };

interface Invocation {
  readonly functionName: string;
  readonly body: unknown;
  readonly metadata: Record<string, unknown>;
}

let emulator: ServiceBusEmulator;
let client: ServiceBusClient;
let runner: ServiceBusTriggerRunner;
const invocations: Invocation[] = [];
/** Per message key, how many invocations still throw before one succeeds (Infinity: always). */
const failuresLeft = new Map<string, number>();
/** Session ids whose first invocation waits until every id in the set has started one. */
let rendezvous: { readonly sessions: Set<string>; readonly started: Set<string>; release: () => void; readonly all: Promise<void> } | undefined;

function record(functionName: string) {
  return async (body: unknown, context: InvocationContext): Promise<void> => {
    invocations.push({ functionName, body, metadata: context.triggerMetadata ?? {} });
    const key = (body as { key?: string }).key ?? '';
    const sessionId = context.triggerMetadata?.['sessionId'] as string | undefined;
    if (rendezvous !== undefined && sessionId !== undefined && rendezvous.sessions.has(sessionId)) {
      rendezvous.started.add(sessionId);
      if (rendezvous.started.size === rendezvous.sessions.size) rendezvous.release();
      await rendezvous.all;
    }
    const left = failuresLeft.get(key) ?? 0;
    if (left > 0) {
      failuresLeft.set(key, left - 1);
      throw new Error(`handler failure for ${key}`);
    }
  };
}

const functions: ServiceBusTriggerFunction[] = [
  { name: 'process-work', queueName: 'work', handler: record('process-work') },
  { name: 'route', queueName: 'routing', isSessionsEnabled: true, handler: record('route') },
];

function startRunner(connectionString: string): ServiceBusTriggerRunner {
  return createServiceBusTriggerRunner({
    connectionString,
    functions,
    maxConcurrentSessions: 2,
    sessionIdleTimeoutInMs: 200,
    retryOptions,
    errorBackoffInMs: 50,
    logger,
  });
}

beforeAll(async () => {
  emulator = await startServiceBusEmulator({ queues, logger });
  client = new ServiceBusClient(emulator.connectionString, { retryOptions });
  runner = startRunner(emulator.connectionString);
  await runner.start();
});

afterAll(async () => {
  await runner.close();
  await client.close();
  await emulator.close();
});

/** Resolves after `count` events of `type` on `entity`, counted from now. */
function events(target: ServiceBusEmulator, type: ServiceBusEmulatorEvent['type'], entity: string, count = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = target.onEvent((e) => {
      if (e.type === type && e.entity === entity && ++seen === count) {
        stop();
        resolve();
      }
    });
  });
}

const invocationsOf = (key: string) => invocations.filter((i) => (i.body as { key?: string }).key === key);

describe('Service Bus trigger runner', () => {
  it('invokes the function with the parsed body and the host trigger metadata, then completes', async () => {
    const completed = events(emulator, 'messageCompleted', 'work');
    await client.createSender('work').sendMessages({
      body: { key: 'ok-1', callId: 'c1' },
      messageId: 'm-ok-1',
      applicationProperties: { kind: 'CallQueued' },
    });
    await completed;
    const [invocation] = invocationsOf('ok-1');
    expect(invocation).toMatchObject({
      functionName: 'process-work',
      body: { key: 'ok-1', callId: 'c1' },
      metadata: { messageId: 'm-ok-1', deliveryCount: 1, applicationProperties: { kind: 'CallQueued' } },
    });
    expect(typeof invocation!.metadata['enqueuedTimeUtc']).toBe('string');
    expect(emulator.counts('work')!.queue).toMatchObject({ active: 0, locked: 0 });
  });

  it('abandons when the function throws, and the next delivery succeeds', async () => {
    failuresLeft.set('flaky', 1);
    const abandoned = events(emulator, 'messageAbandoned', 'work');
    const completed = events(emulator, 'messageCompleted', 'work');
    await client.createSender('work').sendMessages({ body: { key: 'flaky' } });
    await abandoned;
    await completed;
    expect(invocationsOf('flaky').map((i) => i.metadata['deliveryCount'])).toEqual([1, 2]);
  });

  it('dead-letters a message that fails maxDeliveryCount times', async () => {
    failuresLeft.set('poison', Infinity);
    const deadLettered = events(emulator, 'messageDeadLettered', 'work');
    await client.createSender('work').sendMessages({ body: { key: 'poison' } });
    await deadLettered;
    expect(invocationsOf('poison')).toHaveLength(2);
    const deadLetters = client.createReceiver('work', { subQueueType: 'deadLetter' });
    const [dead] = await deadLetters.peekMessages(1);
    expect(dead).toMatchObject({ body: { key: 'poison' }, deadLetterReason: 'MaxDeliveryCountExceeded' });
    await deadLetters.close();
  });

  it('processes two sessions in parallel, each in order, retrying a failure in place', async () => {
    let release: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (release = resolve));
    // Each session's first invocation waits for the other's: only parallel processing gets past it.
    rendezvous = { sessions: new Set(['queue-a', 'queue-b']), started: new Set(), release, all };
    failuresLeft.set('queue-a-2', 1);
    const completed = events(emulator, 'messageCompleted', 'routing', 8);
    const messages = [1, 2, 3, 4].flatMap((n) => [
      { body: { key: `queue-a-${n}` }, sessionId: 'queue-a' },
      { body: { key: `queue-b-${n}` }, sessionId: 'queue-b' },
    ]);
    await client.createSender('routing').sendMessages(messages);
    await completed;
    rendezvous = undefined;
    const keysOf = (sessionId: string) =>
      invocations.filter((i) => i.metadata['sessionId'] === sessionId).map((i) => (i.body as { key: string }).key);
    expect(keysOf('queue-a')).toEqual(['queue-a-1', 'queue-a-2', 'queue-a-2', 'queue-a-3', 'queue-a-4']);
    expect(keysOf('queue-b')).toEqual(['queue-b-1', 'queue-b-2', 'queue-b-3', 'queue-b-4']);
  });

  it('closes promptly while its session slots wait for a session', async () => {
    const waiting = events(emulator, 'sessionAcceptWaiting', 'idle-sessions');
    const idle = createServiceBusTriggerRunner({
      connectionString: emulator.connectionString,
      functions: [{ name: 'idle', queueName: 'idle-sessions', isSessionsEnabled: true, handler: record('idle') }],
      maxConcurrentSessions: 1,
      // The broker holds an accept-next-session this long; close() must not wait it out.
      retryOptions: { timeoutInMs: 60_000, maxRetries: 0 },
      logger,
    });
    await idle.start();
    await waiting;
    await idle.close();
    expect(invocations.filter((i) => i.functionName === 'idle')).toEqual([]);
  });

  it('keeps running across a restart of the namespace', async () => {
    await emulator.close();
    emulator = await startServiceBusEmulator({ queues, logger, port: emulator.port, state: emulator.state });
    const sender = new ServiceBusClient(emulator.connectionString, { retryOptions });
    try {
      const done = Promise.all([events(emulator, 'messageCompleted', 'work'), events(emulator, 'messageCompleted', 'routing')]);
      await sender.createSender('work').sendMessages({ body: { key: 'after-restart-work' } });
      await sender.createSender('routing').sendMessages({ body: { key: 'after-restart-session' }, sessionId: 'queue-c' });
      await done;
      expect(invocationsOf('after-restart-work')).toHaveLength(1);
      expect(invocationsOf('after-restart-session')).toHaveLength(1);
    } finally {
      await sender.close();
    }
  });
});
