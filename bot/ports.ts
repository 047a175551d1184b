/**
 * The interfaces the core needs from the outside world. Implementations live in bot/adapters/
 * (Azure SDKs) and in tests; the deciders never see them, only the handle-* shells do.
 */

/** Time, injected so no decider or shell reads the wall clock directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Graph presence of one Teams user, as last observed. */
export interface PresenceReading {
  readonly userId: string;
  readonly availability: string;
  readonly activity: string;
}

export interface PresenceSubscription {
  readonly subscriptionId: string;
  readonly expiresAt: Date;
}

/** Microsoft Graph presence: reads, and change-notification subscriptions. */
export interface PresenceService {
  getPresences(userIds: readonly string[]): Promise<PresenceReading[]>;
  createSubscription(options: {
    readonly userIds: readonly string[];
    readonly notificationUrl: string;
    readonly clientState: string;
    readonly expiresAt: Date;
  }): Promise<PresenceSubscription>;
  renewSubscription(subscriptionId: string, expiresAt: Date): Promise<PresenceSubscription>;
  deleteSubscription(subscriptionId: string): Promise<void>;
}

import type { Understanding } from './call-flow/assistant-flow.js';
import type { CallCommand } from './call-flow/call-commands.js';
import type { ActionResult } from './call-flow/call-events.js';
import type { CallState, HistoryEntry } from './call-flow/call-state.js';

/** A step's output waiting to be carried out: written with the state, removed once executed. */
export interface OutboxEntry {
  readonly step: number;
  readonly createdAt: string;
  /** History items the step wrote with its save; a failed command's item is numbered after them. */
  readonly historyCount: number;
  readonly commands: readonly CallCommand[];
}

/** The call's state document as stored (DESIGN.md §4: state plus outbox, one ETag-guarded write). */
export interface CallRecord {
  readonly state: CallState;
  /** Number of the last decided step; history item ids derive from it. */
  readonly step: number;
  readonly outbox: readonly OutboxEntry[];
  /** Recently applied event ids, newest last, for de-duplicating redelivered callbacks. */
  readonly recentEventIds: readonly string[];
}

export interface StoredCallRecord {
  readonly record: CallRecord;
  readonly etag: string;
}

/** A history item as stored: one entry of a step, with its time. */
export interface StoredHistoryItem {
  /** Deterministic id; defaults to `<callId>:<step>:<index>`. */
  readonly id?: string;
  readonly callId: string;
  readonly step: number;
  readonly index: number;
  readonly at: string;
  readonly entry: HistoryEntry;
}

export class ConcurrencyConflict extends Error {
  constructor(readonly callId: string) {
    super(`Call ${callId} was changed by someone else`);
    this.name = 'ConcurrencyConflict';
  }
}

/**
 * The store could not be reached, or answered that it is busy or unavailable (Cosmos 408, 429 after
 * the SDK's own retries, 449, 500, 503, a reset connection). A write that failed so may still have
 * been applied: whoever retries must recognise its own write.
 */
export class StoreUnavailable extends Error {
  constructor(
    readonly operation: string,
    readonly reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`The store is unavailable (${operation}: ${reason})`, options);
    this.name = 'StoreUnavailable';
  }
}

/** Call Automation no longer knows the call (404): it ended, and its CallDisconnected is on the way. */
export class CallGone extends Error {
  constructor(readonly callConnectionId: string, options?: { readonly cause?: unknown }) {
    super(`Call Automation no longer knows call connection ${callConnectionId}`, options);
    this.name = 'CallGone';
  }
}

export interface CallStore {
  /** Creates the call; false if it already exists (a redelivered IncomingCall). */
  createCall(record: CallRecord, history?: readonly StoredHistoryItem[]): Promise<{ created: boolean; etag: string | undefined }>;
  /**
   * The call as stored. With `allowCached`, a store may answer from what this process last read or
   * wrote: every write that follows is ETag-guarded, so a stale answer costs a retry, never an update.
   */
  getCall(callId: string, options?: { readonly allowCached?: boolean }): Promise<StoredCallRecord | undefined>;
  /**
   * Replaces the call and writes the step's history items in one transaction (all or nothing) if
   * its ETag still matches; throws ConcurrencyConflict otherwise. Returns the new ETag.
   */
  replaceCall(record: CallRecord, etag: string, history?: readonly StoredHistoryItem[]): Promise<string>;
  /** Idempotent: items have deterministic ids, so a retry rewrites the same documents. */
  upsertHistory(items: readonly StoredHistoryItem[]): Promise<void>;
  listHistory(callId: string): Promise<StoredHistoryItem[]>;
  /** Up to `limit` ids of calls whose oldest outbox entry was created before `before` (ISO time). */
  listCallsWithOutboxBefore(before: string, limit: number): Promise<string[]>;
  /** Ids of the calls from a caller (their raw id, `4:+14255550123`), for an erasure request. */
  listCallsFromCaller(callerRawId: string): Promise<string[]>;
  /** The call that dialled a caller back on the Call Automation call with this correlation id. */
  findCallByCallbackCorrelationId(correlationId: string): Promise<string | undefined>;
}

/** Carries out call commands on Call Automation. Every command is safe to repeat. */
export interface CallControl {
  answerCall(options: { readonly incomingCallContext: string; readonly callbackUrl: string; readonly operationContext: string }): Promise<{ readonly callConnectionId: string }>;
  rejectCall(options: { readonly incomingCallContext: string; readonly reason: 'none' | 'busy' | 'forbidden' }): Promise<void>;
  /** Dials a phone number (a callback); its events go to `callbackUrl`. */
  createCall(options: { readonly phoneNumber: string; readonly fromNumber: string; readonly callbackUrl: string; readonly operationContext: string }): Promise<void>;
  /** Starts recording the call's audio; returns the recording id. */
  startRecording(options: { readonly callConnectionId: string; readonly callbackUrl: string }): Promise<string>;
  stopRecording(recordingId: string): Promise<void>;
  execute(callConnectionId: string, command: MediaCommand, context: { readonly callbackUrl: string; readonly callerRawId: string }): Promise<void>;
}

/** The commands Call Automation carries out. */
export type MediaCommand = Extract<CallCommand, { kind: 'PlayPrompt' | 'PlayAudio' | 'StartRecognition' | 'CancelMedia' | 'HangUp' | 'TransferToPhone' }>;

/**
 * A language-understanding service (Azure AI Language or Azure OpenAI in a deployment). The shell
 * asks it about a caller's words before deciding, because the decider itself is pure; without one,
 * or when it fails, the embedded classifier answers.
 */
export interface LanguageUnderstanding {
  understand(text: string, language: string, signal: AbortSignal): Promise<Understanding>;
}

/** A self-service action (order status, account balance, ...), named in the config. */
export interface ActionRunner {
  /** `today`: the caller's date (YYYY-MM-DD, the line's time zone), so a date far from it is said with its year. */
  run(
    action: string,
    request: { readonly slots: Readonly<Record<string, string>>; readonly language: string; readonly callerId: string; readonly signal: AbortSignal; readonly today?: string },
  ): Promise<ActionResult>;
}

/** Hands a call to routing (Service Bus `routing`), or takes it back when the caller leaves. */
export interface RoutingRequests {
  /** `requestId` is stable for the command, so executing it twice sends one message id. */
  requestRouting(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'RequestRouting' }>, requestId: string): Promise<void>;
  cancelRouting(callId: string, command: Extract<CallCommand, { kind: 'CancelRouting' }>, requestId: string): Promise<void>;
  notifyRouting(callId: string, command: Extract<CallCommand, { kind: 'NotifyRouting' }>): Promise<void>;
  requestCallback(callId: string, command: Extract<CallCommand, { kind: 'RequestCallback' }>, requestId: string): Promise<void>;
  callbackAnswered(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'CallbackAnswered' }>, requestId: string): Promise<void>;
  /** Queues the call as a callback at `command.at` (a scheduled message: nothing waits in memory). */
  scheduleCallback(callId: string, callConnectionId: string, command: Extract<CallCommand, { kind: 'ScheduleCallback' }>, requestId: string): Promise<void>;
}

import type { RoutingMessage } from './routing/routing-messages.js';
import type { Agent, QueueState } from './routing/routing-types.js';

/** Service Bus queue `routing` (sessionId = queueId). */
export interface RoutingBus {
  send(message: RoutingMessage): Promise<void>;
  /** Enqueued at `at`; the message id is deterministic, so a repeat is dropped by duplicate detection. */
  schedule(message: RoutingMessage, at: Date): Promise<void>;
}

export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

/** The `queues` container: one routing state document per queue. */
export interface QueueStore {
  getQueue(queueId: string): Promise<Versioned<QueueState> | undefined>;
  /** Creates, or replaces when the ETag matches; throws ConcurrencyConflict otherwise. */
  saveQueue(state: QueueState, etag: string | undefined): Promise<string>;
}

/** The `agents` container. */
export interface AgentStore {
  getAgent(agentId: string): Promise<Versioned<Agent> | undefined>;
  saveAgent(agent: Agent, etag: string | undefined): Promise<string>;
  listAgents(): Promise<Agent[]>;
  /** The agents signed in with these Teams users, by Teams user id; users with no agent are absent. */
  agentIdsByTeamsUser(teamsUserIds: readonly string[]): Promise<Map<string, string>>;
}

/** Teams users joining calls (the routing shell's side of Call Automation). */
export interface AgentCallControl {
  addTeamsUser(options: {
    readonly callConnectionId: string;
    readonly teamsUserId: string;
    readonly invitationTimeoutInSeconds: number;
    readonly operationContext: string;
    readonly callbackUrl: string;
  }): Promise<void>;
  removeTeamsUser(options: { readonly callConnectionId: string; readonly teamsUserId: string; readonly operationContext: string }): Promise<void>;
}
