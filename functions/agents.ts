import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Admin API: list agents, create or edit one (validated). Authorization comes with the agent app. */
export const agents = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'agents',
  trigger: 'http',
  methods: ['GET', 'PUT'],
  route: 'agents/{agentId?}',
  handler: async (request) => {
    const switchboard = await app();
    const agentId = request.params['agentId'];
    if (request.method === 'GET' && !agentId) return asResponse(await switchboard.listAgents());
    if (request.method !== 'PUT' || !agentId) return { status: 405, jsonBody: { error: 'PUT /api/agents/{agentId} or GET /api/agents' } };
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    return asResponse(await switchboard.putAgent(agentId, body));
  },
});

const asResponse = (result: { status: number; body: unknown }) => ({ status: result.status, jsonBody: result.body });
