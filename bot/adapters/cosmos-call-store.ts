import { ErrorResponse, type Container, type JSONObject, type OperationInput } from '@azure/cosmos';
import {
  ConcurrencyConflict,
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

  async createCall(record: CallRecord): Promise<{ created: boolean; etag: string | undefined }> {
    try {
      const response = await this.container.items.create(this.toDocument(record));
      return { created: true, etag: response.etag };
    } catch (error) {
      if (statusOf(error) === 409) return { created: false, etag: undefined };
      throw error;
    }
  }

  async getCall(callId: string): Promise<StoredCallRecord | undefined> {
    const response = await this.container.item(callId, callId).read<CallDocument>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    const { state, step, outbox, recentEventIds } = response.resource;
    return { record: { state, step, outbox, recentEventIds }, etag: response.etag };
  }

  async replaceCall(record: CallRecord, etag: string): Promise<string> {
    try {
      const response = await this.container
        .item(record.state.callId, record.state.callId)
        .replace(this.toDocument(record), { accessCondition: { type: 'IfMatch', condition: etag } });
      return response.etag;
    } catch (error) {
      if (statusOf(error) === 412) throw new ConcurrencyConflict(record.state.callId);
      throw error;
    }
  }

  async upsertHistory(items: readonly StoredHistoryItem[]): Promise<void> {
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
      const response = await this.container.items.batch(operations, first.callId);
      const failed = response.result?.find((r) => r.statusCode >= 400);
      if (failed) throw new Error(`Writing call history failed with status ${failed.statusCode}`);
    }
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
    return { id: callId, callId, type: 'call', ttl: this.ttlInSeconds, ...record };
  }

  private toHistoryDocument(item: StoredHistoryItem): HistoryDocument {
    return { ...item, id: item.id ?? `${item.callId}:${item.step}:${item.index}`, type: 'history', ttl: this.ttlInSeconds };
  }
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof ErrorResponse) return typeof error.code === 'number' ? error.code : Number(error.code);
  return undefined;
}
