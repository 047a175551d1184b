// The local Service Bus through the real @azure/service-bus client: every behaviour the bot and the
// Functions trigger semantics rely on, failure paths included.
import {
  ServiceBusClient,
  type ServiceBusClientOptions,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { pino } from 'pino';
import {
  AdjustableClock,
  startServiceBusEmulator,
  type QueueDefinition,
  type ServiceBusEmulator,
  type ServiceBusEmulatorEvent,
} from '../../local/service-bus/service-bus-emulator.js';

const lockDurationInMs = 30_000;
const queues: QueueDefinition[] = [
  'send',
  'batch',
  'receive-and-delete',
  'subscribe',
  'abandon',
  'dead-letter',
  'lock-expiry',
  'renew',
  'scheduled',
  'cancel',
  'peek',
  'defer',
  'restart',
  'restart-stream',
  'no-dedupe',
  'drain',
  'many',
  'credit',
].map((name) => ({ name, lockDurationInMs }));
queues.push(
  { name: 'max-delivery', lockDurationInMs, maxDeliveryCount: 3 },
  { name: 'routing', lockDurationInMs, requiresSession: true },
  { name: 'sessions-next', lockDurationInMs, requiresSession: true },
  { name: 'sessions-restart', lockDurationInMs, requiresSession: true },
  { name: 'dedupe', lockDurationInMs, requiresDuplicateDetection: true },
  { name: 'expiring', lockDurationInMs, deadLetteringOnMessageExpiration: true },
  { name: 'expiring-drop', lockDurationInMs },
);

// acceptNextSession waits out the client's operation timeout, whatever the call says: keep it low.
const clientOptions: ServiceBusClientOptions = { retryOptions: { timeoutInMs: 1_500, maxRetries: 1, retryDelayInMs: 50 } };

const logger = pino({ level: 'silent' });
let clock: AdjustableClock;
let emulator: ServiceBusEmulator;
let client: ServiceBusClient;

beforeAll(async () => {
  clock = new AdjustableClock();
  emulator = await startServiceBusEmulator({ queues, clock, logger });
  client = new ServiceBusClient(emulator.connectionString, clientOptions);
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

function counts(queue: string) {
  const result = emulator.counts(queue);
  if (result === undefined) throw new Error(`no queue ${queue}`);
  return result;
}

/** Receives exactly `count` messages (the client returns as soon as it has that many). */
async function receive(receiver: ServiceBusReceiver, count: number): Promise<ServiceBusReceivedMessage[]> {
  const received: ServiceBusReceivedMessage[] = [];
  while (received.length < count) {
    received.push(...(await receiver.receiveMessages(count - received.length, { maxWaitTimeInMs: 5_000 })));
  }
  return received;
}

function eventOf<T extends ServiceBusEmulatorEvent['type']>(type: T, entity: string) {
  return emulator.nextEvent(
    (e): e is Extract<ServiceBusEmulatorEvent, { type: T }> => e.type === type && e.entity === entity,
  );
}

describe('claims-based security and entities', () => {
  it('rejects a client whose shared access key is wrong (the SAS signature is checked)', async () => {
    const wrongKey = emulator.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=not-the-key');
    // UnauthorizedAccess is retryable in the SDK (keys may rotate); one attempt keeps the error plain.
    const intruder = new ServiceBusClient(wrongKey, { retryOptions: { timeoutInMs: 1_500, maxRetries: 0 } });
    try {
      await expect(intruder.createSender('send').sendMessages({ body: 'x' })).rejects.toMatchObject({
        code: 'UnauthorizedAccess',
      });
      expect(counts('send').queue.active).toBe(0);
    } finally {
      await intruder.close();
    }
  });

  it('refuses invalid queue definitions at start', async () => {
    await expect(startServiceBusEmulator({ queues: [{ name: 'calls' }, { name: 'Calls' }], logger })).rejects.toThrow(/unique/);
    await expect(startServiceBusEmulator({ queues: [{ name: 'calls', lockDurationInMs: 0 }], logger })).rejects.toThrow();
  });

  it('fails a send to an undeclared queue with MessagingEntityNotFound', async () => {
    await expect(client.createSender('no-such-queue').sendMessages({ body: 'x' })).rejects.toMatchObject({
      code: 'MessagingEntityNotFound',
    });
  });
});

describe('send and receive', () => {
  it('delivers a single message with its properties, a sequence number and a broker-assigned id', async () => {
    const sender = client.createSender('send');
    await sender.sendMessages({ body: { callId: 'c1' }, applicationProperties: { kind: 'CallQueued', schemaVersion: 1 }, subject: 's' });
    await sender.sendMessages({ body: 'no id given', messageId: undefined });
    const receiver = client.createReceiver('send');
    const [first, second] = await receive(receiver, 2);
    expect(first).toMatchObject({
      body: { callId: 'c1' },
      applicationProperties: { kind: 'CallQueued', schemaVersion: 1 },
      subject: 's',
      deliveryCount: 0,
    });
    expect(first!.sequenceNumber!.toNumber()).toBeLessThan(second!.sequenceNumber!.toNumber());
    expect(first!.enqueuedTimeUtc).toBeInstanceOf(Date);
    expect(first!.lockedUntilUtc!.getTime()).toBeGreaterThan(clock.now());
    expect(typeof second!.messageId).toBe('string');
    await receiver.completeMessage(first!);
    await receiver.completeMessage(second!);
    expect(counts('send').queue).toMatchObject({ active: 0, locked: 0 });
    await receiver.close();
  });

  it('delivers a batch in order', async () => {
    const sender = client.createSender('batch');
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 25; i += 1) expect(batch.tryAddMessage({ body: { i } })).toBe(true);
    await sender.sendMessages(batch);
    await sender.sendMessages([{ body: { i: 25 } }, { body: { i: 26 } }]);
    const receiver = client.createReceiver('batch');
    const received = await receive(receiver, 27);
    expect(received.map((m) => (m.body as { i: number }).i)).toEqual([...Array(27).keys()]);
    await Promise.all(received.map((m) => receiver.completeMessage(m)));
    expect(counts('batch').queue.active + counts('batch').queue.locked).toBe(0);
    await receiver.close();
  });

  it('answers drain: asked for more than there is, receiveMessages returns what there is on the same link', async () => {
    await client.createSender('drain').sendMessages([{ body: 1 }, { body: 2 }]);
    const detached: string[] = [];
    const stop = emulator.onEvent((e) => {
      if (e.type === 'receiverDetached' && e.entity === 'drain') detached.push(e.linkName);
    });
    const receiver = client.createReceiver('drain');
    // The SDK waits 1 s after the first message, then drains the 8 credits left.
    const received = await receiver.receiveMessages(10, { maxWaitTimeInMs: 4_000 });
    expect(received.map((m) => m.body)).toEqual([1, 2]);
    await Promise.all(received.map((m) => receiver.completeMessage(m)));
    expect(await receiver.receiveMessages(5, { maxWaitTimeInMs: 20 })).toEqual([]);
    // An unanswered drain makes the SDK close the link after its drain timeout.
    expect(detached).toEqual([]);
    stop();
    await receiver.close();
  });

  it('keeps one peek-lock link flowing past 2,048 settled deliveries', async () => {
    const total = 2_100;
    const sender = client.createSender('many');
    for (let first = 0; first < total; first += 300) {
      await sender.sendMessages(Array.from({ length: 300 }, (_, i) => ({ body: first + i })));
    }
    const allCompleted = new Promise<void>((resolve) => {
      let completed = 0;
      const stop = emulator.onEvent((e) => {
        if (e.type === 'messageCompleted' && e.entity === 'many' && ++completed === total) {
          stop();
          resolve();
        }
      });
    });
    const receiver = client.createReceiver('many');
    const subscription = receiver.subscribe(
      { processMessage: async () => undefined, processError: async () => undefined },
      { maxConcurrentCalls: 100 },
    );
    await allCompleted;
    expect(counts('many').queue).toMatchObject({ active: 0, locked: 0 });
    await subscription.close();
    await receiver.close();
  });

  it('sends a receiver no more messages than its credit', async () => {
    await client.createSender('credit').sendMessages([1, 2, 3, 4, 5].map((n) => ({ body: n })));
    const receiver = client.createReceiver('credit');
    const received = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    expect(received.map((m) => m.body)).toEqual([1]);
    expect(counts('credit').queue).toMatchObject({ active: 4, locked: 1 });
    await receiver.completeMessage(received[0]!);
    await receiver.close();
  });

  it('removes messages on receive in receiveAndDelete mode', async () => {
    await client.createSender('receive-and-delete').sendMessages([{ body: 1 }, { body: 2 }]);
    const receiver = client.createReceiver('receive-and-delete', { receiveMode: 'receiveAndDelete' });
    const received = await receive(receiver, 2);
    expect(received.map((m) => m.body)).toEqual([1, 2]);
    expect(received[0]!.lockToken).toBeUndefined();
    expect(counts('receive-and-delete').queue).toMatchObject({ active: 0, locked: 0 });
    await receiver.close();
  });

  it('streams messages to subscribe() and completes them', async () => {
    const receiver = client.createReceiver('subscribe');
    const bodies: unknown[] = [];
    const allCompleted = new Promise<void>((resolve) => {
      let completed = 0;
      const stop = emulator.onEvent((e) => {
        if (e.type === 'messageCompleted' && e.entity === 'subscribe' && ++completed === 3) {
          stop();
          resolve();
        }
      });
    });
    const subscription = receiver.subscribe({
      processMessage: async (m) => {
        bodies.push(m.body);
      },
      processError: async () => undefined,
    });
    await client.createSender('subscribe').sendMessages([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    await allCompleted;
    expect(bodies).toEqual(['a', 'b', 'c']);
    await subscription.close();
    await receiver.close();
  });
});

describe('settlement', () => {
  it('abandon returns the message with deliveryCount + 1 and the modified properties', async () => {
    await client.createSender('abandon').sendMessages({ body: 'retry me', applicationProperties: { attempt: 0 } });
    const receiver = client.createReceiver('abandon');
    const [first] = await receive(receiver, 1);
    await receiver.abandonMessage(first!, { attempt: 1, reason: 'busy' });
    const [again] = await receive(receiver, 1);
    expect(again).toMatchObject({ body: 'retry me', deliveryCount: 1, applicationProperties: { attempt: 1, reason: 'busy' } });
    expect(again!.sequenceNumber!.equals(first!.sequenceNumber!)).toBe(true);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('dead-letters with a reason and description, readable on the dead-letter queue', async () => {
    await client.createSender('dead-letter').sendMessages({ body: { callId: 'c9' }, messageId: 'm-dl' });
    const receiver = client.createReceiver('dead-letter');
    const [message] = await receive(receiver, 1);
    await receiver.deadLetterMessage(message!, { deadLetterReason: 'UnknownQueue', deadLetterErrorDescription: 'queue q7 is not configured' });
    expect(counts('dead-letter')).toMatchObject({ queue: { active: 0, locked: 0 }, deadLetterQueue: { active: 1 } });
    const deadLetters = client.createReceiver('dead-letter', { subQueueType: 'deadLetter' });
    const [dead] = await receive(deadLetters, 1);
    expect(dead).toMatchObject({
      body: { callId: 'c9' },
      messageId: 'm-dl',
      deadLetterReason: 'UnknownQueue',
      deadLetterErrorDescription: 'queue q7 is not configured',
    });
    await deadLetters.completeMessage(dead!);
    expect(counts('dead-letter').deadLetterQueue.active).toBe(0);
    await Promise.all([receiver.close(), deadLetters.close()]);
  });

  it('dead-letters automatically after maxDeliveryCount deliveries', async () => {
    await client.createSender('max-delivery').sendMessages({ body: 'poison' });
    const receiver = client.createReceiver('max-delivery');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const [message] = await receive(receiver, 1);
      expect(message!.deliveryCount).toBe(attempt);
      await receiver.abandonMessage(message!);
    }
    expect(counts('max-delivery')).toMatchObject({ queue: { active: 0, locked: 0 }, deadLetterQueue: { active: 1 } });
    const deadLetters = client.createReceiver('max-delivery', { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    const [dead] = await receive(deadLetters, 1);
    expect(dead).toMatchObject({ body: 'poison', deadLetterReason: 'MaxDeliveryCountExceeded' });
    await Promise.all([receiver.close(), deadLetters.close()]);
  });
});

describe('locks', () => {
  it('a complete after the lock expired fails with MessageLockLost and the message comes back', async () => {
    await client.createSender('lock-expiry').sendMessages({ body: 'slow' });
    const receiver = client.createReceiver('lock-expiry', { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receive(receiver, 1);
    clock.advanceBy(lockDurationInMs + 1);
    await expect(receiver.completeMessage(message!)).rejects.toMatchObject({ code: 'MessageLockLost' });
    const [again] = await receive(receiver, 1);
    expect(again).toMatchObject({ body: 'slow', deliveryCount: 1 });
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('renewMessageLock extends the lock past its first expiry', async () => {
    await client.createSender('renew').sendMessages({ body: 'long job' });
    const receiver = client.createReceiver('renew', { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receive(receiver, 1);
    const firstExpiry = message!.lockedUntilUtc!.getTime();
    clock.advanceBy(lockDurationInMs / 2);
    const renewed = await receiver.renewMessageLock(message!);
    expect(renewed.getTime()).toBeGreaterThan(firstExpiry);
    clock.advanceBy(lockDurationInMs / 2 + 1_000);
    await receiver.completeMessage(message!);
    expect(counts('renew').queue).toMatchObject({ active: 0, locked: 0 });
    await receiver.close();
  });
});

describe('automatic lock renewal (wall clock)', () => {
  const shortLockInMs = 1_200;
  let realTime: ServiceBusEmulator;
  let realTimeClient: ServiceBusClient;
  beforeAll(async () => {
    realTime = await startServiceBusEmulator({
      queues: [
        { name: 'auto-renew', lockDurationInMs: shortLockInMs },
        { name: 'auto-renew-session', lockDurationInMs: shortLockInMs, requiresSession: true },
      ],
      logger,
    });
    realTimeClient = new ServiceBusClient(realTime.connectionString, clientOptions);
  });
  afterAll(async () => {
    await realTimeClient.close();
    await realTime.close();
  });

  const renewals = (type: 'lockRenewed' | 'sessionLockRenewed', entity: string, count: number) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      const stop = realTime.onEvent((e) => {
        if (e.type === type && e.entity === entity && ++seen === count) {
          stop();
          resolve();
        }
      });
    });

  it('keeps a message locked while a subscribe handler outlives the lock duration', async () => {
    const completed = new Promise<void>((resolve) => {
      const stop = realTime.onEvent((e) => {
        if (e.type === 'messageCompleted' && e.entity === 'auto-renew') {
          stop();
          resolve();
        }
      });
    });
    const receiver = realTimeClient.createReceiver('auto-renew', { maxAutoLockRenewalDurationInMs: 30_000 });
    const errors: unknown[] = [];
    const subscription = receiver.subscribe({
      // Two renewals take longer than one lock duration: only renewal keeps the lock alive.
      processMessage: () => renewals('lockRenewed', 'auto-renew', 2),
      processError: async ({ error }) => {
        errors.push(error);
      },
    });
    await realTimeClient.createSender('auto-renew').sendMessages({ body: 'slow handler' });
    await completed;
    expect(errors).toEqual([]);
    expect(realTime.counts('auto-renew')!.queue).toMatchObject({ active: 0, locked: 0 });
    await subscription.close();
    await receiver.close();
  });

  it('keeps a session locked while its receiver is open', async () => {
    await realTimeClient.createSender('auto-renew-session').sendMessages({ body: 'in session', sessionId: 'q1' });
    const receiver = await realTimeClient.acceptSession('auto-renew-session', 'q1', { maxAutoLockRenewalDurationInMs: 30_000 });
    const [message] = await receive(receiver, 1);
    await renewals('sessionLockRenewed', 'auto-renew-session', 2);
    await receiver.completeMessage(message!);
    expect(realTime.counts('auto-renew-session')!.queue).toMatchObject({ active: 0, locked: 0 });
    await receiver.close();
  });
});

describe('scheduled, peeked and deferred messages', () => {
  it('holds scheduled messages (scheduleMessages and scheduledEnqueueTimeUtc) until their time, then appends them', async () => {
    const sender = client.createSender('scheduled');
    const at = new Date(clock.now() + 3_600_000);
    const [sequenceNumber] = await sender.scheduleMessages({ body: 'tick 1' }, at);
    await sender.sendMessages({ body: 'tick 2', scheduledEnqueueTimeUtc: at });
    expect(counts('scheduled').queue).toMatchObject({ scheduled: 2, active: 0 });
    const receiver = client.createReceiver('scheduled');
    const peeked = await receiver.peekMessages(5);
    expect(peeked.map((m) => m.state)).toEqual(['scheduled', 'scheduled']);
    expect(peeked[0]!.sequenceNumber!.equals(sequenceNumber!)).toBe(true);
    await sender.sendMessages({ body: 'sent meanwhile' });
    clock.advanceBy(3_600_000);
    const received = await receive(receiver, 3);
    // Enqueued at their time with new sequence numbers: after what was sent while they waited.
    expect(received.map((m) => m.body)).toEqual(['sent meanwhile', 'tick 1', 'tick 2']);
    expect(received[1]!.sequenceNumber!.greaterThan(sequenceNumber!)).toBe(true);
    expect(received[1]!.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
    await Promise.all(received.map((m) => receiver.completeMessage(m)));
    await receiver.close();
  });

  it('cancelScheduledMessages removes them before they are enqueued', async () => {
    const sender = client.createSender('cancel');
    const at = new Date(clock.now() + 60_000);
    const sequenceNumbers = await sender.scheduleMessages([{ body: 'offer timeout' }, { body: 'kept' }], at);
    await sender.cancelScheduledMessages(sequenceNumbers[0]!);
    expect(counts('cancel').queue.scheduled).toBe(1);
    clock.advanceBy(60_000);
    const receiver = client.createReceiver('cancel', { receiveMode: 'receiveAndDelete' });
    const [only] = await receive(receiver, 1);
    expect(only!.body).toBe('kept');
    expect(counts('cancel').queue).toMatchObject({ active: 0, scheduled: 0 });
    await receiver.close();
  });

  it('peekMessages reads in order without locking, continuing where it stopped', async () => {
    await client.createSender('peek').sendMessages([1, 2, 3].map((n) => ({ body: n })));
    const receiver = client.createReceiver('peek');
    const firstTwo = await receiver.peekMessages(2);
    expect(firstTwo.map((m) => m.body)).toEqual([1, 2]);
    expect((await receiver.peekMessages(2)).map((m) => m.body)).toEqual([3]);
    expect(await receiver.peekMessages(2)).toEqual([]);
    const fromSecond = await receiver.peekMessages(5, { fromSequenceNumber: firstTwo[1]!.sequenceNumber! });
    expect(fromSecond.map((m) => m.body)).toEqual([2, 3]);
    expect(counts('peek').queue).toMatchObject({ active: 3, locked: 0 });
    await receiver.close();
  });

  it('defers a message and receives it back by sequence number', async () => {
    await client.createSender('defer').sendMessages([{ body: 'later' }, { body: 'now' }]);
    const receiver = client.createReceiver('defer');
    const [later] = await receive(receiver, 1);
    await receiver.deferMessage(later!, { deferredAt: 'step-1' });
    expect(counts('defer').queue.deferred).toBe(1);
    const [now] = await receive(receiver, 1);
    expect(now!.body).toBe('now');
    await receiver.completeMessage(now!);
    const [deferred] = await receiver.receiveDeferredMessages(later!.sequenceNumber!);
    expect(deferred).toMatchObject({ body: 'later', state: 'deferred', applicationProperties: { deferredAt: 'step-1' } });
    await receiver.completeMessage(deferred!);
    expect(counts('defer').queue).toMatchObject({ active: 0, deferred: 0, locked: 0 });
    await expect(receiver.receiveDeferredMessages(later!.sequenceNumber!)).rejects.toMatchObject({ code: 'MessageNotFound' });
    await receiver.close();
  });
});

describe('sessions', () => {
  it('rejects a message without sessionId on a session queue', async () => {
    await expect(client.createSender('routing').sendMessages({ body: 'no session' })).rejects.toThrow(/SessionId/);
    expect(counts('routing').queue.active).toBe(0);
  });

  it('acceptSession gets only its session, in order; a locked session cannot be taken twice', async () => {
    const sender = client.createSender('routing');
    await sender.sendMessages(
      ['A1', 'B1', 'A2', 'B2', 'A3'].map((body) => ({ body, sessionId: body.slice(0, 1) })),
    );
    const a = await client.acceptSession('routing', 'A');
    await expect(client.acceptSession('routing', 'A')).rejects.toMatchObject({ code: 'SessionCannotBeLocked' });
    const fromA = await receive(a, 3);
    expect(fromA.map((m) => m.body)).toEqual(['A1', 'A2', 'A3']);
    expect(fromA.every((m) => m.sessionId === 'A')).toBe(true);
    await Promise.all(fromA.map((m) => a.completeMessage(m)));
    const b = await client.acceptSession('routing', 'B');
    expect((await receive(b, 2)).map((m) => m.body)).toEqual(['B1', 'B2']);
    await Promise.all([a.close(), b.close()]);
  });

  it('acceptNextSession takes a session that has messages, and times out when there is none', async () => {
    await client.createSender('sessions-next').sendMessages({ body: 'q7-1', sessionId: 'q7' });
    const receiver = await client.acceptNextSession('sessions-next', { receiveMode: 'receiveAndDelete' });
    expect(receiver.sessionId).toBe('q7');
    expect((await receive(receiver, 1))[0]!.body).toBe('q7-1');
    await receiver.close();
    await expect(client.acceptNextSession('sessions-next')).rejects.toMatchObject({ code: 'ServiceTimeout' });
  });

  it('keeps session state and renews the session lock', async () => {
    const receiver = await client.acceptSession('routing', 'state-1', { maxAutoLockRenewalDurationInMs: 0 });
    expect(await receiver.getSessionState()).toBeNull();
    await receiver.setSessionState({ waiting: ['c1', 'c2'] });
    const before = receiver.sessionLockedUntilUtc!.getTime();
    clock.advanceBy(1_000);
    const renewed = await receiver.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThan(before);
    await receiver.close();
    const again = await client.acceptSession('routing', 'state-1');
    expect(await again.getSessionState()).toEqual({ waiting: ['c1', 'c2'] });
    await again.close();
  });

  it('loses the session lock when it is not renewed: the link closes and the messages come back', async () => {
    await client.createSender('routing').sendMessages({ body: 'held', sessionId: 'expiring' });
    const receiver = await client.acceptSession('routing', 'expiring', { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receive(receiver, 1);
    // A pending receive sees the broker detach the link, so the client knows the session is gone.
    const pendingReceive = receiver.receiveMessages(1, { maxWaitTimeInMs: 5_000 });
    clock.advanceBy(lockDurationInMs + 1);
    await expect(pendingReceive).rejects.toMatchObject({ code: 'SessionLockLost' });
    await expect(receiver.completeMessage(message!)).rejects.toMatchObject({ code: 'SessionLockLost' });
    const again = await client.acceptSession('routing', 'expiring');
    expect((await receive(again, 1))[0]).toMatchObject({ body: 'held', deliveryCount: 1 });
    await Promise.all([receiver.close(), again.close()]);
  });
});

describe('time-to-live', () => {
  it('expires messages past their time-to-live, dead-lettering them where the queue asks for it', async () => {
    await client.createSender('expiring').sendMessages({ body: 'stale', timeToLive: 60_000 });
    await client.createSender('expiring-drop').sendMessages([{ body: 'stale', timeToLive: 60_000 }, { body: 'fresh' }]);
    const receiver = client.createReceiver('expiring-drop', { receiveMode: 'receiveAndDelete' });
    const [stale] = await receiver.peekMessages(1);
    expect(stale!.expiresAtUtc!.getTime() - stale!.enqueuedTimeUtc!.getTime()).toBe(60_000);
    clock.advanceBy(60_001);
    expect(counts('expiring')).toMatchObject({ queue: { active: 0 }, deadLetterQueue: { active: 1 } });
    expect(counts('expiring-drop')).toMatchObject({ queue: { active: 1 }, deadLetterQueue: { active: 0 } });
    expect((await receive(receiver, 1))[0]!.body).toBe('fresh');
    const deadLetters = client.createReceiver('expiring', { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    expect((await receive(deadLetters, 1))[0]).toMatchObject({ body: 'stale', deadLetterReason: 'TTLExpiredException' });
    await Promise.all([receiver.close(), deadLetters.close()]);
  });
});

describe('duplicate detection', () => {
  it('drops a second message with the same id on a queue that enables it', async () => {
    const dropped = eventOf('duplicateDropped', 'dedupe');
    await client.createSender('dedupe').sendMessages([{ body: 1, messageId: 'op-1' }, { body: 2, messageId: 'op-1' }, { body: 3, messageId: 'op-2' }]);
    expect((await dropped).messageId).toBe('op-1');
    expect(counts('dedupe').queue.active).toBe(2);
  });

  it('keeps both on a queue that does not', async () => {
    await client.createSender('no-dedupe').sendMessages([{ body: 'x', messageId: 'same' }, { body: 'y', messageId: 'same' }]);
    expect(counts('no-dedupe').queue.active).toBe(2);
  });
});

describe('restart', () => {
  it('clients reconnect after the server restarts, and nothing unsettled is lost', async () => {
    const own = await startServiceBusEmulator({ queues, clock, logger });
    const ownClient = new ServiceBusClient(own.connectionString, clientOptions);
    const sender = ownClient.createSender('restart');
    await sender.sendMessages([{ body: 'r1' }, { body: 'r2' }, { body: 'r3' }]);
    await ownClient.createSender('sessions-restart').sendMessages({ body: 's1', sessionId: 'S' });
    const batchReceiver = ownClient.createReceiver('restart', { maxAutoLockRenewalDurationInMs: 0 });
    const [inFlight] = await receive(batchReceiver, 1);
    const session = await ownClient.acceptSession('sessions-restart', 'S');
    await receive(session, 1);
    const streamed: unknown[] = [];
    const streamAttached = own.nextEvent((e) => e.type === 'receiverAttached' && e.entity === 'restart-stream');
    let onStreamed: () => void = () => undefined;
    const stream = ownClient.createReceiver('restart-stream').subscribe({
      processMessage: async (m) => {
        streamed.push(m.body);
        onStreamed();
      },
      processError: async () => undefined,
    });

    // A link still attaching when the server dies holds the SDK's link lock until its own timeout.
    await streamAttached;
    await own.close();
    const restarted = await startServiceBusEmulator({ queues, clock, logger, port: own.port, state: own.state });
    const freshClient = new ServiceBusClient(restarted.connectionString, clientOptions);
    try {
      // The streaming receiver reattaches by itself once the client has replaced its connection;
      // sends made before that race the client's own recovery (the bot's adapter retries them).
      await restarted.nextEvent((e) => e.type === 'receiverAttached' && e.entity === 'restart-stream');
      const streamedAfterRestart = new Promise<void>((resolve) => (onStreamed = resolve));
      await ownClient.createSender('restart-stream').sendMessages({ body: 'after restart' });
      await sender.sendMessages({ body: 'r4' });
      await streamedAfterRestart;
      expect(streamed).toEqual(['after restart']);
      // Peek-locks live in the broker, so the message received before the restart is still locked
      // and can be completed by its lock token (from a client that never saw the old connection).
      expect(restarted.counts('restart')!.queue).toMatchObject({ active: 3, locked: 1 });
      await freshClient.createReceiver('restart').completeMessage(inFlight!);
      const rest = await receive(freshClient.createReceiver('restart'), 3);
      expect(rest.map((m) => m.body)).toEqual(['r2', 'r3', 'r4']);
      // The session lock died with the old server: its message is back, one delivery later.
      const again = await ownClient.acceptSession('sessions-restart', 'S');
      expect((await receive(again, 1))[0]).toMatchObject({ body: 's1', deliveryCount: 1 });
    } finally {
      await stream.close();
      await Promise.all([ownClient.close(), freshClient.close()]);
      await restarted.close();
    }
  });
});
