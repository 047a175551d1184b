import { startCallStoreFixture, type CallStoreFixture } from '../support/call-store-fixture.js';
import { CosmosCallStore } from '../../bot/adapters/cosmos-call-store.js';
import { openCosmosDatabase } from '../../bot/adapters/cosmos-database.js';
import { startCall } from '../../bot/call-flow/decide-call.js';
import { ConcurrencyConflict, StoreUnavailable, type CallRecord } from '../../bot/ports.js';

let emulator: CallStoreFixture['emulator'];
let cosmos: CallStoreFixture;
let store: CallStoreFixture['store'];
const now = new Date('2026-11-25T10:00:00Z');
const flow = { defaultLanguage: 'en-US', line: () => ({ language: 'en-US', languageMenu: false }) };
const record = (callId: string): CallRecord => ({
  state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+18005550100' }, now),
  step: 1,
  outbox: [],
  recentEventIds: [],
});

beforeAll(async () => {
  cosmos = await startCallStoreFixture();
  ({ emulator, store } = cosmos);
});
afterAll(async () => {
  await cosmos.close();
});

describe('the call store on the local Cosmos, through @azure/cosmos', () => {
  it('trusts only the certificate generated for this run (TLS verification stays on)', async () => {
    const { database: untrusted } = openCosmosDatabase({ endpoint: emulator.endpoint, databaseId: 'switchboard', key: emulator.key });
    await expect(untrusted.container('calls').item('x', 'x').read()).rejects.toThrow(/certificate/i);
    untrusted.client.dispose();
  });

  it('creates a call once; a redelivered IncomingCall finds it', async () => {
    expect((await store.createCall(record('call-a'))).created).toBe(true);
    expect((await store.createCall(record('call-a'))).created).toBe(false);
    const stored = await store.getCall('call-a');
    expect(stored?.record.state.pii.callerId).toBe('4:+14255550123');
  });

  it('refuses a save made from a stale read (ETag), so no event is applied twice', async () => {
    await store.createCall(record('call-b'));
    const first = await store.getCall('call-b');
    const second = await store.getCall('call-b');
    await store.replaceCall({ ...first!.record, step: 2 }, first!.etag);
    await expect(store.replaceCall({ ...second!.record, step: 3 }, second!.etag)).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await store.getCall('call-b'))?.record.step).toBe(2);
  });

  it('saves a step and its history in one batch; a stale save writes neither', async () => {
    const item = (step: number, index: number) => ({
      callId: 'call-e', step, index, at: now.toISOString(), entry: { kind: 'stageChanged' as const, from: 'answering' as const, to: 'understanding' as const },
    });
    expect((await store.createCall(record('call-e'), [item(1, 0)])).created).toBe(true);
    expect((await store.createCall(record('call-e'), [item(1, 0), item(1, 1)])).created).toBe(false);
    const first = await store.getCall('call-e');
    const etag = await store.replaceCall({ ...first!.record, step: 2 }, first!.etag, [item(2, 0), item(2, 1)]);
    expect((await store.getCall('call-e'))?.etag).toBe(etag);
    await expect(store.replaceCall({ ...first!.record, step: 3 }, first!.etag, [item(3, 0)])).rejects.toBeInstanceOf(ConcurrencyConflict);
    expect((await store.getCall('call-e'))?.record.step).toBe(2);
    expect((await store.listHistory('call-e')).map((h) => `${h.step}.${h.index}`)).toEqual(['1.0', '2.0', '2.1']);
  });

  it('saves a step with more history items than one batch holds', async () => {
    await store.createCall(record('call-f'));
    const first = await store.getCall('call-f');
    const items = Array.from({ length: 130 }, (_, index) => ({
      callId: 'call-f', step: 2, index, at: now.toISOString(), entry: { kind: 'stageChanged' as const, from: 'answering' as const, to: 'understanding' as const },
    }));
    await store.replaceCall({ ...first!.record, step: 2 }, first!.etag, items);
    expect(await store.listHistory('call-f')).toHaveLength(130);
  });

  it('reports a Cosmos that is unavailable, timed out or throttled past the SDK\'s retries as StoreUnavailable, and a permanent refusal as itself', async () => {
    await store.createCall(record('call-faults'));
    const stored = (await store.getCall('call-faults'))!;
    emulator.faults.inject({ status: 503, count: 1, matches: ({ method }) => method === 'GET' });
    await expect(store.getCall('call-faults')).rejects.toThrow(StoreUnavailable);
    emulator.faults.inject({ status: 408, count: 1, matches: ({ method }) => method === 'POST' });
    await expect(store.replaceCall({ ...stored.record, step: 2 }, stored.etag, [{ callId: 'call-faults', step: 2, index: 0, at: now.toISOString(), entry: { kind: 'stageChanged' as const, from: 'answering' as const, to: 'understanding' as const } }])).rejects.toThrow(StoreUnavailable);
    // The SDK itself waits out 429s nine times before it gives up.
    emulator.faults.inject({ status: 429, count: 10, retryAfterInMs: 1, matches: ({ method }) => method === 'PUT' });
    await expect(store.replaceCall({ ...stored.record, step: 2 }, stored.etag)).rejects.toThrow(StoreUnavailable);
    expect(emulator.faults.pending()).toBe(0);
    // Nothing was written by the failed tries; a stale ETag is a conflict, not an outage.
    expect((await store.getCall('call-faults'))!.etag).toBe(stored.etag);
    await store.replaceCall({ ...stored.record, step: 2 }, stored.etag);
    await expect(store.replaceCall({ ...stored.record, step: 3 }, stored.etag)).rejects.toThrow(ConcurrencyConflict);
  });

  it('waits out throttling only as long as it is told to, then reports the store unavailable', async () => {
    const { database } = openCosmosDatabase({ endpoint: emulator.endpoint, databaseId: 'switchboard', key: emulator.key, caCertificateFile: emulator.certificateFile, throttleWaitInSeconds: 1 });
    const impatient = new CosmosCallStore(database.container('calls'), { retentionDays: 30 });
    await store.createCall(record('call-throttled'));
    emulator.faults.inject({ status: 429, count: 9, retryAfterInMs: 400, matches: ({ method }) => method === 'GET' });
    await expect(impatient.getCall('call-throttled')).rejects.toThrow(StoreUnavailable);
    // Four tries (the SDK starts a wait while less than the second has gone); its default would have made ten.
    expect(emulator.faults.pending()).toBe(5);
    emulator.faults.clear();
    expect(await impatient.getCall('call-throttled')).toBeDefined();
    database.client.dispose();
  });

  it('returns undefined for a call it does not have', async () => {
    expect(await store.getCall('no-such-call')).toBeUndefined();
  });

  it('writes history idempotently and lists only this call, in step order', async () => {
    const item = (callId: string, step: number, index: number) => ({
      callId, step, index, at: now.toISOString(), entry: { kind: 'stageChanged' as const, from: 'answering' as const, to: 'understanding' as const },
    });
    await store.upsertHistory([item('call-c', 2, 0), item('call-c', 1, 1), item('call-c', 1, 0)]);
    await store.upsertHistory([item('call-c', 2, 0)]);
    await store.upsertHistory([item('call-d', 1, 0)]);
    const history = await store.listHistory('call-c');
    expect(history.map((h) => `${h.step}.${h.index}`)).toEqual(['1.0', '1.1', '2.0']);
  });
});
