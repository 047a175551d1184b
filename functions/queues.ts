import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The queues routing serves, each with its definition and live statistics. */
export const queues = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'queues',
  trigger: 'http',
  methods: ['GET'],
  route: 'queues',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, 'supervisor');
    if (denied) return denied;
    const result = await switchboard.listQueues();
    return { status: result.status, jsonBody: result.body };
  },
});
