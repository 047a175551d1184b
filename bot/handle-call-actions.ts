import { z } from 'zod';
import type { CallEvent } from './call-flow/call-events.js';
import type { HttpResult } from './handle-agents.js';
import type { Logger } from './logger.js';
import type { AppliedCallEvent } from './handle-call-events.js';
import { announceAgent, endWrapUpForAgent } from './handle-routing-message.js';
import { ConcurrencyConflict, type AgentStore, type CallStore, type Clock, type RoutingBus } from './ports.js';
import { isAgentEligible } from './routing/agent-eligibility.js';
import { chooseConsultAgent } from './routing/choose-consult-agent.js';
import { routingSchemaVersion, type Agent } from './routing/routing-types.js';

export interface CallActionDependencies {
  readonly calls: CallStore;
  readonly agents: AgentStore;
  readonly bus: RoutingBus;
  readonly clock: Clock;
  readonly knownQueue: (queueId: string) => boolean;
  /** Outside the queue's business hours at `now`: a transfer there is refused, the agent keeps the caller. */
  readonly queueClosed: (queueId: string, now: Date) => boolean;
  readonly applyCallEvent: (callId: string, event: CallEvent) => Promise<AppliedCallEvent>;
  readonly logger: Logger;
  /** The disposition codes of a queue's calls; empty: any code. */
  readonly dispositionsOf: (queueId: string) => readonly string[];
}

const skills = z.array(z.strictObject({ skill: z.string().min(1).max(100), minProficiency: z.number().int().min(1).max(5) })).min(1, 'name at least one skill');
export const consultRequestSchema = z.strictObject({ requiredSkills: skills });
export const transferRequestSchema = z.union([
  z.strictObject({ queueId: z.string().min(1) }),
  z.strictObject({ agentId: z.string().min(1) }),
  z.strictObject({ phoneNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phoneNumber must be E.164, e.g. +14255550123') }),
], { error: 'transfer to one of { queueId }, { agentId } or { phoneNumber }' });

export const wrapUpRequestSchema = z.strictObject({
  disposition: z.string().min(1).max(64),
  notes: z.string().max(2000).optional(),
  /** The call the disposition is for: by default the one the agent is wrapping up. */
  callId: z.string().min(1).max(256).optional(),
});

const invalid = (error: z.ZodError): HttpResult => ({ status: 400, body: { error: 'invalid request', details: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });

async function connectedCall(deps: CallActionDependencies, callId: string) {
  const call = await deps.calls.getCall(callId);
  if (!call) return { error: { status: 404, body: { error: 'unknown call' } } as HttpResult };
  if (call.record.state.stage !== 'connected') return { error: { status: 409, body: { error: `the call is ${call.record.state.stage}, not connected to an agent` } } as HttpResult };
  if (call.record.state.phoneTransfer) return { error: { status: 409, body: { error: 'the call is being transferred to a phone number' } } as HttpResult };
  return { call: call.record.state };
}

/** POST /api/calls/{callId}/consult: the best available expert by skill and presence joins the call. */
export async function consult(deps: CallActionDependencies, callId: string, input: unknown): Promise<HttpResult> {
  const parsed = consultRequestSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const found = await connectedCall(deps, callId);
  if (found.error) return found.error;
  const exclude = [found.call.agent?.agentId, ...(found.call.consultants ?? []).map((c) => c.agentId)].filter((a): a is string => a !== undefined);
  // Consults are rare next to routed calls: the candidates are listed, not indexed.
  const candidates = (await deps.agents.listAgents()).filter((a) => !exclude.includes(a.agentId));
  for (let attempt = 0; attempt < 3; attempt++) {
    const expert = chooseConsultAgent(candidates, { requiredSkills: parsed.data.requiredSkills, excludeAgentIds: exclude });
    if (!expert) return { status: 409, body: { error: 'no expert with those skills is available now' } };
    if (await takeAgentForCall(deps, expert.agentId, callId)) {
      const applied = await deps.applyCallEvent(callId, { kind: 'ConsultRequested', eventId: `consult:${callId}:${expert.agentId}:${deps.clock.now().getTime()}`, occurredAt: deps.clock.now().toISOString(), agentId: expert.agentId, teamsUserId: expert.teamsUserId });
      return notActedOn(applied) ?? { status: 202, body: { agentId: expert.agentId, displayName: expert.displayName } };
    }
    exclude.push(expert.agentId);
  }
  return { status: 409, body: { error: 'no expert with those skills is available now' } };
}

/** POST /api/calls/{callId}/transfer: blind transfer to a queue, an agent or a phone number. */
export async function transfer(deps: CallActionDependencies, callId: string, input: unknown): Promise<HttpResult> {
  const parsed = transferRequestSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const found = await connectedCall(deps, callId);
  if (found.error) return found.error;
  const now = deps.clock.now();
  const event = (target: Extract<CallEvent, { kind: 'TransferRequested' }>['target']): CallEvent => ({ kind: 'TransferRequested', eventId: `transfer:${callId}:${now.getTime()}`, occurredAt: now.toISOString(), target });
  const body = parsed.data;
  let applied: AppliedCallEvent;
  if ('queueId' in body) {
    if (!deps.knownQueue(body.queueId)) return { status: 400, body: { error: `unknown queue ${body.queueId}` } };
    if (deps.queueClosed(body.queueId, now)) return { status: 409, body: { error: `queue ${body.queueId} is outside its business hours` } };
    applied = await deps.applyCallEvent(callId, event({ kind: 'queue', queueId: body.queueId }));
  } else if ('agentId' in body) {
    const agent = await deps.agents.getAgent(body.agentId);
    if (!agent) return { status: 404, body: { error: 'unknown agent' } };
    if (!(await takeAgentForCall(deps, body.agentId, callId))) return { status: 409, body: { error: 'that agent cannot take a call now' } };
    applied = await deps.applyCallEvent(callId, event({ kind: 'agent', agentId: body.agentId, teamsUserId: agent.value.teamsUserId }));
  } else {
    applied = await deps.applyCallEvent(callId, event({ kind: 'phone', phoneNumber: body.phoneNumber }));
  }
  return notActedOn(applied) ?? { status: 202, body: { accepted: true } };
}

/**
 * The call changed between the check above and the request reaching it (the caller hung up, another
 * transfer started): the agent hears why instead of a 202 for something that will not happen. An
 * agent taken for the request has been given back by the call.
 */
function notActedOn(applied: AppliedCallEvent): HttpResult | undefined {
  if (applied === 'unknown call') return { status: 404, body: { error: 'unknown call' } };
  if (typeof applied === 'object') return { status: 409, body: { error: applied.refused } };
  return undefined;
}

/** The agent takes the call (capacity counted) if still eligible; their queues hear of it. */
async function takeAgentForCall(deps: CallActionDependencies, agentId: string, callId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const stored = await deps.agents.getAgent(agentId);
    if (!stored || !isAgentEligible(stored.value)) return false;
    const next: Agent = { ...stored.value, activeCallIds: [...stored.value.activeCallIds, callId] };
    try {
      const etag = await deps.agents.saveAgent(next, stored.etag);
      await announceAgent(deps, next, etag);
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
  }
  return false;
}

/**
 * POST /api/agents/{agentId}/wrap-up: the agent records how the call went (a disposition code of the
 * call's queue, and notes kept as personal data) in the call's history; recording it for the call
 * they are wrapping up ends the wrap-up, so the next call can come.
 */
export async function recordWrapUp(deps: CallActionDependencies, agentId: string, input: unknown): Promise<HttpResult> {
  const parsed = wrapUpRequestSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  const agent = await deps.agents.getAgent(agentId);
  if (!agent) return { status: 404, body: { error: 'unknown agent' } };
  const { wrapUp, activeCallIds } = agent.value;
  const callId = parsed.data.callId ?? wrapUp?.callId;
  if (callId === undefined) return { status: 409, body: { error: 'the agent is not wrapping up a call: name the call (callId)' } };
  if (callId !== wrapUp?.callId && !activeCallIds.includes(callId)) return { status: 409, body: { error: 'the agent is neither on that call nor wrapping it up' } };
  const call = await deps.calls.getCall(callId);
  if (!call) return { status: 404, body: { error: 'unknown call' } };
  const queueId = call.record.state.queueId;
  const allowed = queueId === undefined ? [] : deps.dispositionsOf(queueId);
  const { disposition, notes } = parsed.data;
  if (allowed.length > 0 && !allowed.includes(disposition)) {
    return { status: 400, body: { error: `disposition must be one of ${allowed.join(', ')} for queue ${queueId}` } };
  }
  const now = deps.clock.now();
  const eventId = `disposition:${callId}:${agentId}:${now.getTime()}`;
  const applied = await deps.applyCallEvent(callId, { kind: 'DispositionRecorded', eventId, occurredAt: now.toISOString(), agentId, disposition, ...(notes === undefined ? {} : { notes }) });
  if (applied === 'unknown call') return { status: 404, body: { error: 'unknown call' } };
  // The queue counts it for its supervisors (statistics' window.dispositions); the history has it already.
  if (queueId !== undefined) {
    // Not the agent's problem when it fails: the disposition is saved, only the live count misses it.
    await deps.bus
      .send({ kind: 'CallDispositioned', schemaVersion: routingSchemaVersion, messageId: eventId, queueId, occurredAt: now.toISOString(), callId, agentId, disposition })
      .catch((error: unknown) => deps.logger.warn({ callId, queueId, error: String(error) }, 'disposition not counted in the queue statistics'));
  }
  const wrapUpEnded = callId === wrapUp?.callId ? await endWrapUpForAgent(deps, agentId, { callId }) : false;
  return { status: 200, body: { callId, disposition, wrapUpEnded } };
}
