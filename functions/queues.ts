import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The queues routing serves, each with its definition and live statistics. */
export const queues = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'queues', method: 'GET', route: 'queues' }, () => 'supervisor', (switchboard) => switchboard.listQueues());
