// What a process remembers of its calls: bounded, and never trusted for a read that did not ask.
import { CachingCallStore } from '../../bot/caching-call-store.js';
import { startCall } from '../../bot/call-flow/decide-call.js';
import { ConcurrencyConflict, type CallRecord, type CallStore, type StoredCallRecord } from '../../bot/ports.js';

const now = new Date('2026-11-25T10:00:00Z');
const flow = { defaultLanguage: 'en-US', line: () => ({ language: 'en-US', languageMenu: false }) };
const record = (callId: string, step = 1): CallRecord => ({
  state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+18005550100' }, now),
  step,
  outbox: [],
  recentEventIds: [],
});

/** An in-memory store with ETags, counting the reads that reach it. */
function countingStore() {
  const calls = new Map<string, StoredCallRecord>();
  let version = 0;
  const reads: string[] = [];
  const store: CallStore = {
    createCall: async (r) => {
      if (calls.has(r.state.callId)) return { created: false, etag: undefined };
      const etag = `v${++version}`;
      calls.set(r.state.callId, { record: r, etag });
      return { created: true, etag };
    },
    getCall: async (callId) => {
      reads.push(callId);
      return calls.get(callId);
    },
    replaceCall: async (r, etag) => {
      if (calls.get(r.state.callId)?.etag !== etag) throw new ConcurrencyConflict(r.state.callId);
      const next = `v${++version}`;
      calls.set(r.state.callId, { record: r, etag: next });
      return next;
    },
    upsertHistory: async () => undefined,
    listHistory: async () => [],
    listCallsWithOutboxBefore: async () => [],
    listCallsFromCaller: async () => [],
    findCallByCallbackCorrelationId: async () => undefined,
  };
  return { store, reads, calls };
}

describe('the call cache', () => {
  it('answers a read that allows it from what the process wrote, and every other read from the store', async () => {
    const { store, reads } = countingStore();
    const cache = new CachingCallStore(store);
    await cache.createCall(record('a'));
    expect((await cache.getCall('a', { allowCached: true }))?.record.step).toBe(1);
    expect(reads).toEqual([]);
    await cache.getCall('a');
    expect(reads).toEqual(['a']);
  });

  it('forgets a call whose save conflicted, so the retry reads what the other writer saved', async () => {
    const { store, reads, calls } = countingStore();
    const cache = new CachingCallStore(store);
    await cache.createCall(record('a'));
    const remembered = (await cache.getCall('a', { allowCached: true }))!;
    calls.set('a', { record: record('a', 5), etag: 'elsewhere' });
    await expect(cache.replaceCall(record('a', 2), remembered.etag)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await cache.getCall('a', { allowCached: true }))?.record.step).toBe(5);
    expect(reads).toEqual(['a']);
  });

  it('holds at most its capacity, dropping the call used longest ago', async () => {
    const { store, reads } = countingStore();
    const cache = new CachingCallStore(store, 2);
    await cache.createCall(record('a'));
    await cache.createCall(record('b'));
    await cache.getCall('a', { allowCached: true });
    await cache.createCall(record('c'));
    await cache.getCall('a', { allowCached: true });
    await cache.getCall('c', { allowCached: true });
    expect(reads).toEqual([]);
    await cache.getCall('b', { allowCached: true });
    expect(reads).toEqual(['b']);
  });
});
