import { z } from 'zod';
import { toCallEvent, callbackBodySchema } from './adapters/acs-callback-events.js';
import type { CallbackAuthResult } from './adapters/acs-callback-auth.js';
import type { CallCommand } from './call-flow/call-commands.js';
import type { ActionResult, CallEvent } from './call-flow/call-events.js';
import type { Decision } from './call-flow/call-state.js';
import type { Logger } from './logger.js';
import { outboxLeaseInMs, type DeferredOutboxClears } from './deferred-outbox-clears.js';
import { assertNever } from './assert-never.js';
import {
  CallGone,
  ConcurrencyConflict,
  StoreUnavailable,
  type ActionRunner,
  type AgentCallControl,
  type RoutingRequests,
  type CallControl,
  type CallRecord,
  type CallStore,
  type Clock,
  type OutboxEntry,
  type StoredCallRecord,
  type StoredHistoryItem,
  type LanguageUnderstanding,
} from './ports.js';
import type { CallState } from './call-flow/call-state.js';
import { storeRetries } from './store-retries.js';

export interface CallShellDependencies {
  readonly store: CallStore;
  readonly control: CallControl;
  readonly agentCalls: AgentCallControl;
  readonly actions: ActionRunner;
  /** Absent until routing is deployed: escalations then hear a clear message and end. */
  readonly routing: RoutingRequests | undefined;
  /** Waits within one invocation (the filler before a slow action); injected for tests. */
  readonly delay: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly decide: (state: CallState, event: CallEvent, now: Date) => Decision;
  readonly callbackUrl: (callId: string) => string;
  /** A language service asked about the caller's words before deciding; absent: the embedded model. */
  readonly understanding?: LanguageUnderstanding | undefined;
  /**
   * Self-service actions this instance is running, by call id: the call's end (the caller hung up)
   * aborts its backend request at once. A hang-up handled by another instance is seen here when the
   * filler is due (the ActionSlow step reads the ended call) and aborts it then; a late result is
   * ignored either way.
   */
  readonly runningActions: Map<string, AbortController>;
  /**
   * Removals of carried-out outbox entries held back for the call's next save to make; absent:
   * each entry is removed by a write of its own at once.
   */
  readonly outboxClears?: DeferredOutboxClears | undefined;
}

export interface CallbackRequest {
  readonly callId: string;
  readonly authorization: string | null | undefined;
  readonly bodyText: string;
}

export interface HandlerResponse {
  readonly status: number;
  readonly body?: unknown;
}

/** Largest callback body accepted; real ones are a few kilobytes. */
export const maxCallbackBodyBytes = 256 * 1024;
const recentEventIdLimit = 64;
const maxConflictRetries = 8;
const callIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
/** Longest wait for a language service before the embedded model answers instead. */
const understandingTimeoutInMs = 1500;
/** Recognize failures that are the caller's doing: a phrase that is no option, a key that is none. */
const callerCausedRecognizeFailures: ReadonlySet<number> = new Set([8547, 8534]);
/** The sub-code of a failure event the shell makes for a command it could not send (Call Automation's are positive). */
const notSentSubCode = -1;

/**
 * A play or a recognition that Call Automation could not carry out for a reason of the app's or the
 * service's: an audio file it cannot fetch or read, a voice or SSML the speech service refuses. The
 * caller hears nothing of it, so operations must.
 */
function mediaFault(event: CallEvent): Extract<CallEvent, { kind: 'PlayFailed' | 'RecognitionFailed' }> | undefined {
  // A command that was never sent has been logged as such already.
  if (event.kind === 'PlayFailed' && event.subCode === notSentSubCode) return undefined;
  if (event.kind === 'PlayFailed') return event;
  if (event.kind === 'RecognitionFailed' && !callerCausedRecognizeFailures.has(event.subCode)) return event;
  return undefined;
}

/**
 * POST /api/calls/{callId}/events: verify, parse every CloudEvent, then for each one
 * load -> decide -> save (state + outbox, ETag-guarded) -> write history and execute.
 * Bad input gets a 4xx and a log line; only a fault of our own dependencies yields a 5xx.
 */
export async function handleCallEvents(
  deps: CallShellDependencies & { readonly verify: (authorization: string | null | undefined) => Promise<CallbackAuthResult> },
  request: CallbackRequest,
): Promise<HandlerResponse> {
  const auth = await deps.verify(request.authorization);
  if (!auth.ok && auth.keysUnavailable) {
    // Not the sender's fault: a 503 lets Call Automation deliver the event again.
    deps.logger.error({ callId: request.callId, reason: auth.reason }, 'callback not checked: the signing keys could not be fetched');
    return { status: 503, body: { error: 'signing keys unavailable' } };
  }
  if (!auth.ok) {
    deps.logger.warn({ callId: request.callId, reason: auth.reason }, 'callback rejected: authentication failed');
    return { status: 401, body: { error: 'unauthorized' } };
  }
  if (!callIdSchema.safeParse(request.callId).success) {
    deps.logger.warn({ callId: request.callId }, 'callback rejected: bad call id');
    return { status: 400, body: { error: 'bad call id' } };
  }
  if (Buffer.byteLength(request.bodyText, 'utf8') > maxCallbackBodyBytes) {
    deps.logger.warn({ callId: request.callId, bytes: request.bodyText.length }, 'callback rejected: body too large');
    return { status: 413, body: { error: 'body too large' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(request.bodyText);
  } catch {
    deps.logger.warn({ callId: request.callId }, 'callback rejected: body is not JSON');
    return { status: 400, body: { error: 'body is not JSON' } };
  }
  const parsed = callbackBodySchema.safeParse(Array.isArray(json) ? json : [json]);
  if (!parsed.success) {
    deps.logger.warn({ callId: request.callId, issues: parsed.error.issues.slice(0, 3) }, 'callback rejected: not CloudEvents');
    return { status: 400, body: { error: 'body is not an array of CloudEvents' } };
  }
  const events: CallEvent[] = [];
  for (const cloudEvent of parsed.data) {
    try {
      events.push(toCallEvent(cloudEvent));
    } catch (error) {
      deps.logger.warn({ callId: request.callId, type: cloudEvent.type, error: String(error) }, 'callback event malformed; recorded as unknown');
      events.push({ kind: 'UnknownCallEvent', type: `${cloudEvent.type} (malformed)`, eventId: cloudEvent.id, occurredAt: cloudEvent.time ?? deps.clock.now().toISOString() });
    }
  }
  for (const event of events) {
    const applied = await applyCallEvent(deps, request.callId, event);
    if (applied === 'unknown call') {
      deps.logger.warn({ callId: request.callId, kind: event.kind }, 'callback for an unknown call');
      return { status: 404, body: { error: 'unknown call' } };
    }
  }
  return { status: 200, body: { accepted: events.length } };
}

/** `refused`: an agent's consult or transfer the call could not act on, and why. */
export type AppliedCallEvent = 'applied' | 'duplicate' | 'unknown call' | { readonly refused: string };

/**
 * Load, decide, save, execute one event; safe to call twice with the same event. The save is one
 * transaction: state, the outbox entry (only when there are commands to carry out) and the step's
 * history. With a caching store the load is usually answered from memory, and with deferred clears
 * the save also drops the entries this process has carried out since, so a step usually costs one
 * Cosmos request.
 */
export async function applyCallEvent(
  deps: CallShellDependencies,
  callId: string,
  event: CallEvent,
): Promise<AppliedCallEvent> {
  let understood = event;
  // A retry after an ETag conflict reuses the service's answer, or its failure: a service that
  // just timed out is not asked again while the caller waits.
  let askedService = false;
  let conflicts = 0;
  const unavailable = storeRetries(deps, { callId, what: 'step' });
  // Saves that failed as unavailable: each may have been applied all the same (its answer was lost).
  const unanswered: { readonly step: number; readonly at: string; readonly entry: OutboxEntry | undefined; readonly carriedOut: readonly number[]; readonly ended: boolean; readonly outcome: AppliedCallEvent }[] = [];
  const waitForStore = async (error: unknown): Promise<void> => {
    if (!(error instanceof StoreUnavailable) || !(await unavailable.waited(error))) throw error;
  };
  for (let attempt = 0; ; attempt++) {
    let stored: StoredCallRecord | undefined;
    try {
      stored = await deps.store.getCall(callId, { allowCached: attempt === 0 });
    } catch (error) {
      await waitForStore(error);
      continue;
    }
    if (!stored) return 'unknown call';
    const now = deps.clock.now();
    const applied = unanswered.find((save) => wasApplied(stored.record, save, event.eventId));
    if (applied) {
      deps.logger.info({ callId, step: applied.step }, 'a save whose answer was lost had been applied; carrying out its commands');
      await afterSave(deps, callId, event, stored, applied.entry, applied.carriedOut, applied.ended);
      return applied.outcome;
    }
    // Entries this process carried out whose removal it held back: this save drops them.
    const carriedOut = stored.record.outbox.filter((e) => deps.outboxClears?.has(callId, e.step)).map((e) => e.step);
    const outbox = stored.record.outbox.filter((e) => !carriedOut.includes(e.step));
    await finishAbandonedOutbox(deps, callId, outbox, now);
    if (stored.record.recentEventIds.includes(event.eventId)) return 'duplicate';
    const fault = attempt === 0 ? mediaFault(event) : undefined;
    if (fault) {
      deps.logger.error(
        { callId, stage: stored.record.state.stage, kind: fault.kind, code: fault.code, subCode: fault.subCode, resultMessage: fault.message },
        'media operation failed: check the prompt, voice or audio file it used',
      );
    }
    if (!askedService) {
      understood = await withUnderstanding(deps, stored.record.state, understood);
      askedService = true;
    }
    const decision = deps.decide(stored.record.state, understood, now);
    const step = stored.record.step + 1;
    const at = now.toISOString();
    const history = decision.history.map((entry, index) => ({ callId, step, index, at, entry }));
    const entry: OutboxEntry | undefined =
      decision.commands.length > 0 ? { step, createdAt: at, historyCount: history.length, commands: decision.commands } : undefined;
    const next: CallRecord = {
      state: decision.state,
      step,
      outbox: entry ? [...outbox, entry] : outbox,
      recentEventIds: [...stored.record.recentEventIds, event.eventId].slice(-recentEventIdLimit),
    };
    const ended = decision.state.stage === 'ended';
    const refusal = decision.history.find((h) => h.kind === 'requestRefused');
    const outcome: AppliedCallEvent = refusal ? { refused: refusal.reason } : 'applied';
    let etag: string;
    try {
      etag = await deps.store.replaceCall(next, stored.etag, history);
    } catch (error) {
      if (error instanceof ConcurrencyConflict && conflicts < maxConflictRetries) {
        conflicts += 1;
        continue;
      }
      unanswered.push({ step, at, entry, carriedOut, ended, outcome });
      await waitForStore(error);
      continue;
    }
    await afterSave(deps, callId, event, { record: next, etag }, entry, carriedOut, ended);
    return outcome;
  }
}

/**
 * Whether the call as read now holds the save whose answer was lost: its step, this event, and its
 * outbox entry by creation time (another instance deciding the same event writes its own entry).
 */
function wasApplied(record: CallRecord, save: { readonly step: number; readonly at: string; readonly entry: OutboxEntry | undefined }, eventId: string): boolean {
  if (record.step !== save.step || !record.recentEventIds.includes(eventId)) return false;
  return save.entry === undefined || record.outbox.some((e) => e.step === save.step && e.createdAt === save.at);
}

async function afterSave(
  deps: CallShellDependencies,
  callId: string,
  event: CallEvent,
  saved: StoredCallRecord,
  entry: OutboxEntry | undefined,
  carriedOut: readonly number[],
  ended: boolean,
): Promise<void> {
  deps.outboxClears?.dropped(callId, [...carriedOut]);
  if (ended) deps.runningActions.get(callId)?.abort(new Error('the call ended'));
  // After the call's connection is gone no callback will come to carry the entry's removal.
  if (entry) await carryOut(deps, saved, entry, { clearAtOnce: event.kind === 'CallDisconnected' });
}

/**
 * Words said where the caller states what they want (or answers the clarifying question) go to the
 * language service first, if there is one; a slow or failing service leaves the decision to the embedded model.
 */
async function withUnderstanding(deps: CallShellDependencies, state: CallState, event: CallEvent): Promise<CallEvent> {
  if (!deps.understanding || event.kind !== 'SpeechRecognized' || event.understanding !== undefined) return event;
  if (state.stage !== 'understanding' && state.stage !== 'anythingElse' && state.stage !== 'clarifying') return event;
  try {
    const understanding = await deps.understanding.understand(event.text, state.language, AbortSignal.timeout(understandingTimeoutInMs));
    return { ...event, understanding };
  } catch (error) {
    deps.logger.warn({ callId: state.callId, error: error instanceof Error ? error.message : String(error) }, 'language service failed; the embedded model decides');
    return event;
  }
}

/**
 * Executes an outbox entry's commands, then removes it from the outbox with any command not sent
 * (failed, or left out of an abandoned entry) in history; when all were sent and clears are
 * deferred, the removal waits for the call's next save.
 */
export async function carryOut(
  deps: CallShellDependencies,
  stored: StoredCallRecord,
  entry: OutboxEntry,
  options: { readonly clearAtOnce?: boolean; readonly abandoned?: boolean } = {},
): Promise<void> {
  const { state } = stored.record;
  const { unsent, followUps, toRetry } = await sendCommands(deps, state, entry, options.abandoned === true);
  const clears = deps.outboxClears;
  if (clears && unsent.length === 0 && !options.clearAtOnce && clears.shouldHold()) {
    const callId = state.callId;
    const waitInMs = clears.clearWithinInMs - (deps.clock.now().getTime() - Date.parse(entry.createdAt));
    clears.hold(callId, entry.step, waitInMs, async () => {
      // The latest version this process knows; a stale one costs a failed ETag and a re-read.
      const current = await deps.store.getCall(callId, { allowCached: true });
      return current ? removeFromOutbox(deps, callId, entry.step, current, []) : { conflicts: 0 };
    });
    return;
  }
  // The decider goes on from a command that could not be sent, as from one Call Automation failed.
  // Before the removal: a follow-up that cannot be saved leaves the entry to be finished again.
  for (const followUp of followUps) await applyCallEvent(deps, state.callId, followUp);
  if (toRetry.length > 0) {
    deps.logger.warn({ callId: state.callId, step: entry.step, commands: toRetry.map((c) => c.kind) }, 'Call Automation refused a command nothing else would make up for; the outbox sweep sends it again after the lease');
  }
  const unavailable = storeRetries(deps, { callId: state.callId, what: 'clear' });
  for (;;) {
    try {
      // A retry after a write that was applied after all meets a failed ETag and finds the entry gone.
      await removeFromOutbox(deps, state.callId, entry.step, stored, unsent, toRetry);
      return;
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      if (!(await unavailable.waited(error))) {
        // The step is saved and its commands sent: a 5xx would only bring a redelivery, a duplicate.
        deps.logger.error({ callId: state.callId, step: entry.step, error: error.message }, 'could not remove a carried-out outbox entry; it is finished again after its lease');
        return;
      }
    }
  }
}

/**
 * Sends an entry's commands in order. Returns the history of those not sent (failed, or in an
 * abandoned entry left out because the call has moved past them) and, for a failed one the call
 * would wait on, the failure event to decide on next.
 */
async function sendCommands(
  deps: CallShellDependencies,
  state: CallState,
  entry: OutboxEntry,
  abandoned: boolean,
): Promise<{ readonly unsent: StoredHistoryItem[]; readonly followUps: CallEvent[]; readonly toRetry: CallCommand[] }> {
  const unsent: StoredHistoryItem[] = [];
  const followUps: CallEvent[] = [];
  const toRetry: CallCommand[] = [];
  const record = (entryOfHistory: StoredHistoryItem['entry']) =>
    unsent.push({ callId: state.callId, step: entry.step, index: entry.historyCount + unsent.length, at: deps.clock.now().toISOString(), entry: entryOfHistory });
  const superseded = abandoned && entry.commands.some((command) => mediaOperationSuperseded(state, command));
  const key = `${state.callId}:${entry.step}`;
  let inProgress = carryingOut.get(deps);
  if (!inProgress) carryingOut.set(deps, (inProgress = new Set()));
  inProgress.add(key);
  try {
    for (const command of entry.commands) {
      // Playing it now would replay an old prompt over the current one, or cancel the current one;
      // running an action again would ask its backend twice and speak a result nobody waits for.
      const movedPast =
        (superseded && isMediaCommand(command)) ||
        (abandoned && command.kind === 'RunAction' && state.actionId !== command.actionId) ||
        (abandoned && command.kind === 'CancelMedia' && !startsMedia(entry) && state.stage !== 'connected');
      if (movedPast) {
        deps.logger.warn({ callId: state.callId, step: entry.step, command: command.kind }, 'left out a command the call has moved past');
        record({ kind: 'commandSkipped', command: command.kind, reason: 'the call moved past it before the entry was finished' });
        continue;
      }
      try {
        await executeCommand(deps, state, command);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.logger.error({ callId: state.callId, command: command.kind, error: message }, 'call command failed');
        record({ kind: 'commandFailed', command: command.kind, error: message });
        const followUp = error instanceof CallGone ? undefined : failureEventOf(state.callId, command, message, deps.clock.now());
        if (followUp) followUps.push(followUp);
        if (mustBeRetried(command, error, state)) toRetry.push(command);
      }
    }
  } finally {
    inProgress.delete(key);
  }
  return { unsent, followUps, toRetry };
}

/**
 * A refused command no event follows and nothing else makes up for: a hang-up (the line would stay
 * open in silence), removing an agent or expert (they would stay in a conference routing has freed
 * them from) and stopping the music on hold once an agent has joined (it would loop under the
 * conversation). The entry keeps just these, for the outbox sweep to send again after the lease.
 * Not when Call Automation answers that it cannot be done (a 4xx: the call or the participant is
 * gone). A refused stop of a voicemail recording is not sent again: the hang-up right after it ends
 * the recording with the call.
 */
function mustBeRetried(command: CallCommand, error: unknown, state: CallState): boolean {
  const musicUnderAgent = command.kind === 'CancelMedia' && state.stage === 'connected';
  if (command.kind !== 'HangUp' && command.kind !== 'RemoveTeamsUser' && !musicUnderAgent) return false;
  if (error instanceof CallGone) return false;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return !(typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429);
}

/**
 * The event Call Automation would have sent had it taken the command and then failed it: a play or
 * recognition the caller waits on, an agent being added, a transfer to a phone number, the recording
 * of a voicemail, the call dialling a caller back (which frees the agent reserved for it). Without it the call would wait for an
 * event that never comes, in silence. A call Call Automation no longer knows gets none.
 */
function failureEventOf(callId: string, command: CallCommand, message: string, now: Date): CallEvent | undefined {
  if (command.kind !== 'PlayPrompt' && command.kind !== 'PlayAudio' && command.kind !== 'StartRecognition' && command.kind !== 'AddTeamsUser' && command.kind !== 'TransferToPhone' && command.kind !== 'StartRecording' && command.kind !== 'CreateCall') return undefined;
  const { operationContext } = command;
  const event = { eventId: `${callId}:${operationContext}:not-sent`, occurredAt: now.toISOString(), operationContext };
  const failure = { code: 500, subCode: notSentSubCode, message: `not sent: ${message}` };
  switch (command.kind) {
    case 'PlayPrompt':
    case 'PlayAudio':
      return { ...event, ...failure, kind: 'PlayFailed' };
    case 'StartRecognition':
      return { ...event, kind: 'RecognitionNotStarted', reason: failure.message };
    case 'AddTeamsUser':
      return { ...event, ...failure, kind: 'AddParticipantFailed', participantRawId: `8:orgid:${command.teamsUserId}` };
    case 'TransferToPhone':
      return { ...event, ...failure, kind: 'CallTransferFailed' };
    case 'StartRecording':
      return { ...event, kind: 'RecordingNotStarted', reason: failure.message };
    case 'CreateCall':
      return { ...event, kind: 'CallNotAnswered', code: failure.code, subCode: failure.subCode };
    default:
      return assertNever(command, 'command with a failure event');
  }
}

/**
 * A cancel alone in its entry stopped music for an agent who joined (the entry that plays something
 * after a cancel says what it cancelled for). Once the call has left the agent, music or a prompt
 * playing now is for the new stage, and the old cancel must not cut it.
 */
function startsMedia(entry: OutboxEntry): boolean {
  return entry.commands.some((c) => c.kind === 'PlayPrompt' || c.kind === 'PlayAudio' || c.kind === 'StartRecognition');
}

function isMediaCommand(command: CallCommand): boolean {
  return command.kind === 'PlayPrompt' || command.kind === 'PlayAudio' || command.kind === 'StartRecognition' || command.kind === 'CancelMedia';
}

/** A play or recognition the call no longer waits for: a later step started another one. */
function mediaOperationSuperseded(state: CallState, command: CallCommand): boolean {
  if (command.kind !== 'PlayPrompt' && command.kind !== 'PlayAudio' && command.kind !== 'StartRecognition') return false;
  return command.operationContext !== state.pendingOperation && command.operationContext !== state.holdMusicOperation;
}

async function executeCommand(deps: CallShellDependencies, state: CallState, command: CallCommand): Promise<void> {
  switch (command.kind) {
    case 'AddTeamsUser':
    case 'RemoveTeamsUser':
      if (!state.callConnectionId) throw new Error('call has no connection yet');
      if (command.kind === 'AddTeamsUser') {
        await deps.agentCalls.addTeamsUser({ callConnectionId: state.callConnectionId, teamsUserId: command.teamsUserId, invitationTimeoutInSeconds: command.ringTimeInSeconds ?? 30, operationContext: command.operationContext, callbackUrl: deps.callbackUrl(state.callId) });
      } else {
        await deps.agentCalls.removeTeamsUser({ callConnectionId: state.callConnectionId, teamsUserId: command.teamsUserId, operationContext: command.operationContext });
      }
      return;
    case 'PlayPrompt':
    case 'PlayAudio':
    case 'StartRecognition':
    case 'CancelMedia':
    case 'HangUp':
    case 'TransferToPhone':
      if (!state.callConnectionId) throw new Error('call has no connection yet');
      await deps.control.execute(state.callConnectionId, command, {
        callbackUrl: deps.callbackUrl(state.callId),
        callerRawId: state.pii.callerId,
      });
      return;
    case 'RunAction':
      await runAction(deps, state, command);
      return;
    case 'RequestRouting':
      if (!deps.routing || !state.callConnectionId) {
        await applyCallEvent(deps, state.callId, {
          kind: 'RoutingUnavailable', reason: 'routing is not deployed', eventId: `${state.callId}:routing:${state.operationSequence}`, occurredAt: deps.clock.now().toISOString(),
        });
        return;
      }
      try {
        await deps.routing.requestRouting(state.callId, state.callConnectionId, command, `${state.operationSequence}`);
      } catch (error) {
        // Nobody would ever be offered this call: tell the decider instead of leaving the caller on hold.
        const message = error instanceof Error ? error.message : String(error);
        await applyCallEvent(deps, state.callId, {
          kind: 'RoutingUnavailable', reason: `routing request failed: ${message}`, failed: true, eventId: `${state.callId}:routing-failed:${state.operationSequence}`, occurredAt: deps.clock.now().toISOString(),
        });
        throw error;
      }
      return;
    case 'CancelRouting':
      await deps.routing?.cancelRouting(state.callId, command, `${state.operationSequence}`);
      return;
    case 'NotifyRouting':
      await deps.routing?.notifyRouting(state.callId, command);
      return;
    case 'StartRecording': {
      if (!state.callConnectionId) throw new Error('call has no connection yet');
      const recordingId = await deps.control.startRecording({ callConnectionId: state.callConnectionId, callbackUrl: deps.callbackUrl(state.callId) });
      await applyCallEvent(deps, state.callId, { kind: 'RecordingStarted', recordingId, operationContext: command.operationContext, eventId: `${state.callId}:${command.operationContext}:recording`, occurredAt: deps.clock.now().toISOString() });
      return;
    }
    case 'StopRecording':
      await deps.control.stopRecording(command.recordingId);
      return;
    case 'RequestCallback':
      await deps.routing?.requestCallback(state.callId, command, `${state.operationSequence}`);
      return;
    case 'CallbackAnswered':
      if (state.callConnectionId) await deps.routing?.callbackAnswered(state.callId, state.callConnectionId, command, `${state.operationSequence}`);
      return;
    case 'ScheduleCallback':
      if (!deps.routing) throw new Error('routing is not deployed: no callback can be booked');
      await deps.routing.scheduleCallback(state.callId, state.callConnectionId ?? '', command, `${state.operationSequence}`);
      return;
    case 'CreateCall':
      await deps.control.createCall({ phoneNumber: command.pii.phoneNumber, fromNumber: command.fromNumber, callbackUrl: deps.callbackUrl(state.callId), operationContext: command.operationContext });
      return;
    default:
      assertNever(command, 'call command');
  }
}

/**
 * Runs a self-service action within this invocation: after `fillerDelayInMs` the caller hears a
 * filler (never dead air); at `timeoutInMs` the action is abandoned and the caller handed on.
 */
async function runAction(deps: CallShellDependencies, state: CallState, command: Extract<CallCommand, { kind: 'RunAction' }>): Promise<void> {
  const abort = new AbortController();
  const callId = state.callId;
  deps.runningActions.get(callId)?.abort(new Error('a newer action started'));
  deps.runningActions.set(callId, abort);
  const event = (suffix: string) => ({ eventId: `${command.actionId}:${suffix}`, occurredAt: deps.clock.now().toISOString() });
  const work = deps.actions
    .run(command.action, {
      slots: command.pii.slots,
      language: command.language,
      callerId: state.pii.callerId.replace(/^4:/, ''),
      signal: abort.signal,
      ...(command.today === undefined ? {} : { today: command.today }),
    })
    .catch((error: unknown): ActionResult => ({ status: 'failed', reason: error instanceof Error ? error.message : String(error) }));
  const timedOut = deps.delay(command.timeoutInMs, abort.signal).then((): ActionResult => ({ status: 'timedOut' }));
  try {
    const first = await Promise.race([work.then((r) => ({ r })), deps.delay(command.fillerDelayInMs, abort.signal).then(() => undefined)]);
    // Aborted: the call ended while the action ran; nobody is left to hear a filler.
    if (first === undefined && !abort.signal.aborted) await applyCallEvent(deps, callId, { ...event('slow'), kind: 'ActionSlow', actionId: command.actionId });
    const outcome = first?.r ?? (await Promise.race([work, timedOut]));
    const cancelled = first === undefined && abort.signal.aborted;
    const result: ActionResult = cancelled ? { status: 'failed', reason: `cancelled: ${abort.signal.reason instanceof Error ? abort.signal.reason.message : 'aborted'}` } : outcome;
    await applyCallEvent(deps, callId, { ...event('done'), kind: 'ActionCompleted', actionId: command.actionId, result });
  } finally {
    abort.abort();
    if (deps.runningActions.get(callId) === abort) deps.runningActions.delete(callId);
  }
}

/**
 * Removes a carried-out entry from the outbox, with the history of its commands not sent; `keep`:
 * refused commands that must still happen, left in the entry for the outbox sweep.
 */
async function removeFromOutbox(
  deps: CallShellDependencies,
  callId: string,
  step: number,
  known: StoredCallRecord,
  failures: readonly StoredHistoryItem[],
  keep: readonly CallCommand[] = [],
): Promise<{ readonly conflicts: number }> {
  let current: StoredCallRecord | undefined = known;
  let conflicts = 0;
  for (let attempt = 0; current && attempt <= maxConflictRetries; attempt++) {
    if (!current.record.outbox.some((e) => e.step === step)) break;
    const outbox = keep.length === 0 ? current.record.outbox.filter((e) => e.step !== step) : current.record.outbox.map((e) => (e.step === step ? { ...e, commands: keep, historyCount: e.historyCount + failures.length } : e));
    try {
      await deps.store.replaceCall({ ...current.record, outbox }, current.etag, failures);
      return { conflicts };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      conflicts++;
      current = await deps.store.getCall(callId);
    }
  }
  // Someone else cleared the entry (a takeover after the lease): the failures still belong in history.
  await deps.store.upsertHistory(failures);
  return { conflicts };
}

/**
 * How long an entry belongs to the invocation that wrote it: the lease, plus the longest a
 * self-service action in it may run (the invocation waits for it), so a slow backend's entry is
 * never taken over, and its action run again, while it is still running.
 */
function leaseOf(entry: OutboxEntry): number {
  let actionInMs = 0;
  for (const command of entry.commands) if (command.kind === 'RunAction') actionInMs = Math.max(actionInMs, command.timeoutInMs);
  return outboxLeaseInMs + actionInMs;
}

/**
 * Entries each shell is carrying out right now, by `callId:step`: the steps an entry's own action
 * applies (its filler, its result) must not take over the entry they run inside, however old.
 */
const carryingOut = new WeakMap<CallShellDependencies, Set<string>>();

async function finishAbandonedOutbox(deps: CallShellDependencies, callId: string, outbox: readonly OutboxEntry[], now: Date): Promise<number> {
  let finished = 0;
  for (const entry of outbox) {
    if (now.getTime() - Date.parse(entry.createdAt) < leaseOf(entry)) continue;
    if (carryingOut.get(deps)?.has(`${callId}:${entry.step}`)) continue;
    // What this process remembers may be stale: only the stored call says the entry is still undone.
    const fresh = await deps.store.getCall(callId);
    const left = fresh?.record.outbox.find((e) => e.step === entry.step);
    if (!fresh || !left || now.getTime() - Date.parse(left.createdAt) < leaseOf(left)) continue;
    // Taken with a new lease, ETag-guarded: of two instances (or sweeps) finding it, one carries it out.
    const taken: OutboxEntry = { ...left, createdAt: now.toISOString() };
    const record: CallRecord = { ...fresh.record, outbox: fresh.record.outbox.map((e) => (e.step === entry.step ? taken : e)) };
    let etag: string;
    try {
      etag = await deps.store.replaceCall(record, fresh.etag);
    } catch (error) {
      if (error instanceof ConcurrencyConflict) continue;
      throw error;
    }
    deps.logger.warn({ callId, step: entry.step }, 'finishing an abandoned outbox entry');
    await carryOut(deps, { record, etag }, taken, { clearAtOnce: true, abandoned: true });
    finished += 1;
  }
  return finished;
}

/**
 * The timer's sweep: entries older than the lease that no callback came to finish. An invocation
 * that died between its save and its commands leaves the caller waiting for a question or a prompt
 * that was never sent, so no callback may ever come; this finishes them. Returns how many.
 */
export async function sweepAbandonedOutboxes(deps: CallShellDependencies, options: { readonly limit?: number } = {}): Promise<number> {
  const now = deps.clock.now();
  const callIds = await deps.store.listCallsWithOutboxBefore(new Date(now.getTime() - outboxLeaseInMs).toISOString(), options.limit ?? 50);
  let finished = 0;
  for (const callId of callIds) {
    const stored = await deps.store.getCall(callId);
    if (stored) finished += await finishAbandonedOutbox(deps, callId, stored.record.outbox, now);
  }
  return finished;
}
