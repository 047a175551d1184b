import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Event Grid `Microsoft.Communication.IncomingCall` → answer the call. */
export const incomingCall = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'incoming-call',
  trigger: 'eventGrid',
  handler: async (event, context) => {
    const outcome = await (await app()).incomingCall(event.data);
    context.log(`incoming call ${outcome}`);
  },
});
