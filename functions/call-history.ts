import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** A call's state and history; off unless CALL_HISTORY_API_ENABLED (authorization comes with the agent app). */
export const callHistory = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'call-history',
  trigger: 'http',
  methods: ['GET'],
  route: 'calls/{callId}',
  handler: async (request) => {
    const switchboard = await app();
    if (!switchboard.settings.CALL_HISTORY_API_ENABLED) return { status: 404, jsonBody: { error: 'not enabled' } };
    const found = await switchboard.getCallHistory(request.params['callId'] ?? '');
    return found ? { status: 200, jsonBody: found } : { status: 404, jsonBody: { error: 'unknown call' } };
  },
});
