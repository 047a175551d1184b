import { outboxLeaseInMs } from '../../bot/deferred-outbox-clears.js';
import type { LocalStack } from '../../local/local-stack.js';

/**
 * Runs the outbox sweep as the timer would once the lease has passed (the app's clock set just past
 * it, then back to real time) and returns how many entries it finished.
 */
export async function sweepPastLease(stack: Pick<LocalStack, 'clock' | 'switchboard'>): Promise<number> {
  stack.clock.set(new Date(Date.now() + outboxLeaseInMs + 1_000));
  try {
    return await stack.switchboard.sweepOutboxes();
  } finally {
    stack.clock.set(undefined);
  }
}
