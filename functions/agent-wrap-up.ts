import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent records how a call went (a disposition and notes), which ends their wrap-up for it. */
export const agentWrapUp = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'agent-wrap-up',
  trigger: 'http',
  methods: ['POST'],
  route: 'agents/{agentId}/wrap-up',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, { agentId: request.params['agentId'] ?? '' });
    if (denied) return denied;
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    const result = await switchboard.recordWrapUp(request.params['agentId'] ?? '', body);
    return { status: result.status, jsonBody: result.body };
  },
});
