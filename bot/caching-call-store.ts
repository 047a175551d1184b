import type { CallRecord, CallStore, StoredCallRecord, StoredHistoryItem } from './ports.js';

/** Calls remembered per process; a few kilobytes each. */
export const defaultCachedCalls = 2_000;

/**
 * Remembers the last version of each call this process read or wrote, so that the next callback
 * for the call can decide without reading it again: one Cosmos request per step instead of two.
 * Safe with any number of instances because every write is ETag-guarded: when another instance
 * wrote in between, the write fails, the entry is dropped and the caller reads the call afresh.
 * Only reads that ask for it (`allowCached`) are answered from memory.
 */
export class CachingCallStore implements CallStore {
  private readonly calls = new Map<string, StoredCallRecord>();

  constructor(
    private readonly inner: CallStore,
    private readonly capacity: number = defaultCachedCalls,
  ) {}

  async createCall(record: CallRecord, history?: readonly StoredHistoryItem[]): Promise<{ created: boolean; etag: string | undefined }> {
    const callId = record.state.callId;
    try {
      const created = await this.inner.createCall(record, history);
      if (created.created && created.etag) this.remember(callId, { record, etag: created.etag });
      else this.calls.delete(callId);
      return created;
    } catch (error) {
      this.calls.delete(callId);
      throw error;
    }
  }

  async getCall(callId: string, options?: { readonly allowCached?: boolean }): Promise<StoredCallRecord | undefined> {
    if (options?.allowCached) {
      const cached = this.calls.get(callId);
      if (cached) {
        this.remember(callId, cached);
        return cached;
      }
    }
    const stored = await this.inner.getCall(callId);
    if (stored) this.remember(callId, stored);
    else this.calls.delete(callId);
    return stored;
  }

  async replaceCall(record: CallRecord, etag: string, history?: readonly StoredHistoryItem[]): Promise<string> {
    const callId = record.state.callId;
    try {
      const saved = await this.inner.replaceCall(record, etag, history);
      this.remember(callId, { record, etag: saved });
      return saved;
    } catch (error) {
      // A conflict means another writer; a timeout may or may not have written: read afresh next time.
      this.calls.delete(callId);
      throw error;
    }
  }

  upsertHistory(items: readonly StoredHistoryItem[]): Promise<void> {
    return this.inner.upsertHistory(items);
  }

  listHistory(callId: string): Promise<StoredHistoryItem[]> {
    return this.inner.listHistory(callId);
  }

  listCallsWithOutboxBefore(before: string, limit: number): Promise<string[]> {
    return this.inner.listCallsWithOutboxBefore(before, limit);
  }

  listCallsFromCaller(callerRawId: string): Promise<string[]> {
    return this.inner.listCallsFromCaller(callerRawId);
  }

  findCallByCallbackCorrelationId(correlationId: string): Promise<string | undefined> {
    return this.inner.findCallByCallbackCorrelationId(correlationId);
  }

  private remember(callId: string, stored: StoredCallRecord): void {
    // A Map iterates in insertion order: re-inserting marks the call as most recently used.
    this.calls.delete(callId);
    this.calls.set(callId, stored);
    if (this.calls.size > this.capacity) {
      const oldest = this.calls.keys().next();
      if (!oldest.done) this.calls.delete(oldest.value);
    }
  }
}
