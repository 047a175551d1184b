import type { CallState, HistoryEntry } from './call-state.js';

/** What stands where personal data was. */
export const erasedMark = '(erased)';

/**
 * A history entry without its personal data: every `pii` key, at any depth (what the caller said or
 * keyed, their number, the assistant's words that read back their data, an agent's notes), keeps
 * only the mark. The rest of the record (when, which intent, which queue, how it ended) stays.
 */
export function erasedEntry(entry: HistoryEntry): HistoryEntry {
  return erase(entry) as HistoryEntry;
}

function erase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(erase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === 'pii' ? erasedMark : erase(inner)]));
}

/**
 * The state of an ended call without the caller's personal data: their number, transcript, slots
 * and the question last asked (which may read back their data). The number they called is ours.
 */
export function erasedState(state: CallState): CallState {
  return { ...state, pii: { callerId: erasedMark, calledNumber: state.pii.calledNumber, transcript: [], slots: {} } };
}
