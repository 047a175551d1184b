import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Live queue statistics: waiting, longest wait, service level, ASA, abandoned, agents by state. */
export const queueStatistics = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'queue-statistics',
  trigger: 'http',
  methods: ['GET'],
  route: 'queues/{queueId}/statistics',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, 'supervisor');
    if (denied) return denied;
    const result = await switchboard.queueStatistics(request.params['queueId'] ?? '');
    return { status: result.status, jsonBody: result.body };
  },
});
