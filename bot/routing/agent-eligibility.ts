/**
 * The rule every offer obeys: an agent takes a call only when ready, Available in Teams, under
 * capacity and not already holding an offer. Shared by the decider, the shell's ETag-guarded
 * reservation and the SME consult choice, so the three can never disagree.
 */
import type { Agent, MemberStatus } from './routing-types.js';

export type AgentIneligibility = 'notInQueue' | 'notReady' | 'wrappingUp' | 'presence' | 'atCapacity' | 'holdingOffer';

const callActivities = new Set(['InACall', 'InAConferenceCall']);

/**
 * Available or AvailableIdle. An agent with capacity for a second call is also accepted while Teams
 * shows them Busy in a call, provided they are on a call we routed (otherwise a capacity above one
 * could never be used: Teams turns every agent on a call Busy).
 */
export function isPresenceAvailable(agent: Agent): boolean {
  const { availability, activity } = agent.presence;
  if (availability === 'Available' || availability === 'AvailableIdle') return true;
  return (
    agent.activeCallIds.length > 0 &&
    (availability === 'Busy' || availability === 'BusyIdle') &&
    callActivities.has(activity)
  );
}

/** Why the agent cannot take a call now (from `queueId`, when given), or null if they can. */
export function agentIneligibility(agent: Agent, queueId?: string): AgentIneligibility | null {
  if (queueId !== undefined && !agent.queueIds.includes(queueId)) return 'notInQueue';
  if (agent.state !== 'ready') return 'notReady';
  if (agent.wrapUp) return 'wrappingUp';
  if (agent.offer !== null) return 'holdingOffer';
  if (agent.activeCallIds.length >= agent.capacity) return 'atCapacity';
  if (!isPresenceAvailable(agent)) return 'presence';
  return null;
}

export function isAgentEligible(agent: Agent, queueId?: string): boolean {
  return agentIneligibility(agent, queueId) === null;
}

/** The agent as the supervisor's "agents by state" counts them. */
export function memberStatusOf(agent: Agent): MemberStatus {
  const { availability } = agent.presence;
  if (availability === 'Offline' || availability === 'PresenceUnknown') return 'offline';
  if (agent.activeCallIds.length > 0) return 'onCall';
  if (agent.state !== 'ready') return 'notReady';
  if (agent.wrapUp) return 'wrapUp';
  if (agent.offer !== null) return 'reserved';
  if (!isPresenceAvailable(agent)) return 'away';
  return 'idle';
}

/** Logged in for the "no agents logged in" overflow rule: opted in (ready) and not Offline. */
export function isLoggedIn(agent: Agent): boolean {
  return agent.state === 'ready' && memberStatusOf(agent) !== 'offline';
}

/** Since when the agent has been free of calls and after-call work (null: never had a call). */
export function idleSinceMs(agent: Agent): number | null {
  const times = [agent.lastCallEndedAt, agent.wrapUpEndedAt].filter((t): t is string => typeof t === 'string').map((t) => Date.parse(t));
  return times.length === 0 ? null : Math.max(...times);
}
