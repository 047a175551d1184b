import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Polling fallback for presence, renewal of the Graph subscription before it expires, agents released from ended calls and overdue wrap-ups ended. */
export const presenceRefresh = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'presence-refresh',
  trigger: 'timer',
  schedule: '0 */1 * * * *',
  periodInMs: 60_000,
  handler: async (_timer, context) => {
    const result = await (await app()).refreshPresence();
    context.log(`presence refreshed for ${result.agents} agents, ${result.changed} changed, ${result.released} released from ended calls, ${result.wrapUpsEnded} overdue wrap-ups ended`);
  },
});
