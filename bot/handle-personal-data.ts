import { z } from 'zod';
import { erasedEntry, erasedState } from './call-flow/erase-personal-data.js';
import type { HttpResult } from './handle-agents.js';
import type { Logger } from './logger.js';
import { ConcurrencyConflict, type CallStore, type Clock } from './ports.js';

export interface PersonalDataDependencies {
  readonly calls: CallStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export const erasureRequestSchema = z.union(
  [
    z.strictObject({ phoneNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phoneNumber must be E.164, e.g. +14255550123') }),
    z.strictObject({ callId: z.string().min(1).max(256) }),
  ],
  { error: 'erase by { phoneNumber } (every call from it) or { callId }' },
);

const maxConflictRetries = 8;

/**
 * POST /api/personal-data/erase: a data subject's erasure request. Every ended call from the phone
 * number (or the one call named) keeps its record (when, which intent and queue, how it ended)
 * without personal data: each history entry's `pii` and the state's caller data are replaced by a
 * mark, and the history says it was erased. A call still going on (or with commands left to carry
 * out) is not touched and is named, to erase once it has ended. Recording files are named for the
 * operator to delete: the app does not write to blob storage (their lifecycle rule deletes them
 * with the history anyway).
 */
export async function erasePersonalData(deps: PersonalDataDependencies, input: unknown): Promise<HttpResult> {
  const parsed = erasureRequestSchema.safeParse(input);
  if (!parsed.success) return { status: 400, body: { error: 'invalid request', details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } };
  const callIds = 'callId' in parsed.data ? [parsed.data.callId] : await deps.calls.listCallsFromCaller(`4:${parsed.data.phoneNumber}`);
  const erased: string[] = [];
  const notYet: { callId: string; reason: string }[] = [];
  const recordings: string[] = [];
  for (const callId of callIds) {
    const outcome = await eraseCall(deps, callId);
    if (outcome.erased) {
      erased.push(callId);
      recordings.push(...outcome.recordings);
    } else {
      notYet.push({ callId, reason: outcome.reason });
    }
  }
  if ('callId' in parsed.data && notYet[0]?.reason === 'unknown call') return { status: 404, body: { error: 'unknown call' } };
  deps.logger.info({ erased, notYet: notYet.map((n) => n.callId) }, 'personal data erased');
  return { status: 200, body: { erased, notYet, recordings } };
}

async function eraseCall(deps: PersonalDataDependencies, callId: string): Promise<{ erased: true; recordings: string[] } | { erased: false; reason: string }> {
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const stored = await deps.calls.getCall(callId);
    if (!stored) return { erased: false, reason: 'unknown call' };
    const { record } = stored;
    if (record.state.stage !== 'ended' || record.outbox.length > 0) return { erased: false, reason: `the call is ${record.state.stage}: erase it once it has ended` };
    const history = await deps.calls.listHistory(callId);
    const recordings = history.flatMap(({ entry }) => (entry.kind === 'event' && entry.event.kind === 'RecordingFileAvailable' ? [...entry.event.contentLocations] : []));
    // History first: a call whose state is erased is no longer found by its caller's number, so an
    // interrupted erasure must be one a repeat of the request still finds.
    await deps.calls.upsertHistory(history.map((item) => ({ ...item, entry: erasedEntry(item.entry) })));
    const step = record.step + 1;
    const mark = { callId, step, index: 0, at: deps.clock.now().toISOString(), entry: { kind: 'personalDataErased' } as const };
    try {
      await deps.calls.replaceCall({ ...record, step, state: erasedState(record.state) }, stored.etag, [mark]);
      return { erased: true, recordings };
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict)) throw error;
    }
  }
  throw new ConcurrencyConflict(callId);
}
