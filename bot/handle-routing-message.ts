import { assertNever } from './assert-never.js';
import type { CallEvent } from './call-flow/call-events.js';
import { offerOperationContext } from './call-flow/offer-operation-context.js';
import type { Logger } from './logger.js';
import { CallGone, ConcurrencyConflict, StoreUnavailable, type AgentCallControl, type AgentStore, type CallStore, type Clock, type QueueStore, type RoutingBus } from './ports.js';
import { applyAgentCommand, endAgentCall, endWrapUp, isAgentCommand, type AgentCommand } from './routing/apply-agent-command.js';
import { isAgentEligible } from './routing/agent-eligibility.js';
import { decideRouting } from './routing/decide-routing.js';
import { deadLetterFallback } from './routing/dead-letter-fallback.js';
import { createQueueState } from './routing/queue-state.js';
import { routingMessageSchema, type RoutingMessage } from './routing/routing-messages.js';
import type { RoutingCommand, RoutingCommandOf } from './routing/routing-commands.js';
import { routingSchemaVersion, type Agent, type QueueDefinition } from './routing/routing-types.js';
import { storeRetries } from './store-retries.js';

export interface RoutingShellDependencies {
  readonly queues: QueueStore;
  readonly agents: AgentStore;
  readonly calls: CallStore;
  readonly bus: RoutingBus;
  readonly agentCalls: AgentCallControl;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Waits between tries while the store is unavailable; injected for tests. */
  readonly delay: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly queueDefinition: (queueId: string) => QueueDefinition | undefined;
  readonly callbackUrl: (callId: string) => string;
  /** Hands a routing outcome (announcement, overflow) to the call's own flow. */
  readonly applyCallEvent: (callId: string, event: CallEvent) => Promise<unknown>;
}

const maxConflictRetries = 8;

/**
 * The `route` function (Service Bus, session = queue): load the queue document and the named
 * agent, decide, save with the ETag, then carry out the commands in order. Sessions make this the
 * only writer of the queue; agents are shared between queues and reserved with their own ETag.
 * Throwing abandons the message (retried, dead-lettered after max deliveries).
 */
export async function handleRoutingMessage(deps: RoutingShellDependencies, body: unknown): Promise<'handled' | 'ignored' | 'rejected'> {
  const parsed = routingMessageSchema.safeParse(body);
  if (!parsed.success) {
    // Retrying cannot fix a malformed message; it is logged with what was wrong and dropped.
    deps.logger.error({ issues: parsed.error.issues.slice(0, 3) }, 'routing message rejected: malformed');
    return 'rejected';
  }
  const message = parsed.data;
  const queueDef = deps.queueDefinition(message.queueId);
  if (!queueDef) {
    deps.logger.error({ queueId: message.queueId, kind: message.kind }, 'routing message for an unknown queue');
    if (message.kind === 'CallQueued') {
      // Nowhere to go: the caller hears so and the call ends, rather than waiting forever.
      await deps.applyCallEvent(message.callId, {
        kind: 'QueueOverflowed', eventId: `${message.messageId}:unknownQueue`, occurredAt: deps.clock.now().toISOString(),
        queueId: message.queueId, reason: 'unknownQueue', action: { kind: 'disconnect', message: 'noAgentsAvailable' },
      });
    }
    return 'rejected';
  }
  if (message.kind === 'WrapUpEnded') {
    // The agent's own document, not the queue's: the queues hear of it as AgentBecameAvailable.
    await endWrapUpForAgent(deps, message.agentId, message);
    return 'handled';
  }
  // Service Bus redelivers an abandoned message at once: a brief outage of the store would use up
  // its deliveries in a moment and dead-letter it (the caller overflowed), so it is waited out here.
  const unavailable = storeRetries(deps, { what: 'route', queueId: message.queueId });
  // The commands of a save that failed as unavailable: it may have been applied all the same.
  let unanswered: readonly RoutingCommand[] | undefined;
  for (let conflicts = 0; ; ) {
    let decision: ReturnType<typeof decideRouting>;
    try {
      const stored = await deps.queues.getQueue(message.queueId);
      const queue = stored?.value ?? createQueueState(queueDef);
      const named = 'agentId' in message && needsAgent(message) ? await deps.agents.getAgent(message.agentId) : undefined;
      decision = decideRouting({ queue, queueDef, agents: named ? [named.value] : [] }, message, deps.clock.now());
      // The session makes this the queue's only writer: the message seen now was our own save.
      if (decision.ignored === 'duplicate' && unanswered) {
        deps.logger.info({ queueId: message.queueId, kind: message.kind }, 'a queue save whose answer was lost had been applied; carrying out its commands');
        await execute(deps, message, unanswered);
        return 'handled';
      }
      if (decision.ignored) {
        deps.logger.debug({ queueId: message.queueId, kind: message.kind, why: decision.ignored }, 'routing message ignored');
        return 'ignored';
      }
      try {
        await deps.queues.saveQueue(decision.state.queue, stored?.etag);
      } catch (error) {
        if (error instanceof StoreUnavailable) unanswered = decision.commands;
        throw error;
      }
    } catch (error) {
      if (error instanceof ConcurrencyConflict && conflicts < maxConflictRetries) {
        conflicts += 1;
        continue;
      }
      if (error instanceof StoreUnavailable && (await unavailable.waited(error))) continue;
      throw error;
    }
    await execute(deps, message, decision.commands);
    return 'handled';
  }
}

function needsAgent(message: RoutingMessage): boolean {
  return message.kind === 'OfferDeclined' || message.kind === 'OfferTimedOut' || message.kind === 'ReservationFailed';
}

async function execute(deps: RoutingShellDependencies, message: RoutingMessage, commands: readonly RoutingCommand[]): Promise<void> {
  const failedOffers = new Set<string>();
  for (const command of commands) {
    if ('offerId' in command && failedOffers.has(command.offerId) && command.kind !== 'ReserveAgent') continue;
    if (command.kind === 'ScheduleMessage' && 'offerId' in command.message && failedOffers.has(command.message.offerId)) continue;
    const outcome = await executeOne(deps, message, command);
    if (outcome === 'reservationFailed' && 'offerId' in command) failedOffers.add(command.offerId);
  }
}

async function executeOne(deps: RoutingShellDependencies, message: RoutingMessage, command: RoutingCommand): Promise<'ok' | 'reservationFailed'> {
  const now = deps.clock.now();
  switch (command.kind) {
    case 'ReserveAgent':
    case 'ReleaseAgent':
    case 'MarkAgentNotReady':
    case 'AssignCallToAgent':
      return updateAgent(deps, message, command);
    case 'OfferCallToAgent':
      try {
        await deps.agentCalls.addTeamsUser({
          callConnectionId: command.callConnectionId,
          teamsUserId: command.teamsUserId,
          invitationTimeoutInSeconds: command.invitationTimeoutInSeconds,
          operationContext: offerOperationContext(command.offerId, command.agentId),
          callbackUrl: deps.callbackUrl(command.callId),
        });
      } catch (error) {
        if (!(error instanceof CallGone)) throw error;
        // The caller hung up before the offer: the call leaves the queue and the agent is released.
        deps.logger.info({ callId: command.callId, agentId: command.agentId }, 'offer for a call that has ended');
        await deps.bus.send({
          kind: 'CallLeftQueue', schemaVersion: routingSchemaVersion, messageId: `${command.offerId}:callGone`,
          queueId: command.queueId, occurredAt: now.toISOString(), callId: command.callId, reason: 'abandoned',
        });
      }
      return 'ok';
    case 'CancelOffer':
      if (command.callConnectionId) {
        const agent = await deps.agents.getAgent(command.agentId);
        if (agent) {
          await deps.agentCalls
            .removeTeamsUser({ callConnectionId: command.callConnectionId, teamsUserId: agent.value.teamsUserId, operationContext: `${command.offerId}:cancel` })
            .catch((error: unknown) => deps.logger.info({ callId: command.callId, error: String(error) }, 'cancelling an offer: the invitation was already gone'));
        }
      }
      return 'ok';
    case 'ScheduleMessage':
      await deps.bus.schedule(command.message, new Date(command.at));
      return 'ok';
    case 'AnnounceQueuePosition':
      await deps.applyCallEvent(command.callId, {
        kind: 'QueuePositionAnnounced', eventId: `${command.operationContext}`, occurredAt: now.toISOString(),
        position: command.position, expectedWaitInSeconds: command.expectedWaitInSeconds,
      });
      return 'ok';
    case 'OfferCallback':
      await deps.applyCallEvent(command.callId, {
        kind: 'CallbackOffered', eventId: `${command.operationContext}`, occurredAt: now.toISOString(), expectedWaitInSeconds: command.expectedWaitInSeconds,
      });
      return 'ok';
    case 'Overflow':
      await deps.applyCallEvent(command.callId, {
        kind: 'QueueOverflowed', eventId: `${message.messageId}:overflow`, occurredAt: now.toISOString(),
        queueId: command.queueId, reason: command.reason, action: command.action,
      });
      return 'ok';
    case 'PlaceCallback':
      await deps.applyCallEvent(command.callId, {
        kind: 'CallbackDue', eventId: `${command.offerId}:callback`, occurredAt: now.toISOString(),
        offerId: command.offerId, agentId: command.agentId, teamsUserId: command.teamsUserId, phoneNumber: command.pii.phoneNumber,
        ringTimeInSeconds: command.invitationTimeoutInSeconds,
      });
      return 'ok';
    case 'RecordRoutingDecision':
      await deps.calls.upsertHistory([
        { callId: command.callId, step: 0, index: 0, id: command.historyId, at: command.at, entry: { kind: 'routingDecision', queueId: command.queueId, decision: command.decision } },
      ]);
      return 'ok';
    default:
      return assertNever(command, 'routing command');
  }
}

/** Read, apply, replace with the ETag (re-read on conflict); then tell the agent's queues. */
async function updateAgent(deps: RoutingShellDependencies, message: RoutingMessage, command: AgentCommand): Promise<'ok' | 'reservationFailed'> {
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const stored = await deps.agents.getAgent(command.agentId);
    if (!stored) {
      if (command.kind === 'ReserveAgent') {
        await sendReservationFailed(deps, message, command, 'agentNotFound');
        return 'reservationFailed';
      }
      return 'ok';
    }
    const update = applyAgentCommand(stored.value, command);
    if (update.outcome === 'rejected') {
      if (command.kind === 'ReserveAgent') await sendReservationFailed(deps, message, command, 'agentNotEligible');
      return 'reservationFailed';
    }
    if (update.outcome === 'unchanged') return 'ok';
    let etag: string;
    try {
      etag = await deps.agents.saveAgent(update.agent, stored.etag);
    } catch (error) {
      if (error instanceof ConcurrencyConflict) continue;
      throw error;
    }
    // Checked after the save: if the call ended (or the agent left it) before routing heard them
    // answer, the call's own notification found nothing to end, so the call is ended here.
    if (command.kind === 'AssignCallToAgent' && (await callNoLongerHasAgent(deps, command.callId, command.agentId))) {
      await endCallForAgent(deps, command.agentId, command.callId);
      return 'ok';
    }
    const others = command.kind === 'ReserveAgent' || command.kind === 'AssignCallToAgent' ? update.agent.queueIds.filter((q) => q !== message.queueId) : update.agent.queueIds;
    await announceAgent(deps, update.agent, etag, others);
    return 'ok';
  }
  throw new ConcurrencyConflict(command.agentId);
}

/**
 * The agent's call is over: their capacity frees (ETag-guarded) and their queues hear of it. With
 * `wrapUp` (the queue the call came from gives after-call work), the agent first wraps up: the end
 * of it is scheduled on that queue's session as WrapUpEnded.
 */
export async function endCallForAgent(
  deps: Pick<RoutingShellDependencies, 'agents' | 'bus' | 'clock'>,
  agentId: string,
  callId: string,
  wrapUp?: { readonly queueId: string; readonly seconds: number },
): Promise<void> {
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const stored = await deps.agents.getAgent(agentId);
    if (!stored) return;
    const ended = endAgentCall(stored.value, callId, deps.clock.now(), wrapUp?.seconds ?? 0);
    if (ended.outcome !== 'applied') return;
    let etag: string;
    try {
      etag = await deps.agents.saveAgent(ended.agent, stored.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
      continue;
    }
    const until = ended.agent.wrapUp?.callId === callId ? ended.agent.wrapUp.until : undefined;
    if (wrapUp && until !== undefined) {
      // Before the announcement: an agent whose wrap-up nobody would end must not be left so. A
      // schedule that fails leaves the call's release to be retried, and the minute's refresh ends
      // wrap-ups past their time.
      await deps.bus.schedule(
        { kind: 'WrapUpEnded', schemaVersion: routingSchemaVersion, messageId: `${agentId}:${callId}:wrapUpEnded:${Date.parse(until)}`, queueId: wrapUp.queueId, occurredAt: until, agentId, callId, until },
        new Date(until),
      );
    }
    await announceAgent(deps, ended.agent, etag);
    return;
  }
  throw new ConcurrencyConflict(agentId);
}

/**
 * Ends the agent's wrap-up for `which` call (and end time, when known), ETag-guarded; the agent's
 * queues are told they may take calls again. False when that wrap-up was over already.
 */
export async function endWrapUpForAgent(deps: Pick<RoutingShellDependencies, 'agents' | 'bus' | 'clock'>, agentId: string, which: { readonly callId: string; readonly until?: string }): Promise<boolean> {
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const stored = await deps.agents.getAgent(agentId);
    if (!stored) return false;
    const ended = endWrapUp(stored.value, deps.clock.now(), which);
    if (ended.outcome !== 'applied') return false;
    try {
      const etag = await deps.agents.saveAgent(ended.agent, stored.etag);
      await announceAgent(deps, ended.agent, etag);
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
  }
  throw new ConcurrencyConflict(agentId);
}

/**
 * The safety net for a wrap-up whose scheduled end was lost: ended once its time is more than
 * `graceInMs` past. Returns how many were ended.
 */
export async function endOverdueWrapUps(deps: Pick<RoutingShellDependencies, 'agents' | 'bus' | 'clock' | 'logger'>, agents: readonly Agent[], graceInMs: number): Promise<number> {
  let ended = 0;
  const nowMs = deps.clock.now().getTime();
  for (const agent of agents) {
    if (!agent.wrapUp || Date.parse(agent.wrapUp.until) + graceInMs > nowMs) continue;
    deps.logger.warn({ agentId: agent.agentId, callId: agent.wrapUp.callId, until: agent.wrapUp.until }, 'wrap-up ended by the presence refresh: its scheduled end was lost');
    if (await endWrapUpForAgent(deps, agent.agentId, agent.wrapUp)) ended++;
  }
  return ended;
}

/**
 * The safety net for a release that was lost (the call's NotifyRouting failed: Cosmos or Service
 * Bus refused as the call ended): an agent still counted on a call that has ended, or that no
 * longer exists, is released and announced to their queues. A call still going is left alone,
 * whatever its state says: only an ended call is known for sure to need nobody.
 */
export async function releaseAgentsFromEndedCalls(deps: Pick<RoutingShellDependencies, 'agents' | 'bus' | 'clock' | 'calls' | 'logger'>, agents: readonly Agent[]): Promise<number> {
  let released = 0;
  for (const agent of agents) {
    for (const callId of agent.activeCallIds) {
      const call = await deps.calls.getCall(callId);
      if (call && call.record.state.stage !== 'ended') continue;
      deps.logger.warn({ agentId: agent.agentId, callId, callFound: call !== undefined }, 'agent released from a call that had ended: the release at its end was lost');
      await endCallForAgent(deps, agent.agentId, callId);
      released++;
    }
  }
  return released;
}

async function callNoLongerHasAgent(deps: RoutingShellDependencies, callId: string, agentId: string): Promise<boolean> {
  const call = await deps.calls.getCall(callId);
  if (!call) return true;
  const state = call.record.state;
  if (state.stage === 'ended') return true;
  return state.agent?.agentId !== agentId && !(state.consultants ?? []).some((c) => c.agentId === agentId);
}

async function sendReservationFailed(deps: RoutingShellDependencies, message: RoutingMessage, command: RoutingCommandOf<'ReserveAgent'>, reason: 'agentNotEligible' | 'agentNotFound'): Promise<void> {
  await deps.bus.send({
    kind: 'ReservationFailed', schemaVersion: routingSchemaVersion, messageId: `${command.offerId}:reservationFailed`,
    queueId: message.queueId, occurredAt: deps.clock.now().toISOString(), callId: command.offer.callId, agentId: command.agentId, offerId: command.offerId, reason,
  });
}

/**
 * Tells each of the agent's queues whether the agent can take calls now. Ids are deterministic
 * per agent version, so a retried fan-out is dropped as a duplicate.
 */
export async function announceAgent(deps: Pick<RoutingShellDependencies, 'bus' | 'clock'>, agent: Agent, etag: string, queueIds: readonly string[] = agent.queueIds): Promise<void> {
  const kind = isAgentEligible(agent) ? 'AgentBecameAvailable' : 'AgentBecameUnavailable';
  for (const queueId of queueIds) {
    await deps.bus.send({
      kind, schemaVersion: routingSchemaVersion, messageId: `${agent.agentId}:${etag}:${queueId}`,
      queueId, occurredAt: deps.clock.now().toISOString(), agentId: agent.agentId, agent,
    });
  }
}

/** A routing message that was dead-lettered: its call still gets the queue's overflow action. */
export async function handleDeadLetteredRoutingMessage(deps: RoutingShellDependencies, body: unknown): Promise<void> {
  const parsed = routingMessageSchema.safeParse(body);
  if (!parsed.success || !('callId' in parsed.data)) {
    deps.logger.error({ body: typeof body }, 'dead-lettered routing message without a call');
    return;
  }
  const message = parsed.data;
  const def = deps.queueDefinition(message.queueId);
  deps.logger.error({ queueId: message.queueId, kind: message.kind, callId: message.callId }, 'routing message dead-lettered; giving its call the overflow action');
  await deps.applyCallEvent(message.callId, {
    kind: 'QueueOverflowed', eventId: `${message.messageId}:deadLettered`, occurredAt: deps.clock.now().toISOString(),
    queueId: message.queueId, reason: 'deadLettered', action: def ? deadLetterFallback(def) : { kind: 'disconnect', message: 'noAgentsAvailable' },
  });
}

export { isAgentCommand };
