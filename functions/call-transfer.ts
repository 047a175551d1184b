import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Blind transfer of the caller to a queue, an agent or a phone number. */
export const callTransfer = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'call-transfer',
  trigger: 'http',
  methods: ['POST'],
  route: 'calls/{callId}/transfer',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, { callId: request.params['callId'] ?? '' });
    if (denied) return denied;
    const body: unknown = await request.json().catch(() => undefined);
    if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
    const result = await switchboard.transfer(request.params['callId'] ?? '', body);
    return { status: result.status, jsonBody: result.body };
  },
});
