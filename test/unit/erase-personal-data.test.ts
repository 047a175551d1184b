import { erasedEntry, erasedMark, erasedState } from '../../bot/call-flow/erase-personal-data.js';
import type { CallState, HistoryEntry } from '../../bot/call-flow/call-state.js';

describe('erasing personal data from a call', () => {
  it('replaces every pii key at any depth and keeps the rest of the entry', () => {
    const entries: HistoryEntry[] = [
      { kind: 'callReceived', line: 'Main', pii: { callerId: '4:+14255550123', calledNumber: '4:+12125550100' } },
      { kind: 'callerTurn', input: 'speech', confidence: 0.9, pii: { text: 'my PIN is 1234' } },
      { kind: 'command', command: { kind: 'RequestRouting', queueId: 'billing', priority: 1, requiredSkills: [], context: { intent: 'billing', confidence: 0.9, language: 'en-US', reason: 'asked', pii: { callerId: '4:+14255550123', transcript: ['my PIN is 1234'], slots: { pin: '****' } } } } },
      { kind: 'intentDecision', intent: 'billing', confidence: 0.9, verdict: 'accepted' },
    ];
    const erased = entries.map(erasedEntry);
    expect(JSON.stringify(erased)).not.toMatch(/14255550123|1234/);
    expect(erased[1]).toEqual({ kind: 'callerTurn', input: 'speech', confidence: 0.9, pii: erasedMark });
    expect(erased[2]).toMatchObject({ command: { kind: 'RequestRouting', queueId: 'billing', context: { intent: 'billing', pii: erasedMark } } });
    expect(erased[3]).toEqual(entries[3]);
    // Erasing again changes nothing.
    expect(erased.map(erasedEntry)).toEqual(erased);
  });

  it("keeps the state's shape, with the number called (ours) and without the caller's data", () => {
    const state = { stage: 'ended', pii: { callerId: '4:+14255550123', calledNumber: '4:+12125550100', transcript: ['hello'], slots: { pin: '1234' } } } as unknown as CallState;
    expect(erasedState(state).pii).toEqual({ callerId: erasedMark, calledNumber: '4:+12125550100', transcript: [], slots: {} });
  });
});
