import { ErrorResponse } from '@azure/cosmos';
import { StoreUnavailable } from '../ports.js';

// Statuses after which the same request may succeed: timeout, throttled past the SDK's retries,
// "retry with", internal error, unavailable. Errors without a status are network faults.
export const transientStatuses = new Set([408, 429, 449, 500, 503]);
const transientNetworkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'TimeoutError']);

/** Runs one Cosmos operation, turning a fault worth retrying into StoreUnavailable. */
export async function transientAsUnavailable<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const status = statusOf(error);
    const code = (error as { code?: unknown } | null)?.code;
    if (status !== undefined && transientStatuses.has(status)) throw new StoreUnavailable(operation, `status ${status}`, { cause: error });
    if (typeof code === 'string' && transientNetworkCodes.has(code)) throw new StoreUnavailable(operation, code, { cause: error });
    throw error;
  }
}

/** The HTTP status of a Cosmos error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ErrorResponse) return typeof error.code === 'number' ? error.code : Number(error.code);
  return undefined;
}
