import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The routing worker: one session (= queue) at a time per instance, in order. */
export const route = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'route',
  trigger: 'serviceBusQueue',
  queueNameSetting: 'ROUTING_QUEUE_NAME',
  defaultQueueName: 'routing',
  connection: 'ServiceBusConnection',
  isSessionsEnabled: true,
  handler: async (message) => {
    await (await app()).route(message);
  },
});
