import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent goes ready or not ready. */
export const agentState = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'agent-state',
  trigger: 'http',
  methods: ['POST'],
  route: 'agents/{agentId}/state',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, { agentId: request.params['agentId'] ?? '' });
    if (denied) return denied;
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    const result = await switchboard.setAgentState(request.params['agentId'] ?? '', body);
    return { status: result.status, jsonBody: result.body };
  },
});
