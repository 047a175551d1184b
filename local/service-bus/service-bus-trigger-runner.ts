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
  // An SDK request caught by a dropped connection can wait forever (no timer of its own survives
  // the SDK's connection reset): bound every call by the operation timeout plus a margin.
  const watchdogInMs = (options.retryOptions?.timeoutInMs ?? 60_000) + 5_000;
  const closeTimeoutInMs = Math.min(options.retryOptions?.timeoutInMs ?? 60_000, 5_000);
  // The SDK's close of a link waits for the broker's detach, and never resolves when the connection
  // drops meanwhile (a namespace restarting just then): wait a bounded time, then move on.
  const closeWithin = (closing: Promise<void>) => within(closeTimeoutInMs, closing).catch(() => undefined);
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
      await within(watchdogInMs, receiver.abandonMessage(message)).catch((settleError: unknown) => {
        log.warn({ err: settleError }, 'abandon failed; the lock will expire instead');
      });
      return;
    }
    await within(watchdogInMs, receiver.completeMessage(message)).catch((settleError: unknown) => {
      log.warn({ err: settleError }, 'complete failed; the message will be delivered again');
    });
  }

  /** Invocations in flight, so `close()` can let them finish and settle before disconnecting. */
  async function track(invocation: Promise<void>): Promise<void> {
    running.add(invocation);
    try {
      await invocation;
    } finally {
      running.delete(invocation);
    }
  }

  function startQueueFunction(serviceBus: ServiceBusClient, fn: ServiceBusTriggerFunction): void {
    const receiver = serviceBus.createReceiver(fn.queueName, { maxAutoLockRenewalDurationInMs });
    receivers.push(receiver);
    // The streaming receiver reconnects by itself after a connection loss.
    subscriptions.push(
      receiver.subscribe(
        {
          processMessage: (message) => track(invoke(fn, receiver, message)),
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
        session = await serviceBus.acceptNextSession(fn.queueName, {
          maxAutoLockRenewalDurationInMs,
          abortSignal: AbortSignal.any([abortSignal, AbortSignal.timeout(watchdogInMs)]),
        });
        logger.debug({ function: fn.name, sessionId: session.sessionId }, 'session accepted');
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
          const [message] = await session.receiveMessages(1, {
            maxWaitTimeInMs: sessionIdleTimeoutInMs,
            abortSignal: AbortSignal.any([abortSignal, AbortSignal.timeout(sessionIdleTimeoutInMs + watchdogInMs)]),
          });
          // Stopping: leave the message to the session's release rather than start a late invocation.
          if (message === undefined || abortSignal.aborted) break;
          await track(invoke(fn, session, message));
        }
      } catch (error) {
        if (!abortSignal.aborted) {
          logger.warn({ err: error, function: fn.name, sessionId: session.sessionId }, 'session lost; accepting again');
        }
      } finally {
        logger.debug({ function: fn.name, sessionId: session.sessionId }, 'releasing session');
        await closeWithin(session.close());
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
      logger.debug({ running: running.size }, 'stopping: closing subscriptions');
      await Promise.all(subscriptions.map((s) => closeWithin(s.close())));
      logger.debug({ running: running.size }, 'stopping: waiting for running invocations');
      await Promise.all(running);
      await Promise.all(receivers.map((r) => closeWithin(r.close())));
      logger.debug('stopping: closing the client');
      // The SDK does not abort a pending accept-next-session; closing the connection ends it.
      await closeWithin(client.close());
      logger.debug('stopping: waiting for session slots');
      await Promise.all(sessionSlots);
      logger.info('service bus triggers stopped');
    },
  };
}

/** Rejects when `operation` has not settled within `timeoutInMs` (it is not cancelled). */
function within<T>(timeoutInMs: number, operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutInMs} ms`)), timeoutInMs);
    timer.unref();
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
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
