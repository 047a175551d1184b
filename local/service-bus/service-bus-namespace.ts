import { randomUUID } from 'node:crypto';
import type { Message as AmqpMessage } from 'rhea';
import { z } from 'zod';
import type { EmulatorClock, EmulatorTimer } from './emulator-clock.js';
import { SequenceNumberHeap } from './sequence-number-heap.js';

/** A queue as declared in config. Defaults are Service Bus's own. */
export interface QueueDefinition {
  readonly name: string;
  /** Peek-lock duration; Service Bus default 60 s. */
  readonly lockDurationInMs?: number;
  /** Deliveries before a message is dead-lettered; Service Bus default 10. */
  readonly maxDeliveryCount?: number;
  readonly requiresSession?: boolean;
  readonly requiresDuplicateDetection?: boolean;
  /** Service Bus default 10 minutes. */
  readonly duplicateDetectionHistoryTimeWindowInMs?: number;
  readonly deadLetteringOnMessageExpiration?: boolean;
}

/** Queue definitions as they come from config; entity names are case-insensitive and unique. */
export const queueDefinitionsSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/, 'a Service Bus queue name'),
      lockDurationInMs: z.number().int().min(1).max(300_000).optional(),
      maxDeliveryCount: z.number().int().min(1).optional(),
      requiresSession: z.boolean().optional(),
      requiresDuplicateDetection: z.boolean().optional(),
      duplicateDetectionHistoryTimeWindowInMs: z.number().int().min(1).optional(),
      deadLetteringOnMessageExpiration: z.boolean().optional(),
    }),
  )
  .refine((queues) => new Set(queues.map((q) => q.name.toLowerCase())).size === queues.length, 'queue names must be unique');

export type ResolvedQueueDefinition = Required<QueueDefinition>;

export function resolveQueueDefinition(definition: QueueDefinition): ResolvedQueueDefinition {
  return {
    name: definition.name,
    lockDurationInMs: definition.lockDurationInMs ?? 60_000,
    maxDeliveryCount: definition.maxDeliveryCount ?? 10,
    requiresSession: definition.requiresSession ?? false,
    requiresDuplicateDetection: definition.requiresDuplicateDetection ?? false,
    duplicateDetectionHistoryTimeWindowInMs: definition.duplicateDetectionHistoryTimeWindowInMs ?? 600_000,
    deadLetteringOnMessageExpiration: definition.deadLetteringOnMessageExpiration ?? false,
  };
}

export type MessageState = 'active' | 'deferred' | 'scheduled';

/** One message held by the broker. Plain data, so a restarted emulator can take it over. */
export interface StoredMessage {
  readonly sequenceNumber: number;
  readonly messageId: string;
  readonly sessionId: string | undefined;
  /** The sender's message (header, properties, application properties, annotations, body). */
  readonly amqp: AmqpMessage;
  enqueuedAtMs: number;
  readonly scheduledEnqueueAtMs: number | undefined;
  readonly expiresAtMs: number | undefined;
  /** Failed deliveries so far (AMQP header `delivery-count`): 0 on the first delivery. */
  deliveryCount: number;
  state: MessageState;
  lock: { readonly token: string; lockedUntilMs: number } | undefined;
}

export interface EntityState {
  nextSequenceNumber: number;
  /** Insertion order is sequence-number order: numbers are taken when a message is stored. */
  readonly messages: Map<number, StoredMessage>;
}

export interface QueueState {
  readonly active: EntityState;
  readonly deadLetter: EntityState;
  readonly sessionStates: Map<string, Buffer>;
  /** Message id -> end of its duplicate-detection window. */
  readonly recentMessageIds: Map<string, number>;
}

/**
 * Everything the broker must keep across a restart: messages (with their peek-locks, which outlive
 * connections as on Service Bus), sequence counters, session state and duplicate-detection history.
 * Session locks are not kept: they belong to a receiver link, and links die with the server.
 */
export interface ServiceBusEmulatorState {
  /** Keyed by lower-case queue name (entity names are case-insensitive). */
  readonly queues: Map<string, QueueState>;
}

export function createEmptyEmulatorState(): ServiceBusEmulatorState {
  return { queues: new Map() };
}

export type Disposition =
  | { readonly kind: 'complete' }
  | { readonly kind: 'abandon'; readonly propertiesToModify?: Record<string, unknown> }
  | { readonly kind: 'defer'; readonly propertiesToModify?: Record<string, unknown> }
  | {
      readonly kind: 'deadLetter';
      readonly reason?: string;
      readonly description?: string;
      readonly propertiesToModify?: Record<string, unknown>;
    };

export type SettleOutcome = 'settled' | 'lockLost' | 'sessionLockLost';

export type AcceptSessionOutcome =
  | { readonly outcome: 'locked'; readonly sessionId: string; readonly lockedUntilMs: number }
  | { readonly outcome: 'noneAvailable' }
  | { readonly outcome: 'lockedByAnother' };

/** What the broker reports, for logs and for tests that await a transition instead of sleeping. */
export type ServiceBusEmulatorEvent =
  | { readonly type: 'messageEnqueued'; readonly entity: string; readonly sequenceNumber: number; readonly messageId: string; readonly sessionId?: string }
  | { readonly type: 'duplicateDropped'; readonly entity: string; readonly messageId: string }
  | { readonly type: 'messageScheduled'; readonly entity: string; readonly sequenceNumber: number; readonly scheduledEnqueueAtMs: number }
  | { readonly type: 'scheduledMessageCancelled'; readonly entity: string; readonly sequenceNumber: number }
  | { readonly type: 'messageLocked'; readonly entity: string; readonly sequenceNumber: number; readonly lockToken: string; readonly deliveryCount: number }
  | { readonly type: 'messageReceivedAndDeleted'; readonly entity: string; readonly sequenceNumber: number }
  | { readonly type: 'messageCompleted'; readonly entity: string; readonly sequenceNumber: number }
  | { readonly type: 'messageAbandoned'; readonly entity: string; readonly sequenceNumber: number; readonly deliveryCount: number }
  | { readonly type: 'messageDeferred'; readonly entity: string; readonly sequenceNumber: number }
  | { readonly type: 'messageDeadLettered'; readonly entity: string; readonly sequenceNumber: number; readonly reason: string | undefined }
  | { readonly type: 'messageExpired'; readonly entity: string; readonly sequenceNumber: number }
  | { readonly type: 'lockExpired'; readonly entity: string; readonly sequenceNumber: number; readonly deliveryCount: number }
  | { readonly type: 'lockRenewed'; readonly entity: string; readonly sequenceNumber: number; readonly lockedUntilMs: number }
  | { readonly type: 'settlementRejected'; readonly entity: string; readonly lockToken: string; readonly reason: SettleOutcome }
  | { readonly type: 'sessionLocked'; readonly entity: string; readonly sessionId: string; readonly ownerId: string }
  | { readonly type: 'sessionReleased'; readonly entity: string; readonly sessionId: string }
  | { readonly type: 'sessionLockRenewed'; readonly entity: string; readonly sessionId: string; readonly lockedUntilMs: number }
  | { readonly type: 'sessionLockLost'; readonly entity: string; readonly sessionId: string; readonly ownerId: string }
  | { readonly type: 'sessionStateSet'; readonly entity: string; readonly sessionId: string }
  | { readonly type: 'sessionAcceptWaiting'; readonly entity: string; readonly linkName: string; readonly timeoutInMs: number }
  | { readonly type: 'receiverAttached'; readonly entity: string; readonly linkName: string; readonly sessionId?: string }
  | { readonly type: 'receiverDetached'; readonly entity: string; readonly linkName: string; readonly sessionId?: string };

export interface NamespaceHooks {
  /** A message became deliverable (`sessionId` set on session queues). */
  onMessageAvailable(entity: QueueEntity, sessionId: string | undefined): void;
  /** A session lock expired; the link holding it must be detached. */
  onSessionLockLost(entity: QueueEntity, sessionId: string, ownerId: string): void;
  onEvent(event: ServiceBusEmulatorEvent): void;
}

interface SessionLock {
  readonly ownerId: string;
  lockedUntilMs: number;
  timer: EmulatorTimer;
  readonly lockedSequenceNumbers: Set<number>;
}

export const deadLetterQueueSuffix = '/$DeadLetterQueue';
const maxDeliveryCountExceeded = 'MaxDeliveryCountExceeded';

/**
 * One queue or one dead-letter queue: ordered storage, peek-locks, deferral, scheduling and, for
 * session queues, session locks. All state changes happen here, synchronously; the AMQP layer only
 * translates frames into these calls and back.
 */
export class QueueEntity {
  readonly path: string;
  readonly requiresSession: boolean;
  private readonly ready = new SequenceNumberHeap();
  private readonly readyBySession = new Map<string, SequenceNumberHeap>();
  private readonly sequenceNumberByLockToken = new Map<string, number>();
  private readonly lockTimers = new Map<number, EmulatorTimer>();
  private readonly scheduleTimers = new Map<number, EmulatorTimer>();
  private readonly expiryTimers = new Map<number, EmulatorTimer>();
  private readonly sessionLocks = new Map<string, SessionLock>();

  constructor(
    readonly definition: ResolvedQueueDefinition,
    readonly isDeadLetterQueue: boolean,
    private readonly state: EntityState,
    private readonly queueState: QueueState,
    private readonly deadLetterTarget: QueueEntity | undefined,
    private readonly clock: EmulatorClock,
    private readonly hooks: NamespaceHooks,
  ) {
    this.path = isDeadLetterQueue ? `${definition.name}${deadLetterQueueSuffix}` : definition.name;
    this.requiresSession = !isDeadLetterQueue && definition.requiresSession;
    this.restoreTimersAndIndexes();
  }

  /** Message counts by state, for logs and tests. */
  counts(): { active: number; locked: number; deferred: number; scheduled: number } {
    const counts = { active: 0, locked: 0, deferred: 0, scheduled: 0 };
    for (const message of this.state.messages.values()) {
      if (message.lock !== undefined) counts.locked += 1;
      else counts[message.state] += 1;
    }
    return counts;
  }

  /** Why the broker refuses this message, or undefined when it accepts it. */
  refusalReason(message: AmqpMessage): string | undefined {
    if (this.isDeadLetterQueue) return 'Messages cannot be sent to a dead-letter queue.';
    if (this.requiresSession && (message.group_id === undefined || message.group_id === null)) {
      return (
        `The SessionId was not set on a message, and it cannot be sent to the entity '${this.path}'. ` +
        'Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.'
      );
    }
    return undefined;
  }

  /**
   * Stores a sent or scheduled message. A message with `x-opt-scheduled-enqueue-time` in the future
   * waits as `scheduled`. Returns undefined when duplicate detection drops it.
   */
  enqueue(amqp: AmqpMessage, options: { readonly scheduledEnqueueAtMs?: number } = {}): StoredMessage | undefined {
    const now = this.clock.now();
    // The client cannot settle a message without an id, so the broker assigns one like Service Bus.
    if (amqp.message_id === undefined || amqp.message_id === null || amqp.message_id === '') {
      amqp.message_id = randomUUID();
    }
    const messageId = String(amqp.message_id);
    if (this.definition.requiresDuplicateDetection && !this.isDeadLetterQueue) {
      const until = this.queueState.recentMessageIds.get(messageId);
      if (until !== undefined && until > now) {
        this.hooks.onEvent({ type: 'duplicateDropped', entity: this.path, messageId });
        return undefined;
      }
      this.rememberMessageId(messageId, now);
    }
    const annotated = readTimeMs(amqp.message_annotations?.['x-opt-scheduled-enqueue-time']);
    const scheduledEnqueueAtMs = options.scheduledEnqueueAtMs ?? annotated;
    const isScheduled = scheduledEnqueueAtMs !== undefined && scheduledEnqueueAtMs > now;
    const enqueuedAtMs = isScheduled ? scheduledEnqueueAtMs : now;
    const message: StoredMessage = {
      sequenceNumber: this.state.nextSequenceNumber++,
      messageId,
      sessionId: amqp.group_id === undefined || amqp.group_id === null ? undefined : String(amqp.group_id),
      amqp,
      enqueuedAtMs,
      scheduledEnqueueAtMs,
      expiresAtMs: expiryOf(amqp, enqueuedAtMs),
      deliveryCount: 0,
      state: isScheduled ? 'scheduled' : 'active',
      lock: undefined,
    };
    this.state.messages.set(message.sequenceNumber, message);
    this.armExpiryTimer(message);
    if (isScheduled) {
      this.hooks.onEvent({ type: 'messageScheduled', entity: this.path, sequenceNumber: message.sequenceNumber, scheduledEnqueueAtMs });
      this.armScheduleTimer(message);
    } else {
      this.hooks.onEvent({
        type: 'messageEnqueued',
        entity: this.path,
        sequenceNumber: message.sequenceNumber,
        messageId,
        ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
      });
      this.makeReady(message);
    }
    return message;
  }

  /** Removes scheduled messages before they are enqueued; unknown numbers are ignored. */
  cancelScheduled(sequenceNumbers: readonly number[]): void {
    for (const sequenceNumber of sequenceNumbers) {
      const message = this.state.messages.get(sequenceNumber);
      if (message?.state !== 'scheduled') continue;
      this.remove(message);
      this.hooks.onEvent({ type: 'scheduledMessageCancelled', entity: this.path, sequenceNumber });
    }
  }

  /** True when `lockNext` for this session (or the queue) would find a message. */
  hasDeliverable(sessionId: string | undefined): boolean {
    const heap = sessionId === undefined ? this.ready : this.readyBySession.get(sessionId);
    if (heap === undefined) return false;
    for (;;) {
      const top = heap.peek();
      if (top === undefined) {
        if (sessionId !== undefined) this.readyBySession.delete(sessionId);
        return false;
      }
      const message = this.state.messages.get(top);
      if (message !== undefined && message.state === 'active' && message.lock === undefined) {
        if (!this.isExpired(message)) return true;
        heap.pop();
        this.expire(message);
        continue;
      }
      heap.pop();
    }
  }

  /**
   * Takes the next deliverable message (of `sessionId`, on session queues). Peek-lock locks it;
   * receive-and-delete removes it.
   */
  lockNext(sessionId: string | undefined, mode: 'peekLock' | 'receiveAndDelete'): StoredMessage | undefined {
    if (!this.hasDeliverable(sessionId)) return undefined;
    const heap = sessionId === undefined ? this.ready : this.readyBySession.get(sessionId);
    const sequenceNumber = heap?.pop();
    const message = sequenceNumber === undefined ? undefined : this.state.messages.get(sequenceNumber);
    if (message === undefined) return undefined;
    if (mode === 'receiveAndDelete') {
      this.remove(message);
      this.hooks.onEvent({ type: 'messageReceivedAndDeleted', entity: this.path, sequenceNumber: message.sequenceNumber });
      return message;
    }
    this.lock(message);
    return message;
  }

  settle(lockToken: string, disposition: Disposition): SettleOutcome {
    const message = this.lockedMessage(lockToken);
    if (message === undefined) {
      const reason: SettleOutcome = this.requiresSession ? 'sessionLockLost' : 'lockLost';
      this.hooks.onEvent({ type: 'settlementRejected', entity: this.path, lockToken, reason });
      return reason;
    }
    this.unlock(message);
    switch (disposition.kind) {
      case 'complete':
        this.remove(message);
        this.hooks.onEvent({ type: 'messageCompleted', entity: this.path, sequenceNumber: message.sequenceNumber });
        break;
      case 'abandon':
        applyPropertiesToModify(message, disposition.propertiesToModify);
        this.hooks.onEvent({
          type: 'messageAbandoned',
          entity: this.path,
          sequenceNumber: message.sequenceNumber,
          deliveryCount: message.deliveryCount + 1,
        });
        this.afterFailedDelivery(message);
        break;
      case 'defer':
        applyPropertiesToModify(message, disposition.propertiesToModify);
        message.state = 'deferred';
        this.hooks.onEvent({ type: 'messageDeferred', entity: this.path, sequenceNumber: message.sequenceNumber });
        break;
      case 'deadLetter':
        applyPropertiesToModify(message, disposition.propertiesToModify);
        this.deadLetter(message, disposition.reason, disposition.description);
        break;
    }
    return 'settled';
  }

  /** Extends a message lock by the queue's lock duration. */
  renewLock(lockToken: string): number | 'lockLost' {
    const message = this.lockedMessage(lockToken);
    // Session messages live under their session's lock: renew-session-lock, not renew-lock.
    if (message?.lock === undefined || this.requiresSession) return 'lockLost';
    message.lock.lockedUntilMs = this.clock.now() + this.definition.lockDurationInMs;
    this.armLockTimer(message);
    this.hooks.onEvent({ type: 'lockRenewed', entity: this.path, sequenceNumber: message.sequenceNumber, lockedUntilMs: message.lock.lockedUntilMs });
    return message.lock.lockedUntilMs;
  }

  /** Messages from `fromSequenceNumber` on, without locking them (active, deferred and scheduled). */
  peek(fromSequenceNumber: number, maxCount: number, sessionId: string | undefined): StoredMessage[] {
    const found: StoredMessage[] = [];
    for (const message of this.state.messages.values()) {
      if (found.length >= maxCount) break;
      if (message.sequenceNumber < fromSequenceNumber) continue;
      if (sessionId !== undefined && message.sessionId !== sessionId) continue;
      if (message.state === 'active' && message.lock === undefined && this.isExpired(message)) continue;
      found.push(message);
    }
    return found;
  }

  /**
   * Receives deferred messages by sequence number. Every number must name a deferred message (of
   * `sessionId`, on session queues), else nothing is received and the caller reports MessageNotFound.
   */
  receiveDeferred(
    sequenceNumbers: readonly number[],
    mode: 'peekLock' | 'receiveAndDelete',
    sessionId: string | undefined,
  ): StoredMessage[] | { readonly missing: number } {
    const messages: StoredMessage[] = [];
    for (const sequenceNumber of sequenceNumbers) {
      const message = this.state.messages.get(sequenceNumber);
      if (message?.state !== 'deferred' || (this.requiresSession && message.sessionId !== sessionId)) {
        return { missing: sequenceNumber };
      }
      messages.push(message);
    }
    for (const message of messages) {
      if (message.lock !== undefined) this.unlock(message);
      if (mode === 'receiveAndDelete') {
        this.remove(message);
        this.hooks.onEvent({ type: 'messageReceivedAndDeleted', entity: this.path, sequenceNumber: message.sequenceNumber });
      } else {
        this.lock(message);
      }
    }
    return messages;
  }

  /** Locks a session for one receiver: the named one, or the oldest one with a deliverable message. */
  acceptSession(requestedSessionId: string | undefined, ownerId: string): AcceptSessionOutcome {
    let sessionId = requestedSessionId;
    if (sessionId === undefined) {
      for (const candidate of this.readyBySession.keys()) {
        if (!this.sessionLocks.has(candidate) && this.hasDeliverable(candidate)) {
          sessionId = candidate;
          break;
        }
      }
      if (sessionId === undefined) return { outcome: 'noneAvailable' };
    } else if (this.sessionLocks.has(sessionId)) {
      return { outcome: 'lockedByAnother' };
    }
    const lockedSessionId = sessionId;
    const lockedUntilMs = this.clock.now() + this.definition.lockDurationInMs;
    const lock: SessionLock = {
      ownerId,
      lockedUntilMs,
      timer: this.clock.setTimer(() => this.loseSessionLock(lockedSessionId), this.definition.lockDurationInMs),
      lockedSequenceNumbers: new Set(),
    };
    this.sessionLocks.set(lockedSessionId, lock);
    this.hooks.onEvent({ type: 'sessionLocked', entity: this.path, sessionId: lockedSessionId, ownerId });
    return { outcome: 'locked', sessionId: lockedSessionId, lockedUntilMs };
  }

  /** The receiver holding the session went away: its unsettled messages count as failed deliveries. */
  releaseSession(sessionId: string, ownerId: string): void {
    const lock = this.sessionLocks.get(sessionId);
    if (lock?.ownerId !== ownerId) return;
    this.dropSessionLock(sessionId, lock);
    this.hooks.onEvent({ type: 'sessionReleased', entity: this.path, sessionId });
    if (this.hasDeliverable(sessionId)) this.hooks.onMessageAvailable(this, sessionId);
  }

  renewSessionLock(sessionId: string, ownerId: string | undefined): number | 'sessionLockLost' {
    const lock = this.sessionLocks.get(sessionId);
    if (lock === undefined || (ownerId !== undefined && lock.ownerId !== ownerId)) return 'sessionLockLost';
    lock.timer.cancel();
    lock.lockedUntilMs = this.clock.now() + this.definition.lockDurationInMs;
    lock.timer = this.clock.setTimer(() => this.loseSessionLock(sessionId), this.definition.lockDurationInMs);
    for (const sequenceNumber of lock.lockedSequenceNumbers) {
      const message = this.state.messages.get(sequenceNumber);
      if (message?.lock !== undefined) message.lock.lockedUntilMs = lock.lockedUntilMs;
    }
    this.hooks.onEvent({ type: 'sessionLockRenewed', entity: this.path, sessionId, lockedUntilMs: lock.lockedUntilMs });
    return lock.lockedUntilMs;
  }

  isSessionLockedBy(sessionId: string, ownerId: string | undefined): boolean {
    const lock = this.sessionLocks.get(sessionId);
    return lock !== undefined && (ownerId === undefined || lock.ownerId === ownerId);
  }

  sessionLockedUntil(sessionId: string): number | undefined {
    return this.sessionLocks.get(sessionId)?.lockedUntilMs;
  }

  getSessionState(sessionId: string): Buffer | undefined {
    return this.queueState.sessionStates.get(sessionId);
  }

  setSessionState(sessionId: string, value: Buffer | undefined): void {
    if (value === undefined) this.queueState.sessionStates.delete(sessionId);
    else this.queueState.sessionStates.set(sessionId, value);
    this.hooks.onEvent({ type: 'sessionStateSet', entity: this.path, sessionId });
  }

  /** Stops every timer and drops session locks; message locks stay in the state for the next start. */
  shutdown(): void {
    for (const [sessionId, lock] of [...this.sessionLocks]) this.dropSessionLock(sessionId, lock);
    for (const timers of [this.lockTimers, this.scheduleTimers, this.expiryTimers]) {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    }
  }

  /** Moves a message here from its queue, stamped with the reason (Service Bus application properties). */
  receiveDeadLettered(source: StoredMessage, reason: string | undefined, description: string | undefined): void {
    const amqp: AmqpMessage = { ...source.amqp, application_properties: { ...source.amqp.application_properties } };
    if (reason !== undefined) amqp.application_properties!['DeadLetterReason'] = reason;
    if (description !== undefined) amqp.application_properties!['DeadLetterErrorDescription'] = description;
    const message: StoredMessage = {
      ...source,
      amqp,
      sequenceNumber: this.state.nextSequenceNumber++,
      expiresAtMs: undefined,
      state: 'active',
      lock: undefined,
    };
    this.state.messages.set(message.sequenceNumber, message);
    this.makeReady(message);
  }

  private lock(message: StoredMessage): void {
    const token = randomUUID();
    const sessionLock = message.sessionId === undefined || !this.requiresSession ? undefined : this.sessionLocks.get(message.sessionId);
    message.lock = {
      token,
      lockedUntilMs: sessionLock?.lockedUntilMs ?? this.clock.now() + this.definition.lockDurationInMs,
    };
    this.sequenceNumberByLockToken.set(token, message.sequenceNumber);
    // Session messages are locked as long as their session is; the session lock's timer covers them.
    if (sessionLock !== undefined) sessionLock.lockedSequenceNumbers.add(message.sequenceNumber);
    else this.armLockTimer(message);
    this.hooks.onEvent({
      type: 'messageLocked',
      entity: this.path,
      sequenceNumber: message.sequenceNumber,
      lockToken: token,
      deliveryCount: message.deliveryCount,
    });
  }

  private unlock(message: StoredMessage): void {
    if (message.lock === undefined) return;
    this.sequenceNumberByLockToken.delete(message.lock.token);
    message.lock = undefined;
    this.lockTimers.get(message.sequenceNumber)?.cancel();
    this.lockTimers.delete(message.sequenceNumber);
    if (message.sessionId !== undefined) this.sessionLocks.get(message.sessionId)?.lockedSequenceNumbers.delete(message.sequenceNumber);
  }

  private lockedMessage(lockToken: string): StoredMessage | undefined {
    const sequenceNumber = this.sequenceNumberByLockToken.get(lockToken);
    const message = sequenceNumber === undefined ? undefined : this.state.messages.get(sequenceNumber);
    if (message?.lock?.token !== lockToken) return undefined;
    if (message.lock.lockedUntilMs < this.clock.now()) {
      // The timer has not run yet (event-loop lag); the lock is gone all the same.
      this.expireLock(message);
      return undefined;
    }
    return message;
  }

  private armLockTimer(message: StoredMessage): void {
    if (message.lock === undefined) return;
    this.lockTimers.get(message.sequenceNumber)?.cancel();
    this.lockTimers.set(message.sequenceNumber, this.clock.setTimerAt(() => this.expireLock(message), message.lock.lockedUntilMs + 1));
  }

  private expireLock(message: StoredMessage): void {
    if (message.lock === undefined || this.state.messages.get(message.sequenceNumber) !== message) return;
    this.unlock(message);
    this.hooks.onEvent({
      type: 'lockExpired',
      entity: this.path,
      sequenceNumber: message.sequenceNumber,
      deliveryCount: message.deliveryCount + 1,
    });
    this.afterFailedDelivery(message);
  }

  /** Abandon, lock expiry or a lost session: one more failed delivery, then retry or dead-letter. */
  private afterFailedDelivery(message: StoredMessage): void {
    message.deliveryCount += 1;
    if (!this.isDeadLetterQueue && message.deliveryCount >= this.definition.maxDeliveryCount) {
      this.deadLetter(
        message,
        maxDeliveryCountExceeded,
        `Message could not be consumed after ${this.definition.maxDeliveryCount} delivery attempts.`,
      );
      return;
    }
    if (message.state === 'active') this.makeReady(message);
  }

  private deadLetter(message: StoredMessage, reason: string | undefined, description: string | undefined): void {
    this.hooks.onEvent({ type: 'messageDeadLettered', entity: this.path, sequenceNumber: message.sequenceNumber, reason });
    if (this.deadLetterTarget === undefined) {
      // Dead-lettering from the dead-letter queue keeps the message where it is.
      if (message.state === 'active') this.makeReady(message);
      return;
    }
    this.remove(message);
    this.deadLetterTarget.receiveDeadLettered(message, reason, description);
  }

  private isExpired(message: StoredMessage): boolean {
    return message.expiresAtMs !== undefined && message.expiresAtMs <= this.clock.now();
  }

  private expire(message: StoredMessage): void {
    this.hooks.onEvent({ type: 'messageExpired', entity: this.path, sequenceNumber: message.sequenceNumber });
    if (this.definition.deadLetteringOnMessageExpiration && this.deadLetterTarget !== undefined) {
      this.deadLetter(message, 'TTLExpiredException', 'The message expired and was dead lettered.');
    } else {
      this.remove(message);
    }
  }

  /** Drops a message from the store with everything that refers to it. */
  private remove(message: StoredMessage): void {
    this.unlock(message);
    this.state.messages.delete(message.sequenceNumber);
    for (const timers of [this.scheduleTimers, this.expiryTimers]) {
      timers.get(message.sequenceNumber)?.cancel();
      timers.delete(message.sequenceNumber);
    }
  }

  /** Service Bus expires messages in the background, so a dead-lettered expiry shows without a receiver. */
  private armExpiryTimer(message: StoredMessage): void {
    if (message.expiresAtMs === undefined) return;
    this.expiryTimers.set(
      message.sequenceNumber,
      this.clock.setTimerAt(() => {
        this.expiryTimers.delete(message.sequenceNumber);
        // A locked message expires when its lock ends and a receiver next asks.
        if (this.state.messages.get(message.sequenceNumber) !== message || message.lock !== undefined) return;
        if (message.state === 'scheduled') return;
        this.expire(message);
      }, message.expiresAtMs),
    );
  }

  private makeReady(message: StoredMessage): void {
    if (this.requiresSession && message.sessionId !== undefined) {
      let heap = this.readyBySession.get(message.sessionId);
      if (heap === undefined) {
        heap = new SequenceNumberHeap();
        this.readyBySession.set(message.sessionId, heap);
      }
      heap.push(message.sequenceNumber);
      this.hooks.onMessageAvailable(this, message.sessionId);
    } else {
      this.ready.push(message.sequenceNumber);
      this.hooks.onMessageAvailable(this, undefined);
    }
  }

  private armScheduleTimer(message: StoredMessage): void {
    this.scheduleTimers.set(
      message.sequenceNumber,
      this.clock.setTimerAt(() => {
        this.scheduleTimers.delete(message.sequenceNumber);
        if (this.state.messages.get(message.sequenceNumber) !== message || message.state !== 'scheduled') return;
        // Service Bus appends a scheduled message when its time comes, with a new sequence number,
        // so it follows everything enqueued while it waited (the old number no longer cancels it).
        this.remove(message);
        const active: StoredMessage = { ...message, sequenceNumber: this.state.nextSequenceNumber++, state: 'active' };
        this.state.messages.set(active.sequenceNumber, active);
        this.armExpiryTimer(active);
        this.hooks.onEvent({
          type: 'messageEnqueued',
          entity: this.path,
          sequenceNumber: active.sequenceNumber,
          messageId: active.messageId,
          ...(active.sessionId === undefined ? {} : { sessionId: active.sessionId }),
        });
        this.makeReady(active);
      }, message.enqueuedAtMs),
    );
  }

  private loseSessionLock(sessionId: string): void {
    const lock = this.sessionLocks.get(sessionId);
    if (lock === undefined) return;
    this.dropSessionLock(sessionId, lock);
    this.hooks.onEvent({ type: 'sessionLockLost', entity: this.path, sessionId, ownerId: lock.ownerId });
    this.hooks.onSessionLockLost(this, sessionId, lock.ownerId);
    if (this.hasDeliverable(sessionId)) this.hooks.onMessageAvailable(this, sessionId);
  }

  private dropSessionLock(sessionId: string, lock: SessionLock): void {
    lock.timer.cancel();
    this.sessionLocks.delete(sessionId);
    for (const sequenceNumber of lock.lockedSequenceNumbers) {
      const message = this.state.messages.get(sequenceNumber);
      if (message?.lock === undefined) continue;
      this.sequenceNumberByLockToken.delete(message.lock.token);
      message.lock = undefined;
      this.afterFailedDelivery(message);
    }
    lock.lockedSequenceNumbers.clear();
  }

  private rememberMessageId(messageId: string, now: number): void {
    const history = this.queueState.recentMessageIds;
    history.set(messageId, now + this.definition.duplicateDetectionHistoryTimeWindowInMs);
    if (history.size % 1024 === 0) {
      for (const [id, until] of history) if (until <= now) history.delete(id);
    }
  }

  private restoreTimersAndIndexes(): void {
    for (const message of [...this.state.messages.values()]) {
      this.armExpiryTimer(message);
      if (message.state === 'scheduled') {
        this.armScheduleTimer(message);
      } else if (message.lock !== undefined && this.requiresSession) {
        // Its session lock died with the previous server: a failed delivery.
        message.lock = undefined;
        this.afterFailedDelivery(message);
      } else if (message.lock !== undefined) {
        this.sequenceNumberByLockToken.set(message.lock.token, message.sequenceNumber);
        this.armLockTimer(message);
      } else if (message.state === 'active') {
        this.makeReady(message);
      }
    }
  }
}

/** Service Bus copies `propertiesToModify` of abandon, defer and dead-letter into the application properties. */
function applyPropertiesToModify(message: StoredMessage, properties: Record<string, unknown> | undefined): void {
  if (properties === undefined || Object.keys(properties).length === 0) return;
  (message as { amqp: AmqpMessage }).amqp = {
    ...message.amqp,
    application_properties: { ...message.amqp.application_properties, ...properties },
  };
}

function readTimeMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return undefined;
}

/**
 * Service Bus counts time-to-live from the enqueue time (the header `ttl`); the sender's
 * `absolute-expiry-time` is on the sender's clock and serves only when there is no `ttl`.
 */
function expiryOf(amqp: AmqpMessage, enqueuedAtMs: number): number | undefined {
  // The SDK caps "no time-to-live" at the max uint; treat anything that far out as none.
  if (typeof amqp.ttl === 'number' && amqp.ttl > 0) return amqp.ttl >= 0xffff_ffff ? undefined : enqueuedAtMs + amqp.ttl;
  const absolute = readTimeMs(amqp.absolute_expiry_time);
  return absolute !== undefined && absolute < 8.64e15 ? absolute : undefined;
}

/** All queues of the emulated namespace, built from the definitions and the (possibly restored) state. */
export class ServiceBusNamespace {
  private readonly entities = new Map<string, QueueEntity>();

  constructor(
    definitions: readonly QueueDefinition[],
    readonly state: ServiceBusEmulatorState,
    clock: EmulatorClock,
    hooks: NamespaceHooks,
  ) {
    for (const definition of definitions.map(resolveQueueDefinition)) {
      const key = definition.name.toLowerCase();
      let queueState = state.queues.get(key);
      if (queueState === undefined) {
        queueState = {
          active: { nextSequenceNumber: 1, messages: new Map() },
          deadLetter: { nextSequenceNumber: 1, messages: new Map() },
          sessionStates: new Map(),
          recentMessageIds: new Map(),
        };
        state.queues.set(key, queueState);
      }
      const deadLetter = new QueueEntity(definition, true, queueState.deadLetter, queueState, undefined, clock, hooks);
      const active = new QueueEntity(definition, false, queueState.active, queueState, deadLetter, clock, hooks);
      this.entities.set(key, active);
      this.entities.set(`${key}${deadLetterQueueSuffix.toLowerCase()}`, deadLetter);
    }
  }

  /** `orders`, `orders/$DeadLetterQueue` (any case), optionally as a full `sb://host/...` URI. */
  findEntity(address: string): QueueEntity | undefined {
    return this.entities.get(entityPathOf(address).toLowerCase());
  }

  shutdown(): void {
    for (const entity of this.entities.values()) entity.shutdown();
  }
}

/** Strips the `sb://host/` prefix clients may put on addresses and audiences. */
export function entityPathOf(address: string): string {
  const withoutScheme = address.replace(/^(sb|amqps?):\/\/[^/]*\/?/i, '');
  return withoutScheme.replace(/^\/+|\/+$/g, '');
}
