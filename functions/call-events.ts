import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Call Automation callbacks for one call (signed CloudEvents). */
export const callEvents = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'call-events',
  trigger: 'http',
  methods: ['POST'],
  route: 'calls/{callId}/events',
  handler: async (request) => {
    const response = await (await app()).callEvents({
      callId: request.params['callId'] ?? '',
      authorization: request.headers.get('authorization'),
      bodyText: await request.text(),
    });
    return { status: response.status, jsonBody: response.body };
  },
});
