import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Routing messages that were dead-lettered, for operators (their calls got the overflow action). */
export const routingDeadLetterList = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'routing-dead-letter-list',
  trigger: 'http',
  methods: ['GET'],
  route: 'routing/dead-letters',
  handler: async () => {
    const result = await (await app()).listDeadLetters();
    return { status: result.status, jsonBody: result.body };
  },
});
