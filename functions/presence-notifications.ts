import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Microsoft Graph presence change notifications (and their validation handshake). */
export const presenceNotifications = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'presence-notifications',
  trigger: 'http',
  methods: ['POST'],
  route: 'presence/notifications',
  handler: async (request) => {
    const result = await (await app()).presenceNotification({ validationToken: request.query.get('validationToken'), bodyText: await request.text() });
    return result.text !== undefined
      ? { status: result.status, body: result.text, headers: { 'content-type': 'text/plain' } }
      : { status: result.status, jsonBody: result.body };
  },
});
