/**
 * The SME for a consult or transfer: the same eligibility as a routed offer (ready, Available in
 * Teams, under capacity, holding no offer), any queue. Best = highest proficiency in the first
 * requested skill, then the most total proficiency across the requested skills, then longest idle.
 *
 * Consults are rare next to routed calls, so this takes a candidate list (the shell loads the
 * agents holding the first requested skill) rather than an index.
 */
import { idleSinceMs, isAgentEligible } from './agent-eligibility.js';
import { meetsRequirements } from './agent-index.js';
import type { Agent, SkillRequirement } from './routing-types.js';

export interface ConsultRequest {
  requiredSkills: SkillRequirement[];
  /** The agent asking, and anyone else who must not be chosen. */
  excludeAgentIds?: readonly string[];
}

export function chooseConsultAgent(candidates: readonly Agent[], request: ConsultRequest): Agent | null {
  const excluded = new Set(request.excludeAgentIds ?? []);
  const primary = request.requiredSkills[0]?.skill;
  let best: Agent | null = null;
  for (const agent of candidates) {
    if (excluded.has(agent.agentId) || !isAgentEligible(agent) || !meetsRequirements(agent.skills, request.requiredSkills)) continue;
    if (best === null || ranksAbove(agent, best, primary, request.requiredSkills)) best = agent;
  }
  return best;
}

function ranksAbove(a: Agent, b: Agent, primary: string | undefined, requirements: readonly SkillRequirement[]): boolean {
  if (primary !== undefined) {
    const difference = (a.skills[primary] ?? 0) - (b.skills[primary] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  const total = (agent: Agent): number => requirements.reduce((sum, r) => sum + (agent.skills[r.skill] ?? 0), 0);
  const totals = total(a) - total(b);
  if (totals !== 0) return totals > 0;
  return idleSince(a) < idleSince(b);
}

/** Never having had a call counts as idle the longest. */
function idleSince(agent: Agent): number {
  return idleSinceMs(agent) ?? Number.NEGATIVE_INFINITY;
}
