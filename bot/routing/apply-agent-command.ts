/**
 * How the routing commands change an agent document. The shell applies these to the freshly read
 * document and writes the result with its ETag (re-reading and re-applying on a 412), so the
 * rules hold even when two queues race for the same agent. Every transition is idempotent.
 */
import { assertNever } from '../assert-never.js';
import { agentIneligibility, type AgentIneligibility } from './agent-eligibility.js';
import type { RoutingCommandOf } from './routing-commands.js';
import type { Agent } from './routing-types.js';

export type AgentCommand = RoutingCommandOf<'ReserveAgent' | 'ReleaseAgent' | 'MarkAgentNotReady' | 'AssignCallToAgent'>;

export type AgentUpdate =
  | { outcome: 'applied'; agent: Agent }
  /** Already in effect (a retried command): nothing to write. */
  | { outcome: 'unchanged'; agent: Agent }
  /** The reservation is refused: send `ReservationFailed` to the queue. */
  | { outcome: 'rejected'; agent: Agent; reason: AgentIneligibility };

export function isAgentCommand(command: { kind: string }): command is AgentCommand {
  return (
    command.kind === 'ReserveAgent' ||
    command.kind === 'ReleaseAgent' ||
    command.kind === 'MarkAgentNotReady' ||
    command.kind === 'AssignCallToAgent'
  );
}

export function applyAgentCommand(agent: Agent, command: AgentCommand): AgentUpdate {
  switch (command.kind) {
    case 'ReserveAgent': {
      if (agent.offer?.offerId === command.offerId) return { outcome: 'unchanged', agent };
      const reason = agentIneligibility(agent, command.offer.queueId);
      if (reason !== null) return { outcome: 'rejected', agent, reason };
      return { outcome: 'applied', agent: { ...agent, offer: { ...command.offer } } };
    }
    case 'ReleaseAgent': {
      if (agent.offer?.offerId !== command.offerId) return { outcome: 'unchanged', agent };
      const missed = command.outcome === 'declined' || command.outcome === 'noAnswer';
      return {
        outcome: 'applied',
        agent: { ...agent, offer: null, consecutiveMisses: agent.consecutiveMisses + (missed ? 1 : 0) },
      };
    }
    case 'MarkAgentNotReady':
      if (agent.state === 'notReady' && agent.notReadyReason === command.reason) return { outcome: 'unchanged', agent };
      return { outcome: 'applied', agent: { ...agent, state: 'notReady', notReadyReason: command.reason } };
    case 'AssignCallToAgent': {
      if (agent.activeCallIds.includes(command.callId)) return { outcome: 'unchanged', agent };
      return {
        outcome: 'applied',
        agent: {
          ...agent,
          activeCallIds: [...agent.activeCallIds, command.callId],
          offer: agent.offer?.offerId === command.offerId ? null : agent.offer,
          consecutiveMisses: 0,
        },
      };
    }
    default:
      return assertNever(command, 'agent command');
  }
}

/**
 * The agent's call ended (from the call's events): frees capacity and starts their idle time, or
 * first their wrap-up (`wrapUpInSeconds`, the queue's after-call work) when the call was answered
 * for a queue that has one.
 */
export function endAgentCall(agent: Agent, callId: string, now: Date, wrapUpInSeconds = 0): AgentUpdate {
  if (!agent.activeCallIds.includes(callId)) return { outcome: 'unchanged', agent };
  const wrapUp = wrapUpInSeconds > 0 ? { callId, until: new Date(now.getTime() + wrapUpInSeconds * 1000).toISOString() } : agent.wrapUp;
  return {
    outcome: 'applied',
    agent: { ...agent, activeCallIds: agent.activeCallIds.filter((c) => c !== callId), lastCallEndedAt: now.toISOString(), wrapUp },
  };
}

/**
 * The agent's wrap-up is over: its time came (`which`: the wrap-up it was for, by call and end time;
 * a later one, even for the same call, is left alone), or the agent said so (no `which`).
 */
export function endWrapUp(agent: Agent, now: Date, which?: { readonly callId: string; readonly until?: string }): AgentUpdate {
  const other = which !== undefined && (agent.wrapUp?.callId !== which.callId || (which.until !== undefined && agent.wrapUp.until !== which.until));
  if (!agent.wrapUp || other) return { outcome: 'unchanged', agent };
  return { outcome: 'applied', agent: { ...agent, wrapUp: null, wrapUpEndedAt: now.toISOString() } };
}

