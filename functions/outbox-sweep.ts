import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** Finishes outbox entries no callback came to finish (an invocation died between save and execute). */
export const outboxSweep = (app: SwitchboardProvider): FunctionDefinition => ({
  name: 'outbox-sweep',
  trigger: 'timer',
  schedule: '*/15 * * * * *',
  periodInMs: 15_000,
  handler: async (_timer, context) => {
    const finished = await (await app()).sweepOutboxes();
    if (finished > 0) context.log(`finished ${finished} abandoned outbox entries`);
  },
});
