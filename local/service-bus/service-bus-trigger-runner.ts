import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { format } from 'node:util';
import functions from '@azure/functions';
import type { InvocationContext, LogLevel } from '@azure/functions';
import {
  isServiceBusError,
  ServiceBusClient,
  type RetryOptions,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
import { pino, type Logger } from 'pino';

/** One Service Bus-triggered function, as the function table declares it. */
export interface ServiceBusTriggerFunction {
  readonly name: string;
  readonly queueName: string;
  readonly isSessionsEnabled?: boolean;
  /** Throwing abandons the message (the broker dead-letters it after its max delivery count). */
  readonly handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

/** The host.json `extensions.serviceBus` settings the runner honours, with the host's defaults. */
export interface ServiceBusTriggerRunnerOptions {
  /** Any namespace: the local emulator's connection string or a real one. */
  readonly connectionString: string;
  readonly functions: readonly ServiceBusTriggerFunction[];
  /** Concurrent invocations per non-session function (host: `maxConcurrentCalls`). Default 16. */
  readonly maxConcurrentCalls?: number;
  /** Sessions processed in parallel per session function (host: `maxConcurrentSessions`). Default 8. */
  readonly maxConcurrentSessions?: number;
  /** A session with no message for this long is released for the next one (host: `sessionIdleTimeout`). Default 1 s. */
  readonly sessionIdleTimeoutInMs?: number;
  /** Host: `maxAutoLockRenewalDuration`. Default 5 minutes. */
  readonly maxAutoLockRenewalDurationInMs?: number;
  /** Client retries and operation timeout; the timeout also bounds how long an idle accept-next-session waits. */
  readonly retryOptions?: RetryOptions;
  /** Pause before accepting sessions again after an error (a restarting namespace, say). Default 1 s. */
  readonly errorBackoffInMs?: number;
  readonly logger?: Logger;
}

export interface ServiceBusTriggerRunner {
  start(): Promise<void>;
  /** Stops taking messages, lets running invocations finish and settle, then disconnects. */
  close(): Promise<void>;
}

/**
 * Runs Service Bus-triggered functions with the Azure Functions host's semantics, through the real
 * `@azure/service-bus` client: peek-lock; complete when the handler resolves, abandon when it throws;
 * for session queues, each session handled by one invocation at a time, in order, with up to
 * `maxConcurrentSessions` sessions in parallel. The handler gets the body as the host passes it (a
 * JSON body parsed) and an `InvocationContext` whose `triggerMetadata` carries the host's fields.
 */
export function createServiceBusTriggerRunner(options: ServiceBusTriggerRunnerOptions): ServiceBusTriggerRunner {
  const logger = (options.logger ?? pino({ level: 'info' })).child({ component: 'service-bus-trigger-runner' });
  const maxConcurrentCalls = options.maxConcurrentCalls ?? 16;
  const maxConcurrentSessions = options.maxConcurrentSessions ?? 8;
  const sessionIdleTimeoutInMs = options.sessionIdleTimeoutInMs ?? 1_000;
  const maxAutoLockRenewalDurationInMs = options.maxAutoLockRenewalDurationInMs ?? 300_000;
  const errorBackoffInMs = options.errorBackoffInMs ?? 1_000;
  const stopping = new AbortController();
  const subscriptions: Array<{ close(): Promise<void> }> = [];
  const receivers: ServiceBusReceiver[] = [];
  const sessionSlots: Array<Promise<void>> = [];
  const running = new Set<Promise<void>>();
  let client: ServiceBusClient | undefined;

  async function invoke(fn: ServiceBusTriggerFunction, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage): Promise<void> {
    const invocationId = randomUUID();
    const log = logger.child({ function: fn.name, invocationId, messageId: message.messageId, sessionId: message.sessionId });
    const context = new functions.InvocationContext({
      functionName: fn.name,
      invocationId,
      triggerMetadata: triggerMetadataOf(message),
      logHandler: (level, ...args) => log[pinoLevelOf(level)](format(...args)),
      options: {
        trigger: {
          type: 'serviceBusTrigger',
          name: 'message',
          queueName: fn.queueName,
          isSessionsEnabled: fn.isSessionsEnabled === true,
        },
      },
    });
    try {
      await fn.handler(bodyOf(message.body), context);
    } catch (error) {
      log.warn({ err: error, deliveryCount: message.deliveryCount }, 'function failed; abandoning the message');
      await receiver.abandonMessage(message).catch((settleError: unknown) => {
        log.warn({ err: settleError }, 'abandon failed; the lock will expire instead');
      });
      return;
    }
    await receiver.completeMessage(message).catch((settleError: unknown) => {
      log.warn({ err: settleError }, 'complete failed; the message will be delivered again');
    });
  }

  function startQueueFunction(serviceBus: ServiceBusClient, fn: ServiceBusTriggerFunction): void {
    const receiver = serviceBus.createReceiver(fn.queueName, { maxAutoLockRenewalDurationInMs });
    receivers.push(receiver);
    // The streaming receiver reconnects by itself after a connection loss.
    subscriptions.push(
      receiver.subscribe(
        {
          processMessage: async (message) => {
            const invocation = invoke(fn, receiver, message);
            running.add(invocation);
            await invocation.finally(() => running.delete(invocation));
          },
          processError: async ({ error, errorSource }) => {
            if (!stopping.signal.aborted) logger.warn({ err: error, errorSource, function: fn.name }, 'receiver error');
          },
        },
        { autoCompleteMessages: false, maxConcurrentCalls },
      ),
    );
  }

  /** One of `maxConcurrentSessions` loops: accept a session, run its messages in order until idle, repeat. */
  async function runSessionSlot(serviceBus: ServiceBusClient, fn: ServiceBusTriggerFunction): Promise<void> {
    const abortSignal = stopping.signal;
    while (!abortSignal.aborted) {
      let session: ServiceBusSessionReceiver;
      try {
        session = await serviceBus.acceptNextSession(fn.queueName, { maxAutoLockRenewalDurationInMs, abortSignal });
      } catch (error) {
        if (abortSignal.aborted) return;
        // No session had messages within the operation timeout: ask again.
        if (isServiceBusError(error) && error.code === 'ServiceTimeout') continue;
        logger.warn({ err: error, function: fn.name }, 'cannot accept a session; retrying');
        await delay(errorBackoffInMs, undefined, { signal: abortSignal }).catch(() => undefined);
        continue;
      }
      try {
        for (;;) {
          // One message at a time keeps the session in order even when an invocation fails.
          const [message] = await session.receiveMessages(1, { maxWaitTimeInMs: sessionIdleTimeoutInMs, abortSignal });
          if (message === undefined) break;
          await invoke(fn, session, message);
          if (abortSignal.aborted) break;
        }
      } catch (error) {
        if (!abortSignal.aborted) {
          logger.warn({ err: error, function: fn.name, sessionId: session.sessionId }, 'session lost; accepting again');
        }
      } finally {
        await session.close().catch(() => undefined);
      }
    }
  }

  return {
    async start() {
      if (client !== undefined) throw new Error('The Service Bus trigger runner is already started.');
      client = new ServiceBusClient(options.connectionString, options.retryOptions ? { retryOptions: options.retryOptions } : {});
      for (const fn of options.functions) {
        if (fn.isSessionsEnabled === true) {
          for (let slot = 0; slot < maxConcurrentSessions; slot += 1) sessionSlots.push(runSessionSlot(client, fn));
        } else {
          startQueueFunction(client, fn);
        }
      }
      logger.info({ functions: options.functions.map((f) => `${f.name} <- ${f.queueName}`) }, 'service bus triggers running');
    },
    async close() {
      if (client === undefined || stopping.signal.aborted) return;
      stopping.abort();
      await Promise.all(subscriptions.map((s) => s.close().catch(() => undefined)));
      await Promise.all([...running, ...sessionSlots]);
      await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
      await client.close();
    },
  };
}

/** The Functions host parses a JSON body; the SDK already did for JSON data sections, bytes are tried once more. */
function bodyOf(body: unknown): unknown {
  if (!Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
}

/**
 * What the Functions host puts in `triggerMetadata` for a Service Bus message. `deliveryCount` is
 * the host's (1 on the first delivery), one more than the AMQP header the JS SDK reports.
 */
function triggerMetadataOf(message: ServiceBusReceivedMessage): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    messageId: message.messageId,
    deliveryCount: message.deliveryCount === undefined ? undefined : message.deliveryCount + 1,
    sequenceNumber: message.sequenceNumber?.toNumber(),
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    expiresAtUtc: message.expiresAtUtc?.toISOString(),
    lockedUntilUtc: message.lockedUntilUtc?.toISOString(),
    lockToken: message.lockToken,
    sessionId: message.sessionId,
    contentType: message.contentType,
    correlationId: message.correlationId,
    subject: message.subject,
    label: message.subject,
    to: message.to,
    replyTo: message.replyTo,
    deadLetterSource: message.deadLetterSource,
    applicationProperties: message.applicationProperties ?? {},
    userProperties: message.applicationProperties ?? {},
  };
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined));
}

function pinoLevelOf(level: LogLevel): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' {
  switch (level) {
    case 'trace':
      return 'trace';
    case 'debug':
      return 'debug';
    case 'information':
      return 'info';
    case 'warning':
      return 'warn';
    case 'error':
      return 'error';
    case 'critical':
      return 'fatal';
    case 'none':
      return 'trace';
  }
}
