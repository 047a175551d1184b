import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** A call's state and history: for supervisors, and for the agents on the call. */
export const callHistory = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'call-history',
  trigger: 'http',
  methods: ['GET'],
  route: 'calls/{callId}',
  handler: async (request) => {
    const switchboard = await app();
    const callId = request.params['callId'] ?? '';
    const denied = await refused(switchboard, request, { callId });
    if (denied) return denied;
    const found = await switchboard.getCallHistory(callId);
    return found ? { status: 200, jsonBody: found } : { status: 404, jsonBody: { error: 'unknown call' } };
  },
});
