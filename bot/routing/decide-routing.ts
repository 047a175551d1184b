/**
 * The routing decider: (queue state, message, now) -> { state, commands }. No I/O, no clock.
 *
 * The decider owns the `queue` object it is given and updates it in place (the queue document can
 * hold thousands of waiting calls and indexed agents; copying it per message would make every
 * decision O(n)). Callers that need the previous state keep their own copy. Agent documents in
 * `agents` are never modified: agent changes leave as commands (see apply-agent-command.ts).
 *
 * Invariant kept after every message: no free indexed agent qualifies for a waiting call that is
 * not ringing someone and that the agent has not missed. So only three moments need a search:
 * a call arrives or is released (search the agent index), an agent is freed (walk the waiting
 * list in service order), and a call's skills relax (search the index for that call).
 */
import { assertNever } from '../assert-never.js';
import { agentIneligibility, idleSinceMs, isLoggedIn, memberStatusOf } from './agent-eligibility.js';
import {
  addToAgentIndex,
  findAgentInIndex,
  indexOrderFor,
  removeFromAgentIndex,
  reorderAgentIndex,
  type IndexedAgent,
} from './agent-index.js';
import {
  findWaitingIndex,
  hasSeen,
  insertWaitingCall,
  remember,
  removeMember,
  removeWaitingAt,
  setMemberStatus,
} from './queue-state.js';
import { estimateWaitInSeconds, recordQueueOutcome } from './queue-statistics.js';
import type { OverflowReason, RoutingCommand, RoutingDecisionRecord } from './routing-commands.js';
import type { RoutingMessage, RoutingMessageOf } from './routing-messages.js';
import {
  routingSchemaVersion,
  type Agent,
  type OverflowAction,
  type QueueDefinition,
  type QueueState,
  type SkillRequirement,
  type Skills,
  type WaitingCall,
} from './routing-types.js';

export interface RoutingState {
  queue: QueueState;
  queueDef: QueueDefinition;
  /**
   * Fresh documents of the agents this message names, read by id (the offered agent for
   * OfferDeclined / OfferTimedOut / ReservationFailed). Never the agent population: candidates
   * come from the queue's own index.
   */
  agents: readonly Agent[];
}

export interface RoutingDecision {
  state: RoutingState;
  commands: RoutingCommand[];
  /** Why the message changed nothing, if it did not. */
  ignored: 'duplicate' | 'stale' | null;
}

/** The invitation's own outcome normally arrives at ring time; the scheduled safety net waits this much longer. */
export const offerTimeoutGraceInSeconds = 10;
/** A scheduled timer may be handled by an instance whose clock runs slightly behind the broker's. */
const timerToleranceMs = 1000;
const maxMissedAgentsRemembered = 50;
const noRequirements: SkillRequirement[] = [];

interface Step {
  readonly queue: QueueState;
  readonly def: QueueDefinition;
  readonly agents: readonly Agent[];
  readonly message: RoutingMessage;
  readonly nowMs: number;
  /** ISO form of now, made on first use (most messages never need it). */
  nowIsoCache: string | undefined;
  readonly commands: RoutingCommand[];
  historyCount: number;
}

export function decideRouting(state: RoutingState, message: RoutingMessage, now: Date): RoutingDecision {
  const queue = state.queue;
  if (hasSeen(queue, message.messageId)) return { state, commands: [], ignored: 'duplicate' };
  remember(queue, message.messageId);
  const order = indexOrderFor(state.queueDef.agentSelection);
  if (queue.idleAgents.order !== order) reorderAgentIndex(queue.idleAgents, order);

  const step: Step = {
    queue,
    def: state.queueDef,
    agents: state.agents,
    message,
    nowMs: now.getTime(),
    nowIsoCache: undefined,
    commands: [],
    historyCount: 0,
  };
  const applied = apply(step, message);
  return { state, commands: step.commands, ignored: applied ? null : 'stale' };
}

/** Returns false when the message no longer applies (its call or offer has moved on). */
function apply(step: Step, message: RoutingMessage): boolean {
  switch (message.kind) {
    case 'CallQueued':
      return onCallQueued(step, message);
    case 'CallLeftQueue':
      return onCallLeftQueue(step, message);
    case 'AgentBecameAvailable':
    case 'AgentBecameUnavailable':
      return onAgentChanged(step, message);
    case 'OfferAccepted':
      return onOfferAccepted(step, message);
    case 'OfferDeclined':
    case 'OfferTimedOut':
      return onOfferMissed(step, message);
    case 'ReservationFailed':
      return onReservationFailed(step, message);
    case 'AnnouncementTick':
      return onAnnouncementTick(step, message);
    case 'CallbackRequested':
      return onCallbackRequested(step, message);
    case 'CallbackAnswered':
      return onCallbackAnswered(step, message);
    case 'QueueTimerFired':
      return onQueueTimerFired(step, message);
    case 'CallDispositioned':
      recordQueueOutcome(step.queue.stats, step.nowMs, { kind: 'dispositioned', disposition: message.disposition });
      return true;
    case 'WrapUpEnded':
      // The shell ends the agent's wrap-up on their own document; the queue hears it as AgentBecameAvailable.
      return false;
    default:
      return assertNever(message, 'routing message');
  }
}

function onCallQueued(step: Step, m: RoutingMessageOf<'CallQueued'>): boolean {
  const { queue, def } = step;
  if (findWaitingIndex(queue, m.callId) >= 0) return false;
  const call: WaitingCall = {
    callId: m.callId,
    // A booked callback's caller is not on the line.
    callConnectionId: m.callback ? null : m.callConnectionId,
    queueId: queue.queueId,
    priority: m.priority,
    requiredSkills: mergeRequirements(def.requiredSkills, m.requiredSkills),
    enqueuedAtMs: Math.min(Date.parse(m.occurredAt), step.nowMs),
    seq: queue.nextCallSeq++,
    context: m.context,
    callback: m.callback ? { phoneNumber: m.callback.phoneNumber } : null,
    offer: null,
    offerCount: 0,
    missedByAgentIds: [],
    callbackOffered: m.callback !== undefined,
    timersScheduled: false,
    announcementCount: 0,
  };
  // A callback dialled again after nobody answered entered the queue once already.
  if ((m.callback?.attempt ?? 1) <= 1) recordQueueOutcome(queue.stats, step.nowMs, { kind: 'entered' });

  // A free agent takes the call whatever the queue's length or staffing rules say.
  const agent = findAgentForCall(step, call);
  if (agent !== undefined) {
    const position = insertWaitingCall(queue, call);
    record(step, call, { kind: 'queued', priority: call.priority, requiredSkills: call.requiredSkills, position });
    offerCall(step, call, agent);
    return true;
  }
  // A booked callback is not on the line: it waits for the agents who log in, whatever the queue's length.
  const noAgents = call.callback === null ? def.overflow.whenNoAgentsLoggedIn : undefined;
  if (noAgents !== undefined && queue.memberCounts.loggedIn === 0) {
    overflow(step, call, 'noAgentsLoggedIn', noAgents.action, false);
    return true;
  }
  const full = call.callback === null ? def.overflow.maxQueueSize : undefined;
  if (full !== undefined && callersOnTheLine(queue) >= full.maxQueueSize) {
    overflow(step, call, 'maxQueueSize', full.action, false);
    return true;
  }
  const position = insertWaitingCall(queue, call);
  record(step, call, { kind: 'queued', priority: call.priority, requiredSkills: call.requiredSkills, position });
  startWaiting(step, call, position);
  return true;
}

function onCallLeftQueue(step: Step, m: RoutingMessageOf<'CallLeftQueue'>): boolean {
  const { queue, def } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  if (call === undefined) return false;
  if (m.reason === 'abandoned' && call.callback !== null) {
    // The caller chose a callback and hung up: the call keeps its place without a connection.
    call.callConnectionId = null;
    return true;
  }
  removeWaitingAt(queue, index);
  const waitedMs = step.nowMs - call.enqueuedAtMs;
  const threshold = def.serviceLevelThresholdInSeconds;
  if (m.reason === 'abandoned') recordQueueOutcome(queue.stats, step.nowMs, { kind: 'abandoned', waitedMs, thresholdInSeconds: threshold });
  else if (m.reason === 'answered') recordQueueOutcome(queue.stats, step.nowMs, { kind: 'answered', waitedMs, thresholdInSeconds: threshold });
  else if (m.reason === 'overflow') recordQueueOutcome(queue.stats, step.nowMs, { kind: 'overflowed' });
  record(step, call, { kind: 'leftQueue', reason: m.reason, waitedSeconds: seconds(waitedMs) });

  const offer = call.offer;
  if (offer === null) return true;
  step.commands.push(
    {
      kind: 'CancelOffer',
      offerId: offer.offerId,
      operationContext: offer.offerId,
      callId: call.callId,
      callConnectionId: call.callConnectionId,
      agentId: offer.agentId,
    },
    { kind: 'ReleaseAgent', agentId: offer.agentId, offerId: offer.offerId, outcome: 'cancelled' },
  );
  const entry = queue.idleAgents.entries[offer.agentId];
  if (entry !== undefined && entry.offerId === offer.offerId) {
    entry.offerId = null;
    setMemberStatus(queue, entry.agentId, 'idle', true);
    offerWaitingCallToAgent(step, entry);
  }
  return true;
}

function onAgentChanged(step: Step, m: RoutingMessageOf<'AgentBecameAvailable' | 'AgentBecameUnavailable'>): boolean {
  const { queue } = step;
  const agent = m.agent;
  const agentId = agent.agentId;
  const entry = queue.idleAgents.entries[agentId];
  // Our own reservation is outstanding and the snapshot may predate it: only the offer's outcome moves this agent.
  if (entry !== undefined && entry.offerId !== null) return false;

  if (!agent.queueIds.includes(queue.queueId)) {
    removeFromAgentIndex(queue.idleAgents, agentId);
    removeMember(queue, agentId);
    overflowIfNobodyLoggedIn(step);
    return true;
  }
  const member = setMemberStatus(queue, agentId, memberStatusOf(agent), isLoggedIn(agent));
  const lastCallEndedAtMs = agent.lastCallEndedAt === null ? null : Date.parse(agent.lastCallEndedAt);
  if (member.answeredAtMs !== null && lastCallEndedAtMs !== null && lastCallEndedAtMs >= member.answeredAtMs) {
    // Handle time includes the after-call work the queue gives (its planned end: the wait estimate's view).
    const handledUntilMs = agent.wrapUp ? Math.max(lastCallEndedAtMs, Date.parse(agent.wrapUp.until)) : lastCallEndedAtMs;
    recordQueueOutcome(queue.stats, step.nowMs, { kind: 'handled', handleMs: handledUntilMs - member.answeredAtMs });
    member.answeredAtMs = null;
  }

  if (agentIneligibility(agent, queue.queueId) !== null) {
    removeFromAgentIndex(queue.idleAgents, agentId);
    overflowIfNobodyLoggedIn(step);
    return true;
  }
  if (
    entry !== undefined &&
    entry.capacity === agent.capacity &&
    entry.activeCallCount === agent.activeCallIds.length &&
    sameSkills(entry.skills, agent.skills)
  ) {
    return false;
  }
  const indexed = addToAgentIndex(queue.idleAgents, {
    agentId,
    teamsUserId: agent.teamsUserId,
    skills: agent.skills,
    capacity: agent.capacity,
    activeCallCount: agent.activeCallIds.length,
    idleSinceMs: idleSinceMs(agent) ?? Date.parse(m.occurredAt),
    lastOfferSeq: member.lastOfferSeq,
    offerId: null,
  });
  offerWaitingCallToAgent(step, indexed);
  return true;
}

function onOfferAccepted(step: Step, m: RoutingMessageOf<'OfferAccepted'>): boolean {
  const { queue, def } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  if (call === undefined || call.offer === null || call.offer.offerId !== m.offerId || call.offer.agentId !== m.agentId) return false;
  removeWaitingAt(queue, index);
  const waitedMs = step.nowMs - call.enqueuedAtMs;
  recordQueueOutcome(queue.stats, step.nowMs, { kind: 'answered', waitedMs, thresholdInSeconds: def.serviceLevelThresholdInSeconds });
  step.commands.push({ kind: 'AssignCallToAgent', agentId: m.agentId, offerId: m.offerId, callId: call.callId });
  record(step, call, { kind: 'answered', agentId: m.agentId, offerId: m.offerId, waitedSeconds: seconds(waitedMs) });

  const member = setMemberStatus(queue, m.agentId, 'onCall', true);
  member.answeredAtMs = step.nowMs;
  const entry = queue.idleAgents.entries[m.agentId];
  if (entry === undefined) return true;
  entry.offerId = null;
  entry.activeCallCount++;
  if (entry.activeCallCount >= entry.capacity) removeFromAgentIndex(queue.idleAgents, m.agentId);
  else offerWaitingCallToAgent(step, entry);
  return true;
}

function onOfferMissed(step: Step, m: RoutingMessageOf<'OfferDeclined' | 'OfferTimedOut'>): boolean {
  const { queue, def } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  if (call === undefined || call.offer === null || call.offer.offerId !== m.offerId) return false;
  const offer = call.offer;
  const reason = m.kind === 'OfferTimedOut' ? 'noAnswer' : m.reason;
  if (m.kind === 'OfferTimedOut') {
    step.commands.push({
      kind: 'CancelOffer',
      offerId: offer.offerId,
      operationContext: offer.offerId,
      callId: call.callId,
      callConnectionId: call.callConnectionId,
      agentId: offer.agentId,
    });
  }
  call.offer = null;
  if (call.missedByAgentIds.length < maxMissedAgentsRemembered) call.missedByAgentIds.push(offer.agentId);
  step.commands.push({ kind: 'ReleaseAgent', agentId: offer.agentId, offerId: offer.offerId, outcome: reason });
  record(step, call, { kind: 'offerMissed', agentId: offer.agentId, offerId: offer.offerId, reason });

  const misses = (step.agents.find((a) => a.agentId === offer.agentId)?.consecutiveMisses ?? 0) + 1;
  let freed: IndexedAgent | undefined;
  if (misses >= def.maxMissesBeforeNotReady) {
    step.commands.push({ kind: 'MarkAgentNotReady', agentId: offer.agentId, reason: 'missedOffers' });
    removeFromAgentIndex(queue.idleAgents, offer.agentId);
    setMemberStatus(queue, offer.agentId, 'notReady', false);
  } else {
    const entry = queue.idleAgents.entries[offer.agentId];
    if (entry !== undefined && entry.offerId === offer.offerId) {
      entry.offerId = null;
      setMemberStatus(queue, offer.agentId, 'idle', true);
      freed = entry;
    }
  }
  offerToNextAgentOrWait(step, call);
  // The agent who missed is still ready: they may take another waiting call, never this one.
  if (freed !== undefined && freed.offerId === null && queue.idleAgents.entries[freed.agentId] === freed) {
    offerWaitingCallToAgent(step, freed);
  }
  overflowIfNobodyLoggedIn(step);
  return true;
}

function onReservationFailed(step: Step, m: RoutingMessageOf<'ReservationFailed'>): boolean {
  const { queue } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  if (call === undefined || call.offer === null || call.offer.offerId !== m.offerId) return false;
  const offer = call.offer;
  call.offer = null;
  // The agent is busy elsewhere or gone: out of the index until an agent message brings them back.
  removeFromAgentIndex(queue.idleAgents, offer.agentId);
  const fresh = step.agents.find((a) => a.agentId === offer.agentId);
  if (fresh === undefined || !fresh.queueIds.includes(queue.queueId)) removeMember(queue, offer.agentId);
  else setMemberStatus(queue, offer.agentId, memberStatusOf(fresh), isLoggedIn(fresh));
  record(step, call, { kind: 'reservationFailed', agentId: offer.agentId, offerId: offer.offerId, reason: m.reason });
  offerToNextAgentOrWait(step, call);
  return true;
}

function onAnnouncementTick(step: Step, m: RoutingMessageOf<'AnnouncementTick'>): boolean {
  const { queue, def } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  // Each tick schedules the next one: an out-of-sequence tick belongs to an earlier visit or is a duplicate.
  if (call === undefined || m.sequence !== call.announcementCount + 1) return false;
  call.announcementCount = m.sequence;
  if (call.offer === null) announce(step, call, index + 1);
  scheduleAnnouncement(step, call, step.nowMs + def.announcementIntervalInSeconds * 1000);
  return true;
}

function onCallbackRequested(step: Step, m: RoutingMessageOf<'CallbackRequested'>): boolean {
  const call = step.queue.waiting[findWaitingIndex(step.queue, m.callId)];
  if (call === undefined || call.callback !== null) return false;
  call.callback = { phoneNumber: m.phoneNumber };
  call.callbackOffered = true;
  record(step, call, { kind: 'callbackRequested' });
  return true;
}

function onCallbackAnswered(step: Step, m: RoutingMessageOf<'CallbackAnswered'>): boolean {
  const call = step.queue.waiting[findWaitingIndex(step.queue, m.callId)];
  if (call === undefined || call.callback === null) return false;
  // On the line from now on: the next agent is added to this call, not dialled for; announcements resume.
  call.callback = null;
  call.callConnectionId = m.callConnectionId;
  return true;
}

function onQueueTimerFired(step: Step, m: RoutingMessageOf<'QueueTimerFired'>): boolean {
  const { queue, def } = step;
  const index = findWaitingIndex(queue, m.callId);
  const call = queue.waiting[index];
  if (call === undefined) return false;
  switch (m.timer) {
    case 'maxWait': {
      const rule = def.overflow.maxWait;
      // A ringing call is decided by its offer's outcome.
      if (rule === undefined || call.offer !== null || !hasWaitedTooLong(step, call, rule)) return false;
      overflow(step, call, 'maxWait', rule.action, true);
      return true;
    }
    case 'skillRelaxation': {
      const fired = def.relaxationSteps[m.step];
      const next = nextRelaxationIndex(def, fired === undefined ? (step.nowMs - call.enqueuedAtMs) / 1000 : fired.afterSeconds);
      if (next >= 0) scheduleRelaxation(step, call, next);
      if (call.offer !== null) return true;
      const agent = findAgentForCall(step, call);
      if (agent !== undefined) offerCall(step, call, agent);
      return true;
    }
    default:
      return assertNever(m.timer, 'queue timer');
  }
}

/** After a failed offer: the next agent at once, or back to waiting (or overflow if it has waited too long). */
function offerToNextAgentOrWait(step: Step, call: WaitingCall): void {
  const rule = step.def.overflow.maxWait;
  if (rule !== undefined && hasWaitedTooLong(step, call, rule)) {
    overflow(step, call, 'maxWait', rule.action, true);
    return;
  }
  const agent = findAgentForCall(step, call);
  if (agent !== undefined) {
    offerCall(step, call, agent);
    return;
  }
  startWaiting(step, call, findWaitingIndex(step.queue, call.callId) + 1);
}

/** Callbacks have left the line, and a call already offered a callback by this rule keeps waiting. */
function hasWaitedTooLong(step: Step, call: WaitingCall, rule: NonNullable<QueueDefinition['overflow']['maxWait']>): boolean {
  if (call.callback !== null || (rule.action.kind === 'callback' && call.callbackOffered)) return false;
  return step.nowMs - call.enqueuedAtMs + timerToleranceMs >= rule.maxWaitInSeconds * 1000;
}

function findAgentForCall(step: Step, call: WaitingCall): IndexedAgent | undefined {
  const requirements = effectiveRequirements(call, step.def, step.nowMs);
  const missed = call.missedByAgentIds;
  return findAgentInIndex(
    step.queue.idleAgents,
    requirements,
    step.def.agentSelection,
    missed.length === 0 ? nobodyExcluded : (agentId) => missed.includes(agentId),
  );
}

const nobodyExcluded = (): boolean => false;

/** Walks the waiting calls in service order and offers the first one this free agent may take. */
function offerWaitingCallToAgent(step: Step, entry: IndexedAgent): boolean {
  const { queue, def, nowMs } = step;
  // One Map for the walk: the calls' many skill names would make plain property reads megamorphic.
  const skills = new Map(Object.entries(entry.skills));
  for (const call of queue.waiting) {
    if (call.offer !== null) continue;
    if (call.missedByAgentIds.length > 0 && call.missedByAgentIds.includes(entry.agentId)) continue;
    if (!qualifiesAfterRelaxation(skills, call.requiredSkills, relaxationFloor(call, def, nowMs))) continue;
    offerCall(step, call, entry);
    return true;
  }
  return false;
}

/** The proficiency floor the call's wait has reached: a number, 'any' (no skills needed) or null (none yet). */
function relaxationFloor(call: WaitingCall, def: QueueDefinition, nowMs: number): number | 'any' | null {
  if (def.relaxationSteps.length === 0) return null;
  const reached = reachedRelaxation(def.relaxationSteps, (nowMs - call.enqueuedAtMs) / 1000);
  if (reached === undefined) return null;
  return reached.minProficiency === 'anyAgentOfQueue' ? 'any' : reached.minProficiency;
}

/** The latest step the wait has reached, whatever order the configuration lists them in. */
function reachedRelaxation(steps: QueueDefinition['relaxationSteps'], waitedSeconds: number): QueueDefinition['relaxationSteps'][number] | undefined {
  let reached: QueueDefinition['relaxationSteps'][number] | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (waitedSeconds >= step.afterSeconds && (reached === undefined || step.afterSeconds >= reached.afterSeconds)) reached = step;
  }
  return reached;
}

function qualifiesAfterRelaxation(skills: ReadonlyMap<string, number>, requirements: readonly SkillRequirement[], floor: number | 'any' | null): boolean {
  if (floor === 'any') return true;
  for (let i = 0; i < requirements.length; i++) {
    const requirement = requirements[i]!;
    const proficiency = skills.get(requirement.skill);
    const needed = floor === null ? requirement.minProficiency : Math.min(requirement.minProficiency, floor);
    if (proficiency === undefined || proficiency < needed) return false;
  }
  return true;
}

/** The call's requirements after the relaxation steps its wait has reached. */
export function effectiveRequirements(
  call: Pick<WaitingCall, 'requiredSkills' | 'enqueuedAtMs'>,
  def: Pick<QueueDefinition, 'relaxationSteps'>,
  nowMs: number,
): SkillRequirement[] {
  const reached = reachedRelaxation(def.relaxationSteps, (nowMs - call.enqueuedAtMs) / 1000);
  if (reached === undefined) return call.requiredSkills;
  if (reached.minProficiency === 'anyAgentOfQueue') return noRequirements;
  const floor = reached.minProficiency;
  return call.requiredSkills.map((r) => (r.minProficiency <= floor ? r : { skill: r.skill, minProficiency: floor }));
}

function offerCall(step: Step, call: WaitingCall, candidate: IndexedAgent): void {
  const { queue, def } = step;
  call.offerCount++;
  const offerId = `${call.callId}:${queue.queueId}:${call.seq}:${call.offerCount}`;
  call.offer = { offerId, agentId: candidate.agentId, offeredAtMs: step.nowMs };
  queue.offerSeq++;
  const member = setMemberStatus(queue, candidate.agentId, 'reserved', true);
  member.lastOfferSeq = queue.offerSeq;
  let entry = candidate;
  if (queue.idleAgents.order === 'lastOffer') {
    entry = addToAgentIndex(queue.idleAgents, { ...candidate, lastOfferSeq: queue.offerSeq, offerId: null });
  }
  entry.offerId = offerId;

  step.commands.push({
    kind: 'ReserveAgent',
    agentId: entry.agentId,
    offerId,
    offer: { offerId, callId: call.callId, queueId: queue.queueId, offeredAt: nowIso(step) },
  });
  if (call.callback !== null) {
    step.commands.push({
      kind: 'PlaceCallback',
      offerId,
      operationContext: offerId,
      callId: call.callId,
      queueId: queue.queueId,
      agentId: entry.agentId,
      teamsUserId: entry.teamsUserId,
      invitationTimeoutInSeconds: def.ringTimeInSeconds,
      context: call.context,
      pii: { phoneNumber: call.callback.phoneNumber },
    });
  } else {
    step.commands.push({
      kind: 'OfferCallToAgent',
      offerId,
      operationContext: offerId,
      callId: call.callId,
      callConnectionId: call.callConnectionId ?? '',
      queueId: queue.queueId,
      agentId: entry.agentId,
      teamsUserId: entry.teamsUserId,
      invitationTimeoutInSeconds: def.ringTimeInSeconds,
      context: call.context,
    });
  }
  const timeoutAt = isoTime(step.nowMs + (def.ringTimeInSeconds + offerTimeoutGraceInSeconds) * 1000);
  schedule(step, timeoutAt, {
    kind: 'OfferTimedOut',
    schemaVersion: routingSchemaVersion,
    messageId: `${offerId}:timeout`,
    queueId: queue.queueId,
    occurredAt: timeoutAt,
    callId: call.callId,
    agentId: entry.agentId,
    offerId,
  });
  record(step, call, {
    kind: 'offered',
    agentId: entry.agentId,
    offerId,
    agentSelection: def.agentSelection,
    appliedSkills: effectiveRequirements(call, def, step.nowMs),
    waitedSeconds: seconds(step.nowMs - call.enqueuedAtMs),
  });
}

/** The call really waits: announce its position and arm its timers (once per visit). */
function startWaiting(step: Step, call: WaitingCall, position: number): void {
  if (call.timersScheduled) return;
  call.timersScheduled = true;
  const { def } = step;
  if (def.overflow.maxWait !== undefined) {
    const at = isoTime(call.enqueuedAtMs + def.overflow.maxWait.maxWaitInSeconds * 1000);
    schedule(step, at, {
      kind: 'QueueTimerFired',
      schemaVersion: routingSchemaVersion,
      messageId: `${visitId(step, call)}:maxWait`,
      queueId: step.queue.queueId,
      occurredAt: at,
      callId: call.callId,
      timer: 'maxWait',
      step: 0,
    });
  }
  const waitedSeconds = (step.nowMs - call.enqueuedAtMs) / 1000;
  const next = nextRelaxationIndex(def, waitedSeconds);
  if (next >= 0) scheduleRelaxation(step, call, next);
  if (def.announcementIntervalInSeconds > 0) {
    announce(step, call, position);
    scheduleAnnouncement(step, call, step.nowMs + def.announcementIntervalInSeconds * 1000);
  } else {
    // Without announcements the wait is judged once, as the call starts waiting.
    offerCallbackIfLong(step, call, estimateWaitInSeconds(step.queue, def, position, step.nowMs));
  }
}

/** Index of the first step (by time) after `afterSeconds`, or -1. */
function nextRelaxationIndex(def: QueueDefinition, afterSeconds: number): number {
  let next = -1;
  def.relaxationSteps.forEach((r, i) => {
    if (r.afterSeconds > afterSeconds && (next < 0 || r.afterSeconds < def.relaxationSteps[next]!.afterSeconds)) next = i;
  });
  return next;
}

function scheduleRelaxation(step: Step, call: WaitingCall, index: number): void {
  const relaxation = step.def.relaxationSteps[index];
  if (relaxation === undefined) return;
  const at = isoTime(Math.max(step.nowMs, call.enqueuedAtMs + relaxation.afterSeconds * 1000));
  schedule(step, at, {
    kind: 'QueueTimerFired',
    schemaVersion: routingSchemaVersion,
    messageId: `${visitId(step, call)}:relax:${index}`,
    queueId: step.queue.queueId,
    occurredAt: at,
    callId: call.callId,
    timer: 'skillRelaxation',
    step: index,
  });
}

function scheduleAnnouncement(step: Step, call: WaitingCall, atMs: number): void {
  if (step.def.announcementIntervalInSeconds <= 0) return;
  const sequence = call.announcementCount + 1;
  const at = isoTime(atMs);
  schedule(step, at, {
    kind: 'AnnouncementTick',
    schemaVersion: routingSchemaVersion,
    messageId: `${visitId(step, call)}:tick:${sequence}`,
    queueId: step.queue.queueId,
    occurredAt: at,
    callId: call.callId,
    sequence,
  });
}

function announce(step: Step, call: WaitingCall, position: number): void {
  if (call.callConnectionId === null || call.callback !== null) return;
  const expectedWaitInSeconds = estimateWaitInSeconds(step.queue, step.def, position, step.nowMs);
  step.commands.push({
    kind: 'AnnounceQueuePosition',
    operationContext: `${step.message.messageId}:announce`,
    callId: call.callId,
    callConnectionId: call.callConnectionId,
    position,
    expectedWaitInSeconds,
  });
  offerCallbackIfLong(step, call, expectedWaitInSeconds);
}

/** Offers a callback, once per call, when the expected wait is over the queue's threshold. */
function offerCallbackIfLong(step: Step, call: WaitingCall, expectedWaitInSeconds: number): void {
  if (call.callConnectionId === null || call.callback !== null) return;
  const { def } = step;
  const threshold = def.callbackOfferThresholdInSeconds;
  if (threshold !== null && !call.callbackOffered && expectedWaitInSeconds > threshold) {
    call.callbackOffered = true;
    step.commands.push({
      kind: 'OfferCallback',
      operationContext: `${step.message.messageId}:callback`,
      callId: call.callId,
      callConnectionId: call.callConnectionId,
      expectedWaitInSeconds,
    });
    record(step, call, { kind: 'callbackOffered', expectedWaitInSeconds });
  }
}

/**
 * Applies an overflow rule. A callback action keeps the call's place (the call flow collects the
 * number and answers with CallbackRequested); every other action takes the call out of the queue.
 */
function overflow(step: Step, call: WaitingCall, reason: OverflowReason, action: OverflowAction, inQueue: boolean): void {
  const { queue } = step;
  const waitedSeconds = seconds(step.nowMs - call.enqueuedAtMs);
  step.commands.push({ kind: 'Overflow', callId: call.callId, callConnectionId: call.callConnectionId, queueId: queue.queueId, reason, action });
  record(step, call, { kind: 'overflowed', reason, action, waitedSeconds });
  if (action.kind === 'callback') {
    call.callbackOffered = true;
    if (!inQueue) insertWaitingCall(queue, call);
    return;
  }
  if (inQueue) {
    const index = findWaitingIndex(queue, call.callId);
    if (index >= 0) removeWaitingAt(queue, index);
  }
  recordQueueOutcome(queue.stats, step.nowMs, { kind: 'overflowed' });
}

/** The last agent logged out: callers still waiting take the "no agents logged in" action. */
function overflowIfNobodyLoggedIn(step: Step): void {
  const { queue, def } = step;
  const rule = def.overflow.whenNoAgentsLoggedIn;
  if (rule === undefined || queue.memberCounts.loggedIn > 0 || queue.waiting.length === 0) return;
  const keepsCallbackOffers = rule.action.kind === 'callback';
  const stranded = queue.waiting.filter(
    (c) => c.offer === null && c.callback === null && !(keepsCallbackOffers && c.callbackOffered),
  );
  for (const call of stranded) overflow(step, call, 'noAgentsLoggedIn', rule.action, true);
}

function callersOnTheLine(queue: QueueState): number {
  let count = 0;
  for (const call of queue.waiting) if (call.callback === null) count++;
  return count;
}

/** A timer: the message comes back to this queue at `at`, which is also its `occurredAt`. */
function schedule(step: Step, at: string, message: RoutingMessageOf<'OfferTimedOut' | 'AnnouncementTick' | 'QueueTimerFired'>): void {
  step.commands.push({ kind: 'ScheduleMessage', at, message });
}

function nowIso(step: Step): string {
  if (step.nowIsoCache === undefined) step.nowIsoCache = isoTime(step.nowMs);
  return step.nowIsoCache;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function record(step: Step, call: WaitingCall, decision: RoutingDecisionRecord): void {
  step.commands.push({
    kind: 'RecordRoutingDecision',
    historyId: `${step.message.messageId}:${step.historyCount++}`,
    callId: call.callId,
    queueId: step.queue.queueId,
    at: nowIso(step),
    decision,
  });
}

/** Identifies one stay of a call in this queue (a call can overflow away and come back). */
function visitId(step: Step, call: WaitingCall): string {
  return `${call.callId}:${step.queue.queueId}:${call.seq}`;
}

/** The queue's baseline requirements merged with the call's own; the stricter proficiency wins. */
function mergeRequirements(base: readonly SkillRequirement[], own: readonly SkillRequirement[]): SkillRequirement[] {
  if (base.length === 0) return [...own];
  const merged = new Map<string, number>();
  // The call's own skills come first: the first required skill is the one "most skilled" ranks by.
  for (const r of [...own, ...base]) merged.set(r.skill, Math.max(merged.get(r.skill) ?? 0, r.minProficiency));
  return [...merged].map(([skill, minProficiency]) => ({ skill, minProficiency }));
}

function sameSkills(a: Skills, b: Skills): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
