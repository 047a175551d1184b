import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';

/** An agent's document as the admin API returns it. */
export async function agentDocument(stack: Pick<LocalStack, 'functionsHost'>, agentId: string): Promise<Agent> {
  const response = await fetch(`${stack.functionsHost.baseUrl}/api/agents`);
  const { value } = (await response.json()) as { value: Agent[] };
  const agent = value.find((a) => a.agentId === agentId);
  if (!agent) throw new Error(`no agent ${agentId}`);
  return agent;
}
