import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The queues routing serves, each with its definition and live statistics. */
export const queues = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'queues',
  trigger: 'http',
  methods: ['GET'],
  route: 'queues',
  handler: async () => {
    const result = await (await app()).listQueues();
    return { status: result.status, jsonBody: result.body };
  },
});
