import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { apiFetch } from './api-fetch.js';

/** An agent's document as the admin API returns it. */
export async function agentDocument(stack: Pick<LocalStack, 'functionsHost' | 'entra'>, agentId: string): Promise<Agent> {
  const response = await apiFetch(stack, `agents`);
  const { value } = (await response.json()) as { value: Agent[] };
  const agent = value.find((a) => a.agentId === agentId);
  if (!agent) throw new Error(`no agent ${agentId}`);
  return agent;
}
