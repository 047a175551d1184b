import type { Logger } from './logger.js';
import type { Clock, StoreUnavailable } from './ports.js';

/**
 * Waits before each new try while the store is unavailable: about 3 s in all. That is the silence
 * a caller may hear after speaking (or the ringing before an answer) before the handler gives up
 * with a 5xx and leaves the event to Call Automation's or Event Grid's redelivery (or a routing
 * message to Service Bus's, which comes at once and counts towards dead-lettering).
 */
export const storeRetryDelaysInMs: readonly number[] = [100, 200, 400, 800, 1600];

/**
 * No new try starts this long after the first: a request may itself have waited out throttling for
 * seconds (the Cosmos client allows 5 s), and the caller is listening to silence meanwhile.
 */
export const storeRetryBudgetInMs = 6_000;

/**
 * The tries of one operation while the store is unavailable: `waited` resolves true after the next
 * wait, or false when none is left.
 */
export function storeRetries(
  deps: { readonly delay: (ms: number, signal: AbortSignal) => Promise<void>; readonly logger: Logger; readonly clock: Clock },
  /** Logged with each wait: what is being tried, for which call or queue. */
  context: { readonly what: 'answer' | 'step' | 'clear' | 'route'; readonly callId?: string; readonly queueId?: string },
) {
  let tries = 0;
  const startedAt = deps.clock.now().getTime();
  return {
    waited: async (error: StoreUnavailable): Promise<boolean> => {
      const delayInMs = storeRetryDelaysInMs[tries];
      if (delayInMs === undefined || deps.clock.now().getTime() - startedAt + delayInMs > storeRetryBudgetInMs) return false;
      tries += 1;
      deps.logger.warn({ ...context, error: error.message, retryInMs: delayInMs }, 'store unavailable; trying again');
      await deps.delay(delayInMs, new AbortController().signal);
      return true;
    },
  };
}
