import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** An agent records how a call went (a disposition and notes), which ends their wrap-up for it. */
export const agentWrapUp = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'agent-wrap-up', method: 'POST', route: 'agents/{agentId}/wrap-up' }, (request) => ({ agentId: request.params['agentId'] ?? '' }), (switchboard, request, body) => switchboard.recordWrapUp(request.params['agentId'] ?? '', body));
