import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent goes ready or not ready (and so ends their wrap-up). */
export const agentState = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'agent-state', method: 'POST', route: 'agents/{agentId}/state' }, (request) => ({ agentId: request.params['agentId'] ?? '' }), (switchboard, request, body) => switchboard.setAgentState(request.params['agentId'] ?? '', body));
