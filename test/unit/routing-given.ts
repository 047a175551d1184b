/**
 * given(queue).when(message).then-expectations for the routing decider, on a fixed clock.
 * The scenario plays the shell's part for agent documents: it applies the decider's agent
 * commands to its copies, and passes the offered agent's document with each offer outcome.
 */
import { newAgent } from '../../bot/routing/new-agent.js';
import { applyAgentCommand, endAgentCall, isAgentCommand, type AgentUpdate } from '../../bot/routing/apply-agent-command.js';
import { decideRouting, type RoutingDecision } from '../../bot/routing/decide-routing.js';
import { createQueueState } from '../../bot/routing/queue-state.js';
import type { RoutingCommand, RoutingCommandKind, RoutingCommandOf } from '../../bot/routing/routing-commands.js';
import { parseQueueDefinition, type RoutingMessage, type RoutingMessageOf } from '../../bot/routing/routing-messages.js';
import { routingSchemaVersion, type Agent, type QueueDefinition, type QueueState, type RoutingContext } from '../../bot/routing/routing-types.js';

export const t0 = new Date('2025-03-03T09:00:00.000Z');

export function at(seconds: number): Date {
  return new Date(t0.getTime() + seconds * 1000);
}

export function queueDefinition(overrides: Record<string, unknown> = {}): QueueDefinition {
  return parseQueueDefinition({
    queueId: 'sales',
    name: 'Sales',
    ringTimeInSeconds: 20,
    maxMissesBeforeNotReady: 2,
    announcementIntervalInSeconds: 0,
    ...overrides,
  });
}

export function agent(agentId: string, overrides: Partial<Agent> = {}): Agent {
  return newAgent({
    agentId,
    teamsUserId: `teams-${agentId}`,
    displayName: agentId.toUpperCase(),
    skills: {},
    queueIds: ['sales'],
    presence: { availability: 'Available', activity: 'Available' },
    ...overrides,
  });
}

export const context: RoutingContext = {
  intent: 'buy',
  confidence: 0.9,
  language: 'en-GB',
  reason: 'intent needs an agent',
  pii: { callerId: '+441632960001', transcript: ['I want fibre'], slots: { product: 'fibre' } },
};

let messageCounter = 0;
type Fields<K extends RoutingMessage['kind']> = Omit<RoutingMessageOf<K>, 'kind' | 'schemaVersion' | 'messageId' | 'queueId' | 'occurredAt'> &
  Partial<Pick<RoutingMessageOf<K>, 'messageId' | 'queueId' | 'occurredAt'>>;

export function message<K extends RoutingMessage['kind']>(kind: K, fields: Fields<K>, when: Date = t0): RoutingMessageOf<K> {
  return {
    schemaVersion: routingSchemaVersion,
    messageId: `m${++messageCounter}`,
    queueId: 'sales',
    occurredAt: when.toISOString(),
    kind,
    ...fields,
  } as unknown as RoutingMessageOf<K>;
}

export function callQueued(
  callId: string,
  options: { priority?: number; skills?: Record<string, number>; at?: Date; queueId?: string } = {},
): RoutingMessageOf<'CallQueued'> {
  return message(
    'CallQueued',
    {
      callId,
      callConnectionId: `conn-${callId}`,
      priority: options.priority ?? 0,
      requiredSkills: Object.entries(options.skills ?? {}).map(([skill, minProficiency]) => ({ skill, minProficiency })),
      context,
      ...(options.queueId === undefined ? {} : { queueId: options.queueId }),
    },
    options.at ?? t0,
  );
}

export function ofKind<K extends RoutingCommandKind>(commands: readonly RoutingCommand[], kind: K): RoutingCommandOf<K>[] {
  return commands.filter((c): c is RoutingCommandOf<K> => c.kind === kind);
}

/** The (agent, call) pairs offered by these commands, in order. */
export function offers(commands: readonly RoutingCommand[]): Array<{ agentId: string; callId: string }> {
  return ofKind(commands, 'ReserveAgent').map((c) => ({ agentId: c.agentId, callId: c.offer.callId }));
}

export class RoutingScenario {
  readonly queue: QueueState;
  readonly agents = new Map<string, Agent>();
  readonly agentUpdates: AgentUpdate[] = [];
  last: RoutingDecision | undefined;

  constructor(readonly def: QueueDefinition) {
    this.queue = createQueueState(def);
  }

  /** Agents signing in (AgentBecameAvailable), one second apart from `from` seconds. */
  withAgents(agents: Agent[], from = -100): this {
    agents.forEach((a, i) => this.agentChanged(a, at(from + i)));
    return this;
  }

  agentChanged(agent: Agent, when: Date = t0, kind: 'AgentBecameAvailable' | 'AgentBecameUnavailable' = 'AgentBecameAvailable'): RoutingDecision {
    this.agents.set(agent.agentId, agent);
    return this.when(message(kind, { agentId: agent.agentId, agent }, when), when);
  }

  withCalls(...calls: RoutingMessageOf<'CallQueued'>[]): this {
    for (const call of calls) this.when(call, new Date(call.occurredAt));
    return this;
  }

  when(m: RoutingMessage, now: Date = new Date(m.occurredAt)): RoutingDecision {
    const named = 'agentId' in m ? this.agents.get(m.agentId) : undefined;
    const decision = decideRouting({ queue: this.queue, queueDef: this.def, agents: named === undefined ? [] : [named] }, m, now);
    for (const command of decision.commands) {
      if (!isAgentCommand(command)) continue;
      const doc = this.agents.get(command.agentId);
      if (doc === undefined) continue;
      const update = applyAgentCommand(doc, command);
      this.agentUpdates.push(update);
      this.agents.set(command.agentId, update.agent);
    }
    this.last = decision;
    return decision;
  }

  /** The offer currently ringing for a call. */
  offerOf(callId: string): { offerId: string; agentId: string } {
    const offer = this.queue.waiting.find((c) => c.callId === callId)?.offer;
    if (offer === undefined || offer === null) throw new Error(`no offer for ${callId}`);
    return offer;
  }

  accept(callId: string, now: Date): RoutingDecision {
    const { offerId, agentId } = this.offerOf(callId);
    return this.when(message('OfferAccepted', { callId, agentId, offerId }, now), now);
  }

  decline(callId: string, now: Date, reason: 'declined' | 'noAnswer' = 'declined'): RoutingDecision {
    const { offerId, agentId } = this.offerOf(callId);
    return this.when(message('OfferDeclined', { callId, agentId, offerId, reason }, now), now);
  }

  /** The agent's call ends; like the shell, tell the queue the agent may be free. */
  /** The agent's call ends (into `wrapUpInSeconds` of after-call work, when given). */
  endCall(agentId: string, callId: string, now: Date, wrapUpInSeconds = 0): RoutingDecision {
    const doc = this.agents.get(agentId)!;
    const ended = endAgentCall(doc, callId, now, wrapUpInSeconds).agent;
    return this.agentChanged(ended, now);
  }
}

export function given(def: QueueDefinition = queueDefinition()): RoutingScenario {
  return new RoutingScenario(def);
}
