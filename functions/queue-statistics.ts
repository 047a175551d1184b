import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Live queue statistics: waiting, longest wait, service level, ASA, abandoned, agents by state. */
export const queueStatistics = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'queue-statistics', method: 'GET', route: 'queues/{queueId}/statistics' }, () => 'supervisor', (switchboard, request) => switchboard.queueStatistics(request.params['queueId'] ?? ''));
