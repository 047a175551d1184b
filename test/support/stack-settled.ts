import type { LocalStack } from '../../local/local-stack.js';

export type SettleableStack = Pick<LocalStack, 'callAutomation' | 'serviceBus' | 'graph'>;

function routingQuiet(stack: SettleableStack, queueName: string): boolean {
  const counts = stack.serviceBus.counts(queueName)?.queue;
  return counts !== undefined && counts.active === 0 && counts.locked === 0;
}

async function deliveriesIdle(stack: SettleableStack): Promise<void> {
  // A Graph notification can queue routing messages and a callback can trigger a notification
  // (an agent joining a call turns Busy), so both are drained until neither has work left.
  await stack.graph.whenIdle();
  await stack.callAutomation.callbacksIdle();
  await stack.graph.whenIdle();
}

/**
 * Resolves once the local stack has nothing in flight that could still change routing: Graph
 * change notifications and Call Automation callbacks delivered, and no routing message active or
 * locked. Driven by emulator events, never by time. Scheduled messages (offer time-outs,
 * announcements) are not waited for: they belong to a later moment.
 */
export async function settled(stack: SettleableStack, queueName = 'routing'): Promise<void> {
  for (;;) {
    await deliveriesIdle(stack);
    if (routingQuiet(stack, queueName)) {
      await deliveriesIdle(stack);
      if (routingQuiet(stack, queueName)) return;
    }
    // Subscribed in the same turn as the check above, so a settlement cannot slip in between.
    await stack.serviceBus.nextEvent((e) => e.type === 'messageCompleted' || e.type === 'messageDeadLettered' || e.type === 'messageAbandoned');
  }
}
