// History keeps personal data only under `pii` keys, so retention and erasure can drop it and keep the record.
import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import { recordedCommand, recordedEvent } from '../../bot/call-flow/recorded-history.js';

const at = { eventId: 'e1', occurredAt: '2026-12-07T15:00:00.000Z' };

/** The value with every `pii` key removed, as an erasure job would leave it. */
function erased(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'pii' ? undefined : v));
}

describe('history entries as stored', () => {
  it.each<[string, CallEvent, string]>([
    ['words said', { ...at, kind: 'SpeechRecognized', text: 'my account is 1000000001', confidence: 0.9 }, '1000000001'],
    ['keys pressed', { ...at, kind: 'KeysPressed', tones: '12345678', operationContext: 'op' } as CallEvent, '12345678'],
    ['the phrase of a choice', { ...at, kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes that is my address on Elm Street' } as CallEvent, 'Elm Street'],
    ['participants (the caller\'s number)', { ...at, kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'] }, '+14255550123'],
    ['the number a callback dials', { ...at, kind: 'CallbackDue', offerId: 'o', agentId: 'a', teamsUserId: 't', phoneNumber: '+14255550123' }, '+14255550123'],
    ['values an action read out', { ...at, kind: 'ActionCompleted', actionId: 'a1', result: { status: 'succeeded', say: { prompt: 'balanceResult', values: { amount: '$42.50' } } } }, '$42.50'],
  ])('%s are kept under pii', (_, event, personal) => {
    const stored = recordedEvent(event);
    expect(JSON.stringify(stored)).toContain(personal);
    expect(erased(stored)).not.toContain(personal);
    expect(stored).toMatchObject({ kind: event.kind, eventId: 'e1' });
  });

  it('keeps events without personal data as they are', () => {
    const event: CallEvent = { ...at, kind: 'RecognitionTimedOut', operationContext: 'op' } as CallEvent;
    expect(recordedEvent(event)).toEqual(event);
  });

  it('keeps what the assistant said under pii', () => {
    const prompt = { text: 'Your current balance is $42.50.', voice: 'en-US-JennyNeural', language: 'en-US' };
    const play: CallCommand = { kind: 'PlayPrompt', prompt, operationContext: 'op' };
    expect(recordedCommand(play)).toEqual({ kind: 'PlayPrompt', prompt: { voice: 'en-US-JennyNeural', language: 'en-US', pii: { text: prompt.text } }, operationContext: 'op' });
    const hangUp: CallCommand = { kind: 'HangUp' };
    expect(recordedCommand(hangUp)).toEqual(hangUp);
  });
});
