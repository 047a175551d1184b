import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** List agents (supervisors), create or edit one (admins; validated). */
export const agents = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'agents',
  trigger: 'http',
  methods: ['GET', 'PUT'],
  route: 'agents/{agentId?}',
  handler: async (request) => {
    const switchboard = await app();
    const agentId = request.params['agentId'];
    if (request.method === 'GET' && !agentId) return (await refused(switchboard, request, 'supervisor')) ?? asResponse(await switchboard.listAgents());
    if (request.method !== 'PUT' || !agentId) return { status: 405, jsonBody: { error: 'PUT /api/agents/{agentId} or GET /api/agents' } };
    const denied = await refused(switchboard, request, 'admin');
    if (denied) return denied;
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    return asResponse(await switchboard.putAgent(agentId, body));
  },
});

const asResponse = (result: { status: number; body: unknown }) => ({ status: result.status, jsonBody: result.body });
