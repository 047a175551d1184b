import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** A routing message that failed max deliveries: its call gets the queue's overflow action. */
export const routingDeadLetters = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'routing-dead-letters',
  trigger: 'serviceBusQueue',
  queueNameSetting: 'ROUTING_QUEUE_NAME',
  defaultQueueName: 'routing',
  deadLetterQueue: true,
  connection: 'ServiceBusConnection',
  isSessionsEnabled: false,
  handler: async (message) => {
    await (await app()).routeDeadLetter(message);
  },
});
