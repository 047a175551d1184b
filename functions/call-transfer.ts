import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Blind transfer of the caller to a queue, an agent or a phone number. */
export const callTransfer = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'call-transfer', method: 'POST', route: 'calls/{callId}/transfer' }, (request) => ({ callId: request.params['callId'] ?? '' }), (switchboard, request, body) => switchboard.transfer(request.params['callId'] ?? '', body));
