import { z } from 'zod';
import { announceAgent } from './handle-routing-message.js';
import type { Logger } from './logger.js';
import { ConcurrencyConflict, type AgentStore, type Clock, type PresenceReading, type RoutingBus } from './ports.js';
import { memberStatusOf } from './routing/agent-eligibility.js';
import { endWrapUp } from './routing/apply-agent-command.js';
import { newAgent } from './routing/new-agent.js';
import { availabilities, type Agent } from './routing/routing-types.js';

export interface AgentDependencies {
  readonly agents: AgentStore;
  readonly bus: RoutingBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly knownQueue: (queueId: string) => boolean;
}

const proficiency = z.number().int().min(1).max(5);

/** What an administrator sends to create or edit an agent; the live fields stay the system's. */
export const agentInputSchema = z.strictObject({
  teamsUserId: z.string().min(1).max(128),
  displayName: z.string().min(1).max(256),
  skills: z.record(z.string().min(1).max(100), proficiency).default({}),
  queueIds: z.array(z.string().min(1)).min(1, 'an agent serves at least one queue'),
  capacity: z.number().int().min(1).max(10).default(1),
  state: z.enum(['ready', 'notReady']).default('notReady'),
});

export const agentStateSchema = z.strictObject({
  state: z.enum(['ready', 'notReady']),
  reason: z.string().max(200).optional(),
});

export type HttpResult = { readonly status: number; readonly body: unknown };

const agentIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'agent ids are 1-64 letters, digits, dot, dash or underscore');

function problem(status: number, error: string, details?: unknown): HttpResult {
  return { status, body: details === undefined ? { error } : { error, details } };
}

/** PUT /api/agents/{agentId}: create or edit an agent; its queues hear of the change. */
export async function putAgent(deps: AgentDependencies, agentId: string, input: unknown): Promise<HttpResult> {
  const id = agentIdSchema.safeParse(agentId);
  if (!id.success) return problem(400, id.error.issues[0]?.message ?? 'bad agent id');
  const parsed = agentInputSchema.safeParse(input);
  if (!parsed.success) return problem(400, 'invalid agent', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const unknownQueues = parsed.data.queueIds.filter((q) => !deps.knownQueue(q));
  if (unknownQueues.length > 0) return problem(400, `unknown queue ${unknownQueues.join(', ')}`);
  const saved = await changeAgent(deps, agentId, (existing) => ({ ...(existing ?? newAgent({ agentId, ...parsed.data })), ...parsed.data }));
  return { status: 200, body: view(saved.agent) };
}

/** POST /api/agents/{agentId}/state: ready / not ready; either ends the agent's wrap-up (after-call work). */
export async function setAgentState(deps: AgentDependencies, agentId: string, input: unknown): Promise<HttpResult> {
  const parsed = agentStateSchema.safeParse(input);
  if (!parsed.success) return problem(400, 'state must be ready or notReady');
  if (!(await deps.agents.getAgent(agentId))) return problem(404, 'unknown agent');
  const saved = await changeAgent(deps, agentId, (existing) =>
    existing && {
      // Either state ends the agent's wrap-up.
      ...endWrapUp(existing, deps.clock.now()).agent,
      state: parsed.data.state,
      notReadyReason: parsed.data.state === 'notReady' ? parsed.data.reason ?? 'set by agent' : null,
      consecutiveMisses: parsed.data.state === 'ready' ? 0 : existing.consecutiveMisses,
    },
  );
  return { status: 200, body: view(saved.agent) };
}

/** Teams presence changed (Graph notification or poll): record it; the agent's queues hear of it. */
export async function applyPresence(deps: AgentDependencies, readings: readonly PresenceReading[], agentsByTeamsUser: ReadonlyMap<string, string>): Promise<number> {
  let changed = 0;
  for (const reading of readings) {
    const agentId = agentsByTeamsUser.get(reading.userId);
    if (!agentId) continue;
    const availability = (availabilities as readonly string[]).includes(reading.availability) ? (reading.availability as Agent['presence']['availability']) : 'PresenceUnknown';
    const result = await changeAgent(deps, agentId, (existing) =>
      existing && (existing.presence.availability === availability && existing.presence.activity === reading.activity
        ? existing
        : { ...existing, presence: { availability, activity: reading.activity } }),
    );
    if (result.changed) changed++;
  }
  return changed;
}

export function view(agent: Agent): Agent & { status: string } {
  return { ...agent, status: memberStatusOf(agent) };
}

/** Read-modify-write with the ETag, then fan the new agent out to its queues (and queues it left). */
async function changeAgent(
  deps: AgentDependencies,
  agentId: string,
  change: (existing: Agent | undefined) => Agent | undefined,
): Promise<{ agent: Agent; changed: boolean }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const stored = await deps.agents.getAgent(agentId);
    const next = change(stored?.value);
    if (!next) throw new Error(`unknown agent ${agentId}`);
    if (stored && JSON.stringify(next) === JSON.stringify(stored.value)) return { agent: next, changed: false };
    try {
      const etag = await deps.agents.saveAgent(next, stored?.etag);
      const leftQueues = (stored?.value.queueIds ?? []).filter((q) => !next.queueIds.includes(q));
      await announceAgent(deps, next, etag, next.queueIds);
      if (leftQueues.length > 0) await announceAgent(deps, { ...next, queueIds: next.queueIds, state: 'notReady', notReadyReason: 'left queue' }, etag, leftQueues);
      deps.logger.info({ agentId, status: memberStatusOf(next) }, 'agent changed');
      return { agent: next, changed: true };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
  }
  throw new ConcurrencyConflict(agentId);
}
