import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent brings the best available expert (by skill and Teams presence) into the call. */
export const callConsult = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'call-consult', method: 'POST', route: 'calls/{callId}/consult' }, (request) => ({ callId: request.params['callId'] ?? '' }), (switchboard, request, body) => switchboard.consult(request.params['callId'] ?? '', body));
