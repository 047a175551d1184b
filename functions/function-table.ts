import { callEvents } from './call-events.js';
import { callHistory } from './call-history.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';
import { incomingCall } from './incoming-call.js';

/** Every function of the app. The Azure registration and the local host both read this list. */
export function createFunctionTable(app: SwitchboardProvider): FunctionDefinition[] {
  return [incomingCall(app), callEvents(app), callHistory(app)];
}
