import { refused } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The skills an expert can be consulted on, with how many agents have each and are free now. */
export const skills = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'skills',
  trigger: 'http',
  methods: ['GET'],
  route: 'skills',
  handler: async (request) => {
    const switchboard = await app();
    const denied = await refused(switchboard, request, 'member');
    if (denied) return denied;
    const result = await switchboard.listSkills();
    return { status: result.status, jsonBody: result.body };
  },
});
