import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Routing messages that were dead-lettered, for operators (their calls got the overflow action). */
export const routingDeadLetterList = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'routing-dead-letter-list', method: 'GET', route: 'routing/dead-letters' }, () => 'admin', (switchboard) => switchboard.listDeadLetters());
