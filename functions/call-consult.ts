import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent brings the best available expert (by skill and Teams presence) into the call. */
export const callConsult = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'call-consult',
  trigger: 'http',
  methods: ['POST'],
  route: 'calls/{callId}/consult',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, { callId: request.params['callId'] ?? '' });
    if (denied) return denied;
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    const result = await switchboard.consult(request.params['callId'] ?? '', body);
    return { status: result.status, jsonBody: result.body };
  },
});
