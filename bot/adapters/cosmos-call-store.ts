import { ErrorResponse, type Container, type JSONObject, type OperationInput } from '@azure/cosmos';
import { statusOf, transientAsUnavailable, transientStatuses } from './cosmos-faults.js';
import {
  ConcurrencyConflict,
  StoreUnavailable,
  type CallRecord,
  type CallStore,
  type StoredCallRecord,
  type StoredHistoryItem,
} from '../ports.js';

interface CallDocument extends CallRecord {
  readonly id: string;
  readonly callId: string;
  readonly type: 'call';
  readonly ttl: number;
  /** When the oldest outbox entry was created; absent with an empty outbox. What the sweep queries. */
  readonly outboxSince?: string;
}

interface HistoryDocument extends StoredHistoryItem {
  readonly id: string;
  readonly type: 'history';
  readonly ttl: number;
}

const maxOperationsPerBatch = 100;

/**
 * Calls in the `calls` container: the state document (id = callId) and its history items in the
 * same partition. Every hot-path read is a point read by id and partition key.
 */
export class CosmosCallStore implements CallStore {
  private readonly ttlInSeconds: number;

  constructor(private readonly container: Container, options: { readonly retentionDays: number }) {
    this.ttlInSeconds = options.retentionDays * 86_400;
  }

  createCall(record: CallRecord, history: readonly StoredHistoryItem[] = []): Promise<{ created: boolean; etag: string | undefined }> {
    return transientAsUnavailable('create call', () => this.create(record, history));
  }

  getCall(callId: string): Promise<StoredCallRecord | undefined> {
    return transientAsUnavailable('read call', () => this.read(callId));
  }

  replaceCall(record: CallRecord, etag: string, history: readonly StoredHistoryItem[] = []): Promise<string> {
    return transientAsUnavailable('save call', () => this.replace(record, etag, history));
  }

  upsertHistory(items: readonly StoredHistoryItem[]): Promise<void> {
    return transientAsUnavailable('write history', () => this.upsertHistoryItems(items));
  }

  private async create(record: CallRecord, history: readonly StoredHistoryItem[]): Promise<{ created: boolean; etag: string | undefined }> {
    const callId = record.state.callId;
    if (history.length === 0) {
      try {
        const response = await this.container.items.create(this.toDocument(record));
        return { created: true, etag: response.etag };
      } catch (error) {
        if (statusOf(error) === 409) return { created: false, etag: undefined };
        throw error;
      }
    }
    const first = { operationType: 'Create', partitionKey: callId, resourceBody: this.toDocument(record) as unknown as JSONObject } as const;
    const status = await this.transaction(callId, first, history);
    if (status.code === 409) return { created: false, etag: undefined };
    return { created: true, etag: status.etag };
  }

  private async read(callId: string): Promise<StoredCallRecord | undefined> {
    const response = await this.container.item(callId, callId).read<CallDocument>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    const { state, step, outbox, recentEventIds } = response.resource;
    return { record: { state, step, outbox, recentEventIds }, etag: response.etag };
  }

  private async replace(record: CallRecord, etag: string, history: readonly StoredHistoryItem[]): Promise<string> {
    const callId = record.state.callId;
    if (history.length === 0) {
      try {
        const response = await this.container.item(callId, callId).replace(this.toDocument(record), { accessCondition: { type: 'IfMatch', condition: etag } });
        return response.etag;
      } catch (error) {
        if (statusOf(error) === 412) throw new ConcurrencyConflict(callId);
        throw error;
      }
    }
    const first = { operationType: 'Replace', id: callId, partitionKey: callId, ifMatch: etag, resourceBody: this.toDocument(record) as unknown as JSONObject } as const;
    const status = await this.transaction(callId, first, history);
    if (status.code === 412) throw new ConcurrencyConflict(callId);
    if (status.code === 404) throw new Error(`Call ${callId} no longer exists`);
    return status.etag;
  }

  /**
   * One transactional batch on the call's partition: the call document first (so that a failed
   * precondition writes nothing, even on the local emulator whose batches are not atomic), then
   * the history items. Items beyond one batch's limit follow in their own idempotent batches.
   */
  private async transaction(callId: string, first: OperationInput, history: readonly StoredHistoryItem[]): Promise<{ code: number; etag: string }> {
    const inBatch = history.slice(0, maxOperationsPerBatch - 1);
    const operations: OperationInput[] = [
      first,
      ...inBatch.map((item): OperationInput => ({ operationType: 'Upsert', partitionKey: callId, resourceBody: this.toHistoryDocument(item) as unknown as JSONObject })),
    ];
    const response = await batchOrUnavailable('save call', () => this.container.items.batch(operations, callId));
    const results = response.result ?? [];
    const head = results[0];
    if (!head) throw new Error(`Cosmos answered a batch for call ${callId} without results`);
    if (head.statusCode === 409 || head.statusCode === 412 || head.statusCode === 404) return { code: head.statusCode, etag: '' };
    const failed = results.find((r) => r.statusCode >= 400);
    if (failed && transientStatuses.has(failed.statusCode)) throw new StoreUnavailable('save call', `status ${failed.statusCode} in a batch`);
    if (failed) throw new Error(`Saving call ${callId} failed with status ${failed.statusCode}`);
    if (!head.eTag) throw new Error(`Cosmos answered a batch for call ${callId} without an ETag`);
    await this.upsertHistoryItems(history.slice(inBatch.length));
    return { code: head.statusCode, etag: head.eTag };
  }

  private async upsertHistoryItems(items: readonly StoredHistoryItem[]): Promise<void> {
    const [first] = items;
    if (!first) return;
    // A batch needs one partition; all items of one call share it. Not atomic on the local
    // emulator, which is fine: ids are deterministic, so a retry rewrites the same documents.
    for (let start = 0; start < items.length; start += maxOperationsPerBatch) {
      const operations: OperationInput[] = items.slice(start, start + maxOperationsPerBatch).map((item) => ({
        operationType: 'Upsert',
        partitionKey: item.callId,
        resourceBody: this.toHistoryDocument(item) as unknown as JSONObject,
      }));
      const response = await batchOrUnavailable('write history', () => this.container.items.batch(operations, first.callId));
      const failed = response.result?.find((r) => r.statusCode >= 400);
      if (failed && transientStatuses.has(failed.statusCode)) throw new StoreUnavailable('write history', `status ${failed.statusCode} in a batch`);
      if (failed) throw new Error(`Writing call history failed with status ${failed.statusCode}`);
    }
  }

  listCallsWithOutboxBefore(before: string, limit: number): Promise<string[]> {
    return transientAsUnavailable('list calls with an outbox', async () => {
      // Across partitions, on a range index: only calls with an entry left (a handful) match.
      const { resources } = await this.container.items
        .query<{ callId: string }>(
          {
            query: 'SELECT c.callId FROM c WHERE c.type = @type AND c.outboxSince < @before',
            parameters: [
              { name: '@type', value: 'call' },
              { name: '@before', value: before },
            ],
          },
          { maxItemCount: limit },
        )
        .fetchNext();
      return resources.slice(0, limit).map((r) => r.callId);
    });
  }

  listCallsFromCaller(callerRawId: string): Promise<string[]> {
    return this.callIdsWhere('list calls from a caller', 'c.state.pii.callerId = @value', callerRawId);
  }

  async findCallByCallbackCorrelationId(correlationId: string): Promise<string | undefined> {
    return (await this.callIdsWhere('find a callback call', 'ARRAY_CONTAINS(c.state.callbackCorrelationIds, @value)', correlationId))[0];
  }

  /**
   * Ids of the call documents matching `condition` on `@value`: across partitions, for rare requests
   * (an erasure, a callback's recording), where a scan of the call documents is acceptable.
   */
  private callIdsWhere(what: string, condition: string, value: string): Promise<string[]> {
    return transientAsUnavailable(what, async () => {
      const { resources } = await this.container.items
        .query<{ callId: string }>({
          query: `SELECT c.callId FROM c WHERE c.type = @type AND ${condition}`,
          parameters: [
            { name: '@type', value: 'call' },
            { name: '@value', value },
          ],
        })
        .fetchAll();
      return resources.map((r) => r.callId);
    });
  }

  async listHistory(callId: string): Promise<StoredHistoryItem[]> {
    // The partition key is in the query text too: the local emulator may not honour the option.
    const { resources } = await this.container.items
      .query<HistoryDocument>(
        {
          query: 'SELECT * FROM c WHERE c.callId = @callId AND c.type = @type',
          parameters: [
            { name: '@callId', value: callId },
            { name: '@type', value: 'history' },
          ],
        },
        { partitionKey: callId },
      )
      .fetchAll();
    return resources
      .map(({ callId: id, step, index, at, entry }) => ({ callId: id, step, index, at, entry }))
      .sort((a, b) => a.at.localeCompare(b.at) || a.step - b.step || a.index - b.index);
  }

  private toDocument(record: CallRecord): CallDocument {
    const callId = record.state.callId;
    const since = record.outbox.reduce<string | undefined>((oldest, e) => (oldest === undefined || e.createdAt < oldest ? e.createdAt : oldest), undefined);
    return { id: callId, callId, type: 'call', ttl: this.ttlInSeconds, ...record, ...(since === undefined ? {} : { outboxSince: since }) };
  }

  private toHistoryDocument(item: StoredHistoryItem): HistoryDocument {
    return { ...item, id: item.id ?? `${item.callId}:${item.step}:${item.index}`, type: 'history', ttl: this.ttlInSeconds };
  }
}

/**
 * The SDK reports a batch request that failed as a whole (after its own retries of 429) as a plain
 * Error without the status. Its item failures (412, 409) come back as results instead, so what is
 * thrown is the request's fault: timeout, throttling, unavailability, the network, or (rarely) a
 * permanent one such as a refused key, which is then tried again for a few seconds in vain.
 */
async function batchOrUnavailable<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ErrorResponse) throw error;
    throw new StoreUnavailable(operation, error instanceof Error ? error.message : String(error), { cause: error });
  }
}

