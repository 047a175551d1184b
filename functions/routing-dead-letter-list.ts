import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Routing messages that were dead-lettered, for operators (their calls got the overflow action). */
export const routingDeadLetterList = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'routing-dead-letter-list',
  trigger: 'http',
  methods: ['GET'],
  route: 'routing/dead-letters',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, 'admin');
    if (denied) return denied;
    const result = await switchboard.listDeadLetters();
    return { status: result.status, jsonBody: result.body };
  },
});
