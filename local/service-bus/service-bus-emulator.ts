import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import rhea from 'rhea';
import type { AmqpError, Connection, Delivery, EventContext, Message as AmqpMessage, Receiver, Sender, link as RheaLink } from 'rhea';
import { systemEmulatorClock, type EmulatorClock, type EmulatorTimer } from './emulator-clock.js';
import { handleManagementRequest } from './handle-management-request.js';
import {
  creditLimit,
  deliveryOutcomes,
  holdAttach,
  isDraining,
  markRemoteSettled,
  sessionCanBuffer,
  setLocalAttachField,
} from './rhea-internals.js';
import {
  createEmptyEmulatorState,
  entityPathOf,
  queueDefinitionsSchema,
  ServiceBusNamespace,
  type Disposition,
  type QueueDefinition,
  type QueueEntity,
  type ServiceBusEmulatorEvent,
  type ServiceBusEmulatorState,
  type StoredMessage,
} from './service-bus-namespace.js';
import { lockTokenToDeliveryTag, toDotNetTicks, toWireMessage } from './to-wire-message.js';
import { verifySasToken } from './verify-sas-token.js';

export { queueDefinitionsSchema, type QueueDefinition, type ServiceBusEmulatorEvent, type ServiceBusEmulatorState } from './service-bus-namespace.js';
export { AdjustableClock, systemEmulatorClock, type EmulatorClock } from './emulator-clock.js';

/** The key name and key of Microsoft's own Service Bus emulator, so its sample settings work here. */
export const serviceBusEmulatorKeyName = 'RootManageSharedAccessKey';
export const serviceBusEmulatorKey = 'SAS_KEY_VALUE';

export interface ServiceBusEmulatorOptions {
  /** 0 (default) picks a free port; Service Bus's AMQP port is 5672. */
  readonly port?: number;
  readonly host?: string;
  readonly queues: readonly QueueDefinition[];
  readonly sharedAccessKeyName?: string;
  readonly sharedAccessKey?: string;
  /** Broker events and protocol problems are logged at debug / warn. */
  readonly logger?: Logger;
  /** Time for locks, schedules and duplicate windows (not for SAS expiry, which is wall-clock). */
  readonly clock?: EmulatorClock;
  /** The `state` of a previous emulator: start again with its messages, as after a broker restart. */
  readonly state?: ServiceBusEmulatorState;
  /** Stated on every link attach; the SDK sizes batches by it. Standard tier: 256 KB. */
  readonly maxMessageSizeInBytes?: number;
}

export interface ServiceBusEmulator {
  readonly host: string;
  readonly port: number;
  /** `Endpoint=sb://localhost:PORT;...;UseDevelopmentEmulator=true` (plain TCP, as the SDK does for emulators). */
  readonly connectionString: string;
  /** Messages, locks and session state; pass to `startServiceBusEmulator` to restart with them. */
  readonly state: ServiceBusEmulatorState;
  /** Message counts of a queue and of its dead-letter queue. */
  counts(queueName: string): { readonly queue: QueueCounts; readonly deadLetterQueue: QueueCounts } | undefined;
  /** Subscribes to broker events; returns the unsubscribe function. */
  onEvent(listener: (event: ServiceBusEmulatorEvent) => void): () => void;
  /** Resolves with the first event matching `predicate` from now on (subscribe before acting). */
  nextEvent<E extends ServiceBusEmulatorEvent>(predicate: (event: ServiceBusEmulatorEvent) => event is E): Promise<E>;
  nextEvent(predicate: (event: ServiceBusEmulatorEvent) => boolean): Promise<ServiceBusEmulatorEvent>;
  /** Stops listening and drops every connection; the state stays readable. */
  close(): Promise<void>;
}

export interface QueueCounts {
  readonly active: number;
  readonly locked: number;
  readonly deferred: number;
  readonly scheduled: number;
}

const sessionFilterKey = 'com.microsoft:session-filter';
const batchMessageFormat = 0x80013700;
const defaultAcceptNextSessionTimeoutInMs = 60_000;

interface ConnectionContext {
  readonly id: string;
  readonly connection: Connection;
  /** Entity paths (lower case, '' for the whole namespace) this connection holds a token for. */
  readonly grants: Map<string, number>;
  /** Reply links by the address the client listens on (`reply_to` of its requests). */
  readonly replyLinks: Map<string, Sender>;
  readonly consumers: Set<Consumer>;
  readonly pendingSessionAccepts: Set<PendingSessionAccept>;
}

/** A client receiver: a server-side sender link delivering one entity (or one session of it). */
interface Consumer {
  readonly link: Sender;
  readonly connection: ConnectionContext;
  readonly entity: QueueEntity;
  readonly sessionId: string | undefined;
  readonly ownerId: string;
  readonly mode: 'peekLock' | 'receiveAndDelete';
  /** Credit used so far: deliveries queued plus credit given back by drains. */
  consumedCredit: number;
  closed: boolean;
}

/** `acceptNextSession` waiting (up to the client's server-timeout) for a session with messages. */
interface PendingSessionAccept {
  readonly link: Sender;
  readonly connection: ConnectionContext;
  readonly entity: QueueEntity;
  readonly ownerId: string;
  readonly timer: EmulatorTimer;
}

type LinkRole =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'managementRequests'; readonly path: string }
  | { readonly kind: 'producer'; readonly entity: QueueEntity }
  | { readonly kind: 'reply' }
  | { readonly kind: 'consumer'; readonly consumer: Consumer }
  | { readonly kind: 'pendingSession'; readonly pending: PendingSessionAccept }
  | { readonly kind: 'refused' };

/**
 * A local Azure Service Bus namespace: an AMQP 1.0 broker on `rhea` that the real
 * `@azure/service-bus` client talks to unchanged (claims-based security, queues, peek-lock,
 * sessions, scheduling, deferral, dead-lettering, duplicate detection, `$management` operations).
 *
 * Debugging: pass a pino `logger` at level `debug` to see every broker transition (the same events
 * `onEvent` reports); links the broker refuses are logged at `warn` with the reason the client gets.
 */
export async function startServiceBusEmulator(options: ServiceBusEmulatorOptions): Promise<ServiceBusEmulator> {
  const host = options.host ?? '127.0.0.1';
  const keyName = options.sharedAccessKeyName ?? serviceBusEmulatorKeyName;
  const key = options.sharedAccessKey ?? serviceBusEmulatorKey;
  const clock = options.clock ?? systemEmulatorClock;
  const logger = (options.logger ?? pino({ level: 'warn' })).child({ component: 'service-bus-emulator' });
  const maxMessageSizeInBytes = options.maxMessageSizeInBytes ?? 262_144;
  const state = options.state ?? createEmptyEmulatorState();
  const queueDefinitions = queueDefinitionsSchema.parse(options.queues);

  const listeners = new Set<(event: ServiceBusEmulatorEvent) => void>();
  const connections = new Map<Connection, ConnectionContext>();
  const linkRoles = new WeakMap<RheaLink, LinkRole>();
  const deliveries = new WeakMap<Delivery, { readonly consumer: Consumer; readonly lockToken: string }>();
  const consumersByEntity = new Map<QueueEntity, Set<Consumer>>();
  const sessionConsumers = new Map<QueueEntity, Map<string, Consumer>>();
  const pendingAcceptsByEntity = new Map<QueueEntity, Set<PendingSessionAccept>>();
  const dirty = new Map<QueueEntity, Set<string | undefined>>();
  let flushScheduled = false;
  let closing = false;

  const namespace = new ServiceBusNamespace(queueDefinitions, state, clock, {
    onMessageAvailable: (entity, sessionId) => schedulePump(entity, sessionId),
    onSessionLockLost: (entity, sessionId, ownerId) => {
      const consumer = sessionConsumers.get(entity)?.get(sessionId);
      if (consumer?.ownerId !== ownerId) return;
      removeConsumer(consumer);
      consumer.link.close({
        condition: 'com.microsoft:session-lock-lost',
        description: `The session lock has expired on the session with id ${sessionId}.`,
      });
    },
    onEvent: emit,
  });

  function emit(event: ServiceBusEmulatorEvent): void {
    logger.debug({ event }, 'service bus event');
    for (const listener of [...listeners]) listener(event);
  }

  // ---- delivery -------------------------------------------------------------------------------

  /** Coalesces "a message became available" into one pass after the current broker operation. */
  function schedulePump(entity: QueueEntity, sessionId: string | undefined): void {
    if (closing) return;
    let sessions = dirty.get(entity);
    if (sessions === undefined) dirty.set(entity, (sessions = new Set()));
    sessions.add(sessionId);
    if (flushScheduled) return;
    flushScheduled = true;
    queueMicrotask(() => {
      flushScheduled = false;
      while (dirty.size > 0 && !closing) {
        const [dirtyEntity, sessionIds] = dirty.entries().next().value!;
        dirty.delete(dirtyEntity);
        for (const id of sessionIds) {
          if (id === undefined) pumpEntity(dirtyEntity);
          else pumpSession(dirtyEntity, id);
        }
      }
    });
  }

  function availableCredit(consumer: Consumer): number {
    if (consumer.closed || !consumer.link.is_open() || !sessionCanBuffer(consumer.link)) return 0;
    return creditLimit(consumer.link) - consumer.consumedCredit;
  }

  function pumpEntity(entity: QueueEntity): void {
    const consumers = [...(consumersByEntity.get(entity) ?? [])];
    let delivered = true;
    while (delivered) {
      delivered = false;
      // One message per consumer per round, so competing receivers share the queue.
      for (const consumer of consumers) {
        if (availableCredit(consumer) <= 0) continue;
        const message = entity.lockNext(undefined, consumer.mode);
        if (message === undefined) return;
        deliver(consumer, message);
        delivered = true;
      }
    }
  }

  function pumpSession(entity: QueueEntity, sessionId: string): void {
    const consumer = sessionConsumers.get(entity)?.get(sessionId);
    if (consumer !== undefined) {
      pumpConsumer(consumer);
      return;
    }
    satisfyPendingSessionAccepts(entity);
  }

  function pumpConsumer(consumer: Consumer): void {
    if (consumer.sessionId === undefined) {
      pumpEntity(consumer.entity);
      return;
    }
    while (availableCredit(consumer) > 0) {
      const message = consumer.entity.lockNext(consumer.sessionId, consumer.mode);
      if (message === undefined) return;
      deliver(consumer, message);
    }
  }

  function deliver(consumer: Consumer, message: StoredMessage): void {
    const lockToken = message.lock?.token;
    const tag = lockToken === undefined ? Buffer.from(String(message.sequenceNumber)) : lockTokenToDeliveryTag(lockToken);
    const delivery = consumer.link.send(toWireMessage(message), tag);
    consumer.consumedCredit += 1;
    if (lockToken !== undefined) deliveries.set(delivery, { consumer, lockToken });
  }

  // ---- links ----------------------------------------------------------------------------------

  function isAuthorized(context: ConnectionContext, path: string): boolean {
    const wanted = path.toLowerCase();
    const now = Date.now();
    for (const [granted, expiresAtMs] of context.grants) {
      if (expiresAtMs <= now) continue;
      if (granted === '' || wanted === granted || wanted.startsWith(`${granted}/`)) return true;
    }
    return false;
  }

  /**
   * Refuses a link the AMQP way: attach with a null terminus, then detach with the error. Routine
   * refusals (an accept-next-session that found no session, a closing connection) log at debug.
   */
  function refuse(link: RheaLink, error: AmqpError, level: 'warn' | 'debug' = 'warn'): void {
    linkRoles.set(link, { kind: 'refused' });
    logger[level]({ link: link.name, condition: error.condition, description: error.description }, 'link refused');
    link.close(error);
  }

  function answerAttach(link: RheaLink, terminus: 'source' | 'target', address: unknown, extra: Record<string, unknown> = {}): void {
    if (terminus === 'source') link.set_source({ address: String(address ?? ''), ...extra });
    else link.set_target({ address: String(address ?? '') });
    setLocalAttachField(link, 'max_message_size', maxMessageSizeInBytes);
    setLocalAttachField(link, 'snd_settle_mode', link.snd_settle_mode);
    setLocalAttachField(link, 'rcv_settle_mode', link.rcv_settle_mode);
  }

  function onReceiverOpen(context: ConnectionContext, link: Receiver): void {
    const address = String(link.target?.address ?? '');
    answerAttach(link, 'target', address);
    if (address === '$cbs') {
      linkRoles.set(link, { kind: 'cbs' });
      return;
    }
    const path = entityPathOf(address);
    if (path.toLowerCase().endsWith('/$management')) {
      if (!isAuthorized(context, path)) return refuse(link, unauthorized(path));
      linkRoles.set(link, { kind: 'managementRequests', path: path.slice(0, -'/$management'.length) });
      return;
    }
    const entity = namespace.findEntity(path);
    if (entity === undefined) return refuse(link, notFound(path));
    if (!isAuthorized(context, path)) return refuse(link, unauthorized(path));
    if (entity.isDeadLetterQueue) {
      return refuse(link, { condition: 'amqp:not-allowed', description: `Cannot send to the dead-letter queue '${path}'.` });
    }
    linkRoles.set(link, { kind: 'producer', entity });
  }

  function onSenderOpen(context: ConnectionContext, link: Sender): void {
    const address = String(link.source?.address ?? '');
    const path = entityPathOf(address);
    if (address === '$cbs' || path.toLowerCase().endsWith('/$management')) {
      answerAttach(link, 'source', address);
      link.set_target({ address: String(link.target?.address ?? '') });
      // Replies are sent settled: nobody acknowledges them, and rhea would keep them otherwise.
      setLocalAttachField(link, 'snd_settle_mode', 1);
      context.replyLinks.set(String(link.target?.address ?? link.name), link);
      linkRoles.set(link, { kind: 'reply' });
      return;
    }
    const entity = namespace.findEntity(path);
    if (entity === undefined) return refuse(link, notFound(path));
    if (!isAuthorized(context, path)) return refuse(link, unauthorized(path));
    const filter = link.source?.filter as Record<string, unknown> | undefined;
    const wantsSession = filter !== undefined && filter !== null && sessionFilterKey in filter;
    if (wantsSession !== entity.requiresSession) {
      return refuse(link, {
        condition: 'amqp:not-allowed',
        description: entity.requiresSession
          ? `It is not possible for an entity that requires sessions to create a non-sessionful message receiver ('${path}').`
          : `It is not possible for an entity that does not require sessions to create a session receiver ('${path}').`,
      });
    }
    const ownerId = `${context.id}/${link.name}`;
    if (!wantsSession) {
      answerAttach(link, 'source', address);
      addConsumer(context, link, entity, undefined, ownerId);
      return;
    }
    const requested = filter[sessionFilterKey];
    if (requested !== undefined && requested !== null) {
      const outcome = entity.acceptSession(String(requested), ownerId);
      if (outcome.outcome !== 'locked') {
        return refuse(link, {
          condition: 'com.microsoft:session-cannot-be-locked',
          description: `The requested session '${String(requested)}' cannot be accepted. It may be locked by another receiver.`,
        });
      }
      openSessionConsumer(context, link, entity, outcome.sessionId, outcome.lockedUntilMs, ownerId);
      return;
    }
    const outcome = entity.acceptSession(undefined, ownerId);
    if (outcome.outcome === 'locked') {
      openSessionConsumer(context, link, entity, outcome.sessionId, outcome.lockedUntilMs, ownerId);
      return;
    }
    // Service Bus answers accept-next-session when a session turns up, or after the client's timeout.
    holdAttach(link);
    const properties = link.properties as Record<string, unknown> | undefined;
    const requestedTimeout = Number(properties?.['com.microsoft:timeout'] ?? defaultAcceptNextSessionTimeoutInMs);
    const timeoutInMs = Number.isFinite(requestedTimeout) && requestedTimeout > 0 ? requestedTimeout : defaultAcceptNextSessionTimeoutInMs;
    const pending: PendingSessionAccept = {
      link,
      connection: context,
      entity,
      ownerId,
      timer: clock.setTimer(() => {
        if (!dropPendingAccept(pending)) return;
        link.open();
        refuse(
          link,
          { condition: 'com.microsoft:timeout', description: `No session of '${entity.path}' became available within ${timeoutInMs} ms.` },
          'debug',
        );
      }, timeoutInMs),
    };
    context.pendingSessionAccepts.add(pending);
    let pendingForEntity = pendingAcceptsByEntity.get(entity);
    if (pendingForEntity === undefined) pendingAcceptsByEntity.set(entity, (pendingForEntity = new Set()));
    pendingForEntity.add(pending);
    linkRoles.set(link, { kind: 'pendingSession', pending });
    emit({ type: 'sessionAcceptWaiting', entity: entity.path, linkName: link.name, timeoutInMs });
  }

  function dropPendingAccept(pending: PendingSessionAccept): boolean {
    pending.timer.cancel();
    pending.connection.pendingSessionAccepts.delete(pending);
    return pendingAcceptsByEntity.get(pending.entity)?.delete(pending) ?? false;
  }

  function satisfyPendingSessionAccepts(entity: QueueEntity): void {
    for (const pending of [...(pendingAcceptsByEntity.get(entity) ?? [])]) {
      const outcome = entity.acceptSession(undefined, pending.ownerId);
      if (outcome.outcome !== 'locked') return;
      dropPendingAccept(pending);
      pending.link.open();
      openSessionConsumer(pending.connection, pending.link, entity, outcome.sessionId, outcome.lockedUntilMs, pending.ownerId);
    }
  }

  function openSessionConsumer(
    context: ConnectionContext,
    link: Sender,
    entity: QueueEntity,
    sessionId: string,
    lockedUntilMs: number,
    ownerId: string,
  ): void {
    answerAttach(link, 'source', link.source?.address, { filter: { [sessionFilterKey]: sessionId } });
    setLocalAttachField(link, 'properties', { 'com.microsoft:locked-until-utc': toDotNetTicks(lockedUntilMs) });
    const consumer = addConsumer(context, link, entity, sessionId, ownerId);
    let bySession = sessionConsumers.get(entity);
    if (bySession === undefined) sessionConsumers.set(entity, (bySession = new Map()));
    bySession.set(sessionId, consumer);
  }

  function addConsumer(
    context: ConnectionContext,
    link: Sender,
    entity: QueueEntity,
    sessionId: string | undefined,
    ownerId: string,
  ): Consumer {
    const consumer: Consumer = {
      link,
      connection: context,
      entity,
      sessionId,
      ownerId,
      // The SDK asks for settled deliveries (snd-settle-mode 1) in receive-and-delete mode.
      mode: link.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock',
      consumedCredit: 0,
      closed: false,
    };
    context.consumers.add(consumer);
    if (sessionId === undefined) {
      let consumers = consumersByEntity.get(entity);
      if (consumers === undefined) consumersByEntity.set(entity, (consumers = new Set()));
      consumers.add(consumer);
    }
    linkRoles.set(link, { kind: 'consumer', consumer });
    emit({ type: 'receiverAttached', entity: entity.path, linkName: link.name, ...(sessionId === undefined ? {} : { sessionId }) });
    return consumer;
  }

  function removeConsumer(consumer: Consumer): void {
    if (consumer.closed) return;
    consumer.closed = true;
    emit({
      type: 'receiverDetached',
      entity: consumer.entity.path,
      linkName: consumer.link.name,
      ...(consumer.sessionId === undefined ? {} : { sessionId: consumer.sessionId }),
    });
    consumer.connection.consumers.delete(consumer);
    consumersByEntity.get(consumer.entity)?.delete(consumer);
    if (consumer.sessionId !== undefined) {
      const bySession = sessionConsumers.get(consumer.entity);
      if (bySession?.get(consumer.sessionId) === consumer) bySession.delete(consumer.sessionId);
      consumer.entity.releaseSession(consumer.sessionId, consumer.ownerId);
    }
  }

  function onLinkClosed(link: RheaLink): void {
    const role = linkRoles.get(link);
    if (role === undefined) return;
    linkRoles.delete(link);
    switch (role.kind) {
      case 'consumer':
        removeConsumer(role.consumer);
        break;
      case 'pendingSession':
        // The client gave up waiting: answer its attach so the detach it sent gets its reply.
        if (dropPendingAccept(role.pending)) {
          link.open();
          link.close();
        }
        break;
      case 'reply':
        for (const context of connections.values()) {
          for (const [address, reply] of context.replyLinks) if (reply === link) context.replyLinks.delete(address);
        }
        break;
      case 'cbs':
      case 'managementRequests':
      case 'producer':
      case 'refused':
        break;
    }
  }

  // ---- settlement -----------------------------------------------------------------------------

  function onDisposition(delivery: Delivery, disposition: Disposition): void {
    const tracked = deliveries.get(delivery);
    if (tracked === undefined) return;
    deliveries.delete(delivery);
    const outcome = tracked.consumer.entity.settle(tracked.lockToken, disposition);
    switch (outcome) {
      case 'settled':
        delivery.update(true, settledOutcome(disposition));
        break;
      case 'lockLost':
        delivery.update(
          true,
          deliveryOutcomes
            .rejected({
              error: {
                condition: 'com.microsoft:message-lock-lost',
                description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
              },
            })
            .described(),
        );
        break;
      case 'sessionLockLost':
        delivery.update(
          true,
          deliveryOutcomes
            .rejected({ error: { condition: 'com.microsoft:session-lock-lost', description: 'The session lock was lost.' } })
            .described(),
        );
        break;
    }
    markRemoteSettled(delivery);
  }

  // ---- requests -------------------------------------------------------------------------------

  function reply(context: ConnectionContext, request: AmqpMessage, response: AmqpMessage): void {
    const address = String(request.reply_to ?? '');
    const link = context.replyLinks.get(address);
    if (link === undefined) {
      logger.warn({ replyTo: address }, 'request without a reply link; dropped');
      return;
    }
    link.send({ ...response, correlation_id: request.message_id, to: address });
  }

  function onCbsRequest(context: ConnectionContext, request: AmqpMessage): void {
    const properties = (request.application_properties ?? {}) as Record<string, unknown>;
    const audience = String(properties['name'] ?? '');
    const status = (code: number, description: string): AmqpMessage => ({
      body: null,
      application_properties: { 'status-code': code, 'status-description': description },
    });
    if (properties['operation'] !== 'put-token') {
      reply(context, request, status(400, `Unsupported $cbs operation ${String(properties['operation'])}.`));
      return;
    }
    if (properties['type'] !== 'servicebus.windows.net:sastoken') {
      reply(context, request, status(401, 'The emulator accepts shared access signatures only.'));
      return;
    }
    const verdict = verifySasToken(String(request.body ?? ''), { keyName, key, nowInMs: Date.now() });
    const audiencePath = entityPathOf(audience).toLowerCase();
    if (!verdict.valid) {
      logger.warn({ audience, reason: verdict.reason }, 'put-token rejected');
      reply(context, request, status(401, `InvalidSignature: ${verdict.reason}.`));
      return;
    }
    const resourcePath = entityPathOf(verdict.resource).toLowerCase();
    if (resourcePath !== '' && audiencePath !== resourcePath && !audiencePath.startsWith(`${resourcePath}/`)) {
      reply(context, request, status(401, `The token's resource ${verdict.resource} does not cover ${audience}.`));
      return;
    }
    context.grants.set(audiencePath, verdict.expiresAtMs);
    reply(context, request, status(202, 'Accepted'));
  }

  function onManagementRequest(context: ConnectionContext, path: string, request: AmqpMessage): void {
    const properties = (request.application_properties ?? {}) as Record<string, unknown>;
    const associated = properties['associated-link-name'];
    let response;
    try {
      response = handleManagementRequest(namespace.findEntity(path), {
        operation: typeof properties['operation'] === 'string' ? properties['operation'] : undefined,
        body: isRecord(request.body) ? request.body : {},
        associatedOwnerId: typeof associated === 'string' ? `${context.id}/${associated}` : undefined,
      });
    } catch (error) {
      logger.warn({ err: error, operation: properties['operation'] }, 'malformed $management request');
      response = { statusCode: 400, statusDescription: String(error), errorCondition: 'com.microsoft:argument-error' };
    }
    if (response.statusCode >= 300) {
      logger.debug({ operation: properties['operation'], path, response }, '$management request failed');
    }
    reply(context, request, {
      body: response.body ?? null,
      application_properties: {
        statusCode: response.statusCode,
        statusDescription: response.statusDescription,
        ...(response.errorCondition === undefined ? {} : { errorCondition: response.errorCondition }),
      },
    });
  }

  function onSend(entity: QueueEntity, context: EventContext): void {
    const delivery = context.delivery!;
    let messages: AmqpMessage[];
    try {
      messages = (context as { format?: number }).format === batchMessageFormat
        ? decodeBatch(context.message as unknown as Buffer)
        : [context.message!];
    } catch (error) {
      delivery.reject({ condition: 'amqp:decode-error', description: String(error) });
      return;
    }
    for (const message of messages) {
      const refusal = entity.refusalReason(message);
      if (refusal !== undefined) {
        logger.warn({ entity: entity.path, reason: refusal }, 'message refused');
        delivery.reject({ condition: 'amqp:not-allowed', description: refusal });
        return;
      }
    }
    for (const message of messages) entity.enqueue(message);
    delivery.accept();
  }

  // ---- wiring ---------------------------------------------------------------------------------

  const container = rhea.create_container({ id: `service-bus-emulator-${randomUUID()}` });
  container.sasl_server_mechanisms.enable_anonymous();

  const contextOf = (event: EventContext): ConnectionContext | undefined => connections.get(event.connection);

  container.on('connection_open', (event: EventContext) => {
    connections.set(event.connection, {
      id: randomUUID(),
      connection: event.connection,
      grants: new Map(),
      replyLinks: new Map(),
      consumers: new Set(),
      pendingSessionAccepts: new Set(),
    });
  });
  const forgetConnection = (event: EventContext, socketAlive: boolean) => {
    const context = contextOf(event);
    if (context === undefined) return;
    connections.delete(event.connection);
    for (const pending of [...context.pendingSessionAccepts]) {
      if (!dropPendingAccept(pending) || !socketAlive) continue;
      // The SDK waits for its attach to be answered even after closing the connection.
      pending.link.open();
      refuse(pending.link, { condition: 'amqp:connection:forced', description: 'The connection is closing.' }, 'debug');
    }
    for (const consumer of [...context.consumers]) removeConsumer(consumer);
  };
  container.on('disconnected', (event: EventContext) => forgetConnection(event, false));
  container.on('connection_close', (event: EventContext) => forgetConnection(event, true));
  container.on('receiver_open', (event: EventContext) => {
    const context = contextOf(event);
    if (context !== undefined && event.receiver !== undefined) onReceiverOpen(context, event.receiver);
  });
  container.on('sender_open', (event: EventContext) => {
    const context = contextOf(event);
    if (context !== undefined && event.sender !== undefined) onSenderOpen(context, event.sender);
  });
  container.on('message', (event: EventContext) => {
    const context = contextOf(event);
    const role = event.receiver === undefined ? undefined : linkRoles.get(event.receiver);
    if (context === undefined || role === undefined || event.message === undefined) return;
    switch (role.kind) {
      case 'cbs':
        onCbsRequest(context, event.message);
        event.delivery?.accept();
        break;
      case 'managementRequests':
        onManagementRequest(context, role.path, event.message);
        event.delivery?.accept();
        break;
      case 'producer':
        onSend(role.entity, event);
        break;
      case 'reply':
      case 'consumer':
      case 'pendingSession':
      case 'refused':
        event.delivery?.reject({ condition: 'amqp:not-allowed', description: 'Unexpected transfer.' });
        break;
    }
  });
  container.on('sender_flow', (event: EventContext) => {
    const role = event.sender === undefined ? undefined : linkRoles.get(event.sender);
    if (role?.kind === 'consumer' && !closing) pumpConsumer(role.consumer);
  });
  container.on('sender_draining', (event: EventContext) => {
    const role = event.sender === undefined ? undefined : linkRoles.get(event.sender);
    if (role?.kind !== 'consumer') return;
    const consumer = role.consumer;
    if (!closing) pumpConsumer(consumer);
    // Nothing more to send: hand back the rest of the credit so `receiveMessages` returns now.
    if (isDraining(consumer.link)) {
      consumer.consumedCredit = creditLimit(consumer.link);
      consumer.link.set_drained(true);
    }
  });
  container.on('accepted', (event: EventContext) => onDisposition(event.delivery!, { kind: 'complete' }));
  container.on('released', (event: EventContext) => onDisposition(event.delivery!, { kind: 'abandon' }));
  container.on('modified', (event: EventContext) => {
    const state = event.delivery!.remote_state as { undeliverable_here?: boolean; message_annotations?: Record<string, unknown> } | undefined;
    const propertiesToModify = state?.message_annotations;
    onDisposition(
      event.delivery!,
      state?.undeliverable_here === true
        ? { kind: 'defer', ...(propertiesToModify && { propertiesToModify }) }
        : { kind: 'abandon', ...(propertiesToModify && { propertiesToModify }) },
    );
  });
  container.on('rejected', (event: EventContext) => {
    const state = event.delivery!.remote_state as { error?: AmqpError & { info?: Record<string, unknown> } } | undefined;
    const { DeadLetterReason, DeadLetterErrorDescription, ...propertiesToModify } = state?.error?.info ?? {};
    onDisposition(event.delivery!, {
      kind: 'deadLetter',
      ...(typeof DeadLetterReason === 'string' && { reason: DeadLetterReason }),
      ...(typeof DeadLetterErrorDescription === 'string' && { description: DeadLetterErrorDescription }),
      propertiesToModify,
    });
  });
  container.on('sender_close', (event: EventContext) => event.sender && onLinkClosed(event.sender));
  container.on('receiver_close', (event: EventContext) => event.receiver && onLinkClosed(event.receiver));
  container.on('sender_error', (event: EventContext) => logger.debug({ error: event.sender?.error }, 'client detached a receiver with an error'));
  container.on('receiver_error', (event: EventContext) => logger.debug({ error: event.receiver?.error }, 'client detached a sender with an error'));
  container.on('connection_error', (event: EventContext) => logger.debug({ error: event.connection.error }, 'connection error'));
  container.on('protocol_error', (error: unknown) => logger.warn({ err: error }, 'AMQP protocol error'));
  container.on('error', (error: unknown) => logger.warn({ err: error }, 'AMQP error'));

  const sockets = new Set<Socket>();
  const listenOptions = {
    port: options.port ?? 0,
    host,
    // rhea reads these per link: answer dispositions ourselves, and see "modified" as such.
    autoaccept: false,
    treat_modified_as_released: false,
  };
  const server: Server = container.listen(listenOptions);
  server.on('connection', (socket: Socket) => {
    // Without this, every small frame waits on Nagle's algorithm (tens of ms per message).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.warn({ err: error }, 'listener error'));
  const port = (server.address() as AddressInfo).port;
  const endpointHost = host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' ? 'localhost' : host;
  logger.info({ port, queues: options.queues.map((q) => q.name) }, 'service bus emulator listening');

  function nextEvent(predicate: (event: ServiceBusEmulatorEvent) => boolean): Promise<ServiceBusEmulatorEvent> {
    return new Promise((resolve) => {
      const listener = (event: ServiceBusEmulatorEvent) => {
        if (!predicate(event)) return;
        listeners.delete(listener);
        resolve(event);
      };
      listeners.add(listener);
    });
  }

  return {
    host,
    port,
    connectionString:
      `Endpoint=sb://${endpointHost}:${port};SharedAccessKeyName=${keyName};` +
      `SharedAccessKey=${key};UseDevelopmentEmulator=true`,
    state,
    counts(queueName) {
      const queue = namespace.findEntity(queueName);
      const deadLetterQueue = namespace.findEntity(`${queueName}/$DeadLetterQueue`);
      if (queue === undefined || deadLetterQueue === undefined) return undefined;
      return { queue: queue.counts(), deadLetterQueue: deadLetterQueue.counts() };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    nextEvent: nextEvent as ServiceBusEmulator['nextEvent'],
    async close() {
      if (closing) return;
      closing = true;
      for (const pendings of pendingAcceptsByEntity.values()) for (const pending of pendings) pending.timer.cancel();
      namespace.shutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // rhea learns of a dead socket from 'end' or 'error' only; a plain destroy() would leave its
      // heartbeat timer running forever.
      for (const socket of sockets) socket.destroy(new Error('service bus emulator stopped'));
      await closed;
      listeners.clear();
      logger.info({ port }, 'service bus emulator stopped');
    },
  };
}

function decodeBatch(data: Buffer): AmqpMessage[] {
  const envelope = rhea.message.decode(data) as unknown as { body?: { content?: unknown; multiple?: boolean } };
  const content = envelope.body?.content;
  const parts = envelope.body?.multiple === true && Array.isArray(content) ? content : [content];
  return parts.map((part) => rhea.message.decode(part as Buffer) as unknown as AmqpMessage);
}

function settledOutcome(disposition: Disposition): unknown {
  switch (disposition.kind) {
    case 'complete':
      return deliveryOutcomes.accepted().described();
    case 'abandon':
      return deliveryOutcomes.modified({ delivery_failed: true }).described();
    case 'defer':
      return deliveryOutcomes.modified({ undeliverable_here: true }).described();
    case 'deadLetter':
      return deliveryOutcomes.rejected({}).described();
  }
}

function notFound(path: string): AmqpError {
  return { condition: 'amqp:not-found', description: `The messaging entity '${path}' could not be found.` };
}

function unauthorized(path: string): AmqpError {
  return { condition: 'amqp:unauthorized-access', description: `Unauthorized access to '${path}': put a valid token on $cbs first.` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
