import type { AssistantFlow, IntentDefinition } from '../../bot/call-flow/assistant-flow.js';
import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import type { CallEvent } from '../../bot/call-flow/call-events.js';
import type { CallState, Decision } from '../../bot/call-flow/call-state.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { sure, testFlow, testPrompt, intents } from '../support/test-assistant-flow.js';

const now = new Date('2026-11-25T10:00:00Z');
let seq = 0;
type EventInit = { [K in CallEvent['kind']]: Omit<Extract<CallEvent, { kind: K }>, 'eventId' | 'occurredAt'> }[CallEvent['kind']];
const ev = (e: EventInit): CallEvent => ({ eventId: `e${++seq}`, occurredAt: now.toISOString(), ...e }) as CallEvent;

/** given(flow, state).when(event) -> decision; `.then` chains the next event on the new state. */
function given(flow: AssistantFlow, state: CallState = startCall(flow, { callId: 'c1', callerId: '4:+14255550123', calledNumber: '+18005550100' }, now)) {
  return {
    state,
    when(e: EventInit | ((s: CallState) => EventInit)) {
      const decision = decideCall(flow, state, ev(typeof e === 'function' ? e(state) : e), now);
      return { ...decision, ...given(flow, decision.state) } as Decision & ReturnType<typeof given>;
    },
  };
}

/** The outcome of the operation the flow is waiting for. */
const answer = (e: EventInit) => (s: CallState): EventInit => ({ ...e, operationContext: s.pendingOperation } as EventInit);
const kinds = (commands: readonly CallCommand[]) => commands.map((c) => c.kind);
const connected = (flow: AssistantFlow) => given(flow).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });

describe('greeting and the open question', () => {
  it('greets and asks an open question recognised as speech or keypad, with barge-in', () => {
    const d = connected(testFlow());
    expect(d.state.stage).toBe('understanding');
    expect(d.commands).toEqual([
      expect.objectContaining({
        kind: 'StartRecognition',
        prompt: { ...testPrompt('openQuestion'), text: '<greeting> <openQuestion>' },
        mode: { kind: 'speechOrDtmf', maxTonesToCollect: 1 },
        interruptPrompt: true,
        operationContext: d.state.pendingOperation,
      }),
    ]);
  });

  it('asks a question Call Automation never started once more as it was, greeting included, then as not understood', () => {
    const first = connected(testFlow());
    const again = first.when(answer({ kind: 'RecognitionNotStarted', reason: 'Call Automation said 503' }));
    expect(again.commands).toEqual([expect.objectContaining({ kind: 'StartRecognition', prompt: expect.objectContaining({ text: '<greeting> <openQuestion>' }) })]);
    expect(again.state.pendingOperation).not.toBe(first.state.pendingOperation);
    expect(again.state.retries).toBe(0);
    // A caller who then asks to hear it again hears the question without the greeting.
    const repeated = again.when(answer({ kind: 'SpeechRecognized', text: 'can you repeat that', confidence: 0.9 }));
    expect(repeated.commands[0]).toMatchObject({ prompt: { text: '<openQuestion>' } });
    // Not started a second time: the reprompt for an answer not understood, counted as a retry.
    const reprompt = again.when(answer({ kind: 'RecognitionNotStarted', reason: 'Call Automation said 503' }));
    expect(reprompt.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: expect.stringMatching(/^<noMatch> <openQuestion>/) } });
    expect(reprompt.state.retries).toBe(1);
    // One about an old operation is stale.
    expect(reprompt.when({ kind: 'RecognitionNotStarted', reason: 'late', operationContext: first.state.pendingOperation }).commands).toEqual([]);
  });

  it("outside the line's business hours plays the schedule's own message and hangs up", () => {
    const d = given(testFlow({ lineClosed: () => ({ prompt: 'salesAfterHours', voicemail: false }) })).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    expect(d.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('salesAfterHours') })]);
    expect(d.state.endReason).toBe('afterHours');
    const after = d.when(answer({ kind: 'PlayCompleted' }));
    expect(kinds(after.commands)).toEqual(['HangUp']);
  });

  it('outside business hours with voicemail on, the message invites one and the recording starts', () => {
    const d = given(testFlow({ lineClosed: () => ({ prompt: 'afterHours', voicemail: true }) })).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    expect(kinds(d.commands)).toEqual(['StartRecording', 'StartRecognition']);
    expect(d.commands[1]).toMatchObject({ prompt: { text: '<afterHours> <voicemailPrompt>' }, interruptPrompt: false });
    expect(d.state.stage).toBe('voicemail');
    const saved = d.when({ kind: 'RecordingStarted', recordingId: 'rec-1' }).when(answer({ kind: 'RecognitionTimedOut' }));
    expect(kinds(saved.commands)).toEqual(['StopRecording', 'PlayPrompt']);
    expect(saved.state.endReason).toBe('afterHours');
  });

  it('a voicemail whose recording Call Automation would not start: the invitation stops, nobody being available is said, and the call ends', () => {
    const d = given(testFlow({ lineClosed: () => ({ prompt: 'afterHours', voicemail: true }) })).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    const invitation = d.state.pendingOperation;
    const refused = d.when({ kind: 'RecordingNotStarted', reason: 'not sent: 503' });
    expect(refused.commands).toEqual([{ kind: 'CancelMedia' }, expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<voicemailUnavailable> <noAgents>' }) })]);
    expect(refused.state).toMatchObject({ stage: 'ending', endReason: 'voicemailUnavailable' });
    // The canceled invitation changes nothing; the apology's end hangs up, never thanking for a message.
    expect(refused.when({ kind: 'RecognitionCanceled', operationContext: invitation }).commands).toEqual([]);
    const end = refused.when(answer({ kind: 'PlayCompleted' }));
    expect(kinds(end.commands)).toEqual(['HangUp']);
    // A recording that did start is not undone by a late refusal of another.
    const recording = d.when({ kind: 'RecordingStarted', recordingId: 'rec-1' }).when({ kind: 'RecordingNotStarted', reason: 'late' });
    expect(recording.commands).toEqual([]);
    expect(recording.state.stage).toBe('voicemail');
  });

  it('a line that goes straight to a queue greets and queues the caller with its priority, no questions asked', () => {
    const d = given(testFlow({ line: () => ({ language: 'en-US', languageMenu: true, queue: { queueId: 'sales', priority: 3 } }) })).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    expect(d.commands).toEqual([
      expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<greeting> <transferring>' }) }),
      expect.objectContaining({ kind: 'RequestRouting', queueId: 'sales', priority: 3, context: expect.objectContaining({ reason: 'dialled the sales line' }) }),
    ]);
  });

  it('a line whose queue is closed while the line is open still greets the caller before the hours', () => {
    const d = given(
      testFlow({
        line: () => ({ language: 'en-US', languageMenu: true, queue: { queueId: 'sales', priority: 3 } }),
        queueClosed: (queueId) => (queueId === 'sales' ? { prompt: 'billingHours', voicemail: false } : undefined),
      }),
    ).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    expect(d.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<greeting> <billingHours>' }) })]);
  });

  it('a closed queue that books callbacks offers one for when it opens, and queues it then with the caller\'s number', () => {
    const flow = testFlow({
      understandings: { 'my bill': sure('billing') },
      queueClosed: () => ({ prompt: 'billingHours', voicemail: true, callbackPrompt: 'callbackOrMessage', opensAt: '2026-11-27T13:00:00.000Z' }),
    });
    const offered = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill', confidence: 0.9 }));
    expect(offered.state.stage).toBe('closed');
    expect(offered.commands).toEqual([
      expect.objectContaining({
        kind: 'StartRecognition',
        prompt: expect.objectContaining({ text: '<billingHours> <callbackOrMessage>' }),
        mode: { kind: 'choices', choices: [expect.objectContaining({ label: 'callback', tone: '1' }), expect.objectContaining({ label: 'voicemail', tone: '2' }), expect.objectContaining({ label: 'repeat', tone: '*' })] },
      }),
    ]);
    const booked = offered.when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: undefined }));
    expect(booked.commands).toEqual([
      expect.objectContaining({ kind: 'ScheduleCallback', queueId: 'billing', priority: 1, at: '2026-11-27T13:00:00.000Z', pii: { phoneNumber: '+14255550123' }, requiredSkills: [{ skill: 'billing', minProficiency: 2 }] }),
      expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('callbackConfirmed') }),
    ]);
    const waiting = booked.when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    expect(waiting.state.stage).toBe('callbackPending');

    const message = offered.when(answer({ kind: 'ChoiceRecognized', label: 'voicemail', phrase: undefined }));
    expect(kinds(message.commands)).toEqual(['StartRecording', 'StartRecognition']);
    expect(message.state.stage).toBe('voicemail');
  });

  it('a caller who withheld their number is offered a message, never a callback nobody could make', () => {
    const flow = testFlow({
      understandings: { 'my bill': sure('billing') },
      queueClosed: () => ({ prompt: 'billingHours', voicemail: true, callbackPrompt: 'callbackOrMessage', opensAt: '2026-11-27T13:00:00.000Z' }),
    });
    const anonymous = startCall(flow, { callId: 'c1', callerId: '4:anonymous', calledNumber: '+18005550100' }, now);
    const d = given(flow, anonymous).when({ kind: 'CallConnected', callConnectionId: 'conn-1' }).when(answer({ kind: 'SpeechRecognized', text: 'my bill', confidence: 0.9 }));
    expect(d.state.stage).toBe('voicemail');
    expect(d.commands).toEqual([
      expect.objectContaining({ kind: 'StartRecording' }),
      expect.objectContaining({ kind: 'StartRecognition', prompt: expect.objectContaining({ text: '<billingHours> <voicemailPrompt>' }) }),
    ]);
  });

  it("confirms a callback booked for the opening with when it will be, in the schedule's time zone and the caller's language", () => {
    const closed = { prompt: 'billingHours', voicemail: false, callbackPrompt: 'callbackWhenOpen', opensAt: '2026-11-27T13:00:00.000Z', timeZone: 'America/New_York', callbackConfirmedPrompt: 'callbackBooked' };
    const booked = (language: string) => {
      const flow = testFlow({ understandings: { 'my bill': sure('billing') }, queueClosed: () => closed });
      const start = connected(flow);
      const state = { ...start.state, language };
      return given(flow, state)
        .when(answer({ kind: 'SpeechRecognized', text: 'my bill', confidence: 0.9 }))
        .when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: undefined }));
    };
    expect(booked('en-US').commands[1]).toMatchObject({ kind: 'PlayPrompt', prompt: testPrompt('callbackBooked Friday, November 27 at 8:00 AM') });
    expect(booked('es-ES').commands[1]).toMatchObject({ kind: 'PlayPrompt', prompt: testPrompt('callbackBooked viernes, 27 de noviembre, 8:00', 'es-ES') });
    expect(booked('en-US').state.endReason).toBe('callbackRequested');
  });

  it('a caller escalated to a closed queue hears its hours instead of waiting for nobody', () => {
    const flow = testFlow({ understandings: { 'my bill': sure('billing') }, queueClosed: (queueId) => (queueId === 'billing' ? { prompt: 'billingHours', voicemail: false } : undefined) });
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill', confidence: 0.9 }));
    expect(kinds(d.commands)).not.toContain('RequestRouting');
    expect(d.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('billingHours') })]);
    expect(d.history).toContainEqual(expect.objectContaining({ kind: 'queueClosed', queueId: 'billing' }));
  });

  it('a caller who reaches a queue closed for a holiday hears which holiday before the hours', () => {
    const closed = { prompt: 'billingHours', voicemail: false, holidayPrompt: 'holidayHours', holiday: 'Thanksgiving Day' };
    const flow = testFlow({ understandings: { 'my bill': sure('billing') }, queueClosed: () => closed });
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill', confidence: 0.9 }));
    expect(d.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<holidayHours Thanksgiving Day> <billingHours>' }) })]);
  });

  it('offers a language menu when the config has more than one language, then speaks the chosen one', () => {
    const flow = testFlow({ languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }, { code: 'es-ES', spokenName: 'Español', dtmfKey: '2' }] });
    const menu = connected(flow);
    expect(menu.state.stage).toBe('languageMenu');
    expect(menu.commands[0]).toMatchObject({ kind: 'StartRecognition', mode: { kind: 'choices', choices: [{ label: 'en-US', tone: '1' }, { label: 'es-ES', tone: '2' }, { label: 'person', tone: '0' }, { label: 'repeat', tone: '*' }] } });
    const spanish = menu.when(answer({ kind: 'ChoiceRecognized', label: 'es-ES', phrase: undefined }));
    expect(spanish.state.language).toBe('es-ES');
    expect(spanish.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { language: 'es-ES', voice: 'es-ES-Voice' } });
    // The agent's transcript names the choice, not its code.
    expect(spanish.state.pii.transcript).toContain('Caller: Español (keypad)');
  });
});

describe('asking to hear the question again', () => {
  const flow = testFlow({ understandings: { 'where is my order': sure('orderStatus'), 'repeat my order': sure('orderStatus') } });
  const question = (d: Decision) => d.commands.find((c) => c.kind === 'StartRecognition');

  it('"can you repeat that?" asks the same question again, and does not count as a failed answer', () => {
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'blah', confidence: 0.9 }));
    expect(asked.state.retries).toBe(1);
    const again = asked.when(answer({ kind: 'SpeechRecognized', text: 'Sorry, can you repeat that, please?', confidence: 0.9 }));
    expect(question(again)).toEqual({ ...question(asked), operationContext: again.state.pendingOperation });
    expect(again.state).toMatchObject({ stage: 'understanding', retries: 1, repeats: 1 });
    expect(again.state.pendingOperation).not.toBe(asked.state.pendingOperation);
    expect(again.when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 })).state).toMatchObject({ stage: 'collectingSlot', intent: 'orderStatus', repeats: 0 });
  });

  it('a notice running on the line is said after the greeting, and not again when the question is repeated', () => {
    const noticed = testFlow({ understandings: {}, notices: (line, at) => (line === '+18005550100' && at === now ? ['holidayHoursNotice'] : []) });
    const greeted = connected(noticed);
    expect(question(greeted)).toMatchObject({ prompt: { text: '<greeting> <holidayHoursNotice> <openQuestion>' } });
    expect(question(greeted.when(answer({ kind: 'SpeechRecognized', text: 'repeat', confidence: 0.9 })))).toMatchObject({ prompt: { text: '<openQuestion>' } });
  });

  it('the greeting is not said twice: the first question is repeated without it', () => {
    const greeted = connected(flow);
    expect(question(greeted)).toMatchObject({ prompt: { text: '<greeting> <openQuestion>' } });
    expect(question(greeted.when(answer({ kind: 'SpeechRecognized', text: 'say that again', confidence: 0.9 })))).toMatchObject({ prompt: { text: '<openQuestion>' } });
  });

  it('the star key repeats a slot question; in Spanish, "¿puede repetir?" does', () => {
    const slot = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    const starred = slot.when(answer({ kind: 'KeysPressed', tones: '*' }));
    expect(question(starred)).toEqual({ ...question(slot), operationContext: starred.state.pendingOperation });
    expect(starred.state).toMatchObject({ stage: 'collectingSlot', retries: 0 });
    const spanish = given(flow, { ...slot.state, language: 'es-ES' }).when(answer({ kind: 'SpeechRecognized', text: '¿Puede repetir, por favor?', confidence: 0.9 }));
    expect(spanish.state).toMatchObject({ stage: 'collectingSlot', retries: 0, repeats: 1 });
  });

  it('a sentence that merely uses the word is an answer, and a fourth request in a row counts as one too', () => {
    expect(connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'repeat my order', confidence: 0.9 })).state).toMatchObject({ stage: 'collectingSlot', intent: 'orderStatus' });
    let d = connected(flow);
    for (let i = 1; i <= 3; i++) {
      d = d.when(answer({ kind: 'SpeechRecognized', text: 'what?', confidence: 0.9 }));
      expect(d.state).toMatchObject({ repeats: i, retries: 0 });
    }
    expect(d.when(answer({ kind: 'SpeechRecognized', text: 'what?', confidence: 0.9 })).state).toMatchObject({ stage: 'understanding', retries: 1 });
  });

  it('a menu (a read-back to confirm) also takes the request, said or as *, without counting it against the retries', () => {
    const slot = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    const readBack = slot.when(answer({ kind: 'KeysPressed', tones: '123456' }));
    expect(readBack.state.stage).toBe('confirmingSlot');
    const again = readBack.when(answer({ kind: 'ChoiceRecognized', label: 'repeat', phrase: 'say that again' }));
    expect(question(again)).toEqual({ ...question(readBack), operationContext: again.state.pendingOperation });
    expect(again.state).toMatchObject({ stage: 'confirmingSlot', retries: 0, repeats: 1 });
    let d = again;
    for (let i = 2; i <= 3; i++) d = d.when(answer({ kind: 'ChoiceRecognized', label: 'repeat', phrase: undefined }));
    expect(d.state).toMatchObject({ stage: 'confirmingSlot', retries: 0, repeats: 3 });
    expect(d.when(answer({ kind: 'ChoiceRecognized', label: 'repeat', phrase: undefined })).state).toMatchObject({ retries: 1 });
  });

  it('silence at a read-back reads it back again; the caller can then confirm it', () => {
    const slot = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    const readBack = slot.when(answer({ kind: 'KeysPressed', tones: '123456' }));
    const silent = readBack.when(answer({ kind: 'RecognitionTimedOut' }));
    const asked = question(silent) as Extract<CallCommand, { kind: 'StartRecognition' }>;
    const first = question(readBack) as Extract<CallCommand, { kind: 'StartRecognition' }>;
    expect(asked.prompt.text).toBe(`<noInput> ${first.prompt.text}`);
    expect(asked.mode).toEqual(first.mode);
    expect(silent.state).toMatchObject({ stage: 'confirmingSlot', retries: 1, pii: { slots: { orderNumber: '123456' } } });
    expect(kinds(silent.when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' })).commands)).toContain('RunAction');
  });

  it('the question is personal data while asked, and gone when the call ends', () => {
    const slot = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    expect(slot.state.pii.question).toEqual({ prompt: (question(slot) as Extract<CallCommand, { kind: 'StartRecognition' }>).prompt, mode: (question(slot) as Extract<CallCommand, { kind: 'StartRecognition' }>).mode });
    expect(slot.when({ kind: 'CallDisconnected' }).state.pii.question).toBeUndefined();
  });
});

describe('understanding', () => {
  const keypadMenu = ' <keypadMenuOption billing|1> <keypadMenuOption technical support|2> <keypadMenuOption order status|3> <keypadMenuOption account balance|4>';
  const flowUnderstandings = {
    understandings: {
      'my bill is wrong': sure('billing'),
      'something about my account': { intent: 'billing', confidence: 0.5, outOfScope: false, ranked: [{ intent: 'billing', confidence: 0.5 }, { intent: 'techSupport', confidence: 0.3 }] },
      'the internet one': { intent: 'techSupport', confidence: 0.45, outOfScope: false, ranked: [{ intent: 'techSupport', confidence: 0.45 }, { intent: 'orderStatus', confidence: 0.2 }] },
      'hmm maybe': { intent: 'orderStatus', confidence: 0.3, outOfScope: false, ranked: [{ intent: 'orderStatus', confidence: 0.3 }, { intent: 'techSupport', confidence: 0.2 }] },
      'where is my order': sure('orderStatus'),
      'First of all, where is my order?': sure('orderStatus'),
      'about an order or my balance': { intent: 'orderStatus', confidence: 0.5, outOfScope: false, ranked: [{ intent: 'orderStatus', confidence: 0.5 }, { intent: 'accountBalance', confidence: 0.4 }] },
    },
  };
  const flow = testFlow(flowUnderstandings);
  const clarifying = () => connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }));

  it('a confident intent that escalates hands the caller over with the context gathered', () => {
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }));
    expect(d.state.stage).toBe('queued');
    expect(d.commands).toEqual([
      expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('transferring') }),
      {
        kind: 'RequestRouting',
        queueId: 'billing',
        priority: 1,
        requiredSkills: [{ skill: 'billing', minProficiency: 2 }],
        context: expect.objectContaining({
          intent: 'billing',
          confidence: 0.93,
          reason: 'intent billing',
          pii: { callerId: '4:+14255550123', transcript: ['Assistant: <greeting> <openQuestion>', 'Caller: my bill is wrong', 'Assistant: <transferring>'].slice(0, 2), slots: {} },
        }),
      },
    ]);
    expect(d.history).toEqual(expect.arrayContaining([
      { kind: 'callerTurn', input: 'speech', confidence: 0.9, pii: { text: 'my bill is wrong' } },
      { kind: 'intentDecision', intent: 'billing', confidence: 0.93, verdict: 'accepted' },
    ]));
  });

  it('low confidence asks one clarifying question between the two likeliest intents, answered in words or by key', () => {
    const d = clarifying();
    expect(d.state.stage).toBe('clarifying');
    expect(d.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: testPrompt('clarify billing|technical support'), mode: { kind: 'speechOrDtmf', maxTonesToCollect: 1 } });
    const said = d.when(answer({ kind: 'SpeechRecognized', text: 'Technical support.', confidence: 0.9 }));
    expect(said.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    expect(said.history).toContainEqual({ kind: 'intentDecision', intent: 'techSupport', confidence: 0.5, verdict: 'accepted' });
    expect(d.when(answer({ kind: 'KeysPressed', tones: '1' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
    expect(d.when(answer({ kind: 'KeysPressed', tones: '2' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    // A call that was asked with the earlier choices menu still takes its answer.
    expect(d.when(answer({ kind: 'ChoiceRecognized', label: 'techSupport', phrase: 'technical support' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
  });

  it('takes a clarifying answer that names one of the two inside a sentence', () => {
    const d = clarifying().when(answer({ kind: 'SpeechRecognized', text: "it's about billing, I think", confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
  });

  it('takes a clarifying answer in other words when understanding ranks one of the two above the other', () => {
    const d = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'the internet one', confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    expect(d.history).toContainEqual({ kind: 'intentDecision', intent: 'techSupport', confidence: 0.45, verdict: 'accepted' });
  });

  it('acts on a different intent the caller now states clearly, and hands a vague answer to a person', () => {
    const other = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    expect(other.state).toMatchObject({ stage: 'collectingSlot', intent: 'orderStatus' });
    const vague = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'hmm maybe', confidence: 0.9 }));
    expect(vague.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'clarification failed' } });
    const bothNamed = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'billing or technical support, not sure', confidence: 0.9 }));
    expect(bothNamed.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'clarification failed' } });
    const keyNine = clarifying().when(answer({ kind: 'KeysPressed', tones: '9' }));
    expect(keyNine.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'clarification failed' } });
  });

  it('takes the longer of two names when one holds the other ("billing" and "billing dispute")', () => {
    const dispute: IntentDefinition = { name: 'billingDispute', spokenName: () => 'billing dispute', dtmfKey: undefined, outcome: { kind: 'escalate', target: { queueId: 'disputes', priority: 1, requiredSkills: [] } } };
    const withDispute = testFlow({
      intents: new Map([...intents, dispute].map((i) => [i.name, i])),
      understandings: { 'a charge on my bill': { intent: 'billing', confidence: 0.5, outOfScope: false, ranked: [{ intent: 'billing', confidence: 0.5 }, { intent: 'billingDispute', confidence: 0.4 }] } },
    });
    const asked = connected(withDispute).when(answer({ kind: 'SpeechRecognized', text: 'a charge on my bill', confidence: 0.9 }));
    expect(asked.commands[0]).toMatchObject({ prompt: testPrompt('clarify billing|billing dispute') });
    expect(asked.when(answer({ kind: 'SpeechRecognized', text: "it's a billing dispute", confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'disputes' });
    expect(asked.when(answer({ kind: 'SpeechRecognized', text: 'just billing', confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
  });

  it('takes "the second one" (or "number one", "the former") as a pick between the two named, but not "one sec"', () => {
    expect(clarifying().when(answer({ kind: 'SpeechRecognized', text: 'The second one, please.', confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    expect(clarifying().when(answer({ kind: 'SpeechRecognized', text: 'number one', confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
    expect(clarifying().when(answer({ kind: 'SpeechRecognized', text: 'one sec', confidence: 0.9 })).commands[1]).toMatchObject({ context: { reason: 'clarification failed' } });
  });

  it('does not take an ordinal that opens a longer sentence as a pick ("first of all, …")', () => {
    expect(clarifying().when(answer({ kind: 'SpeechRecognized', text: 'The second one I think.', confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    const sentence = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'First of all, where is my order?', confidence: 0.9 }));
    expect(sentence.state).toMatchObject({ stage: 'collectingSlot', intent: 'orderStatus' });
  });

  it('silence at the clarifying question asks it again (the no-input limit holds), then goes to a person', () => {
    const again = clarifying().when(answer({ kind: 'RecognitionTimedOut' }));
    expect(again.state).toMatchObject({ stage: 'clarifying', retries: 1, clarifyBetween: ['billing', 'techSupport'] });
    expect(again.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: '<noInput> <clarify billing|technical support>' }, mode: { kind: 'speechOrDtmf' } });
    expect(again.when(answer({ kind: 'KeysPressed', tones: '2' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    const third = again.when(answer({ kind: 'RecognitionTimedOut' }));
    expect(third.state).toMatchObject({ stage: 'clarifying', retries: 2 });
    expect(third.when(answer({ kind: 'RecognitionTimedOut' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'clarification failed' } });
    const once = connected(testFlow({ ...flowUnderstandings, maxNoInputRetries: 0 })).when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }));
    expect(once.when(answer({ kind: 'RecognitionTimedOut' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general' });
  });

  it('records what a clarifying answer that fits neither was understood as', () => {
    const vague = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'hmm maybe', confidence: 0.9 }));
    expect(vague.history).toContainEqual({ kind: 'intentDecision', intent: 'orderStatus', confidence: 0.3, verdict: 'noMatch' });
  });

  it('maxClarifications 0 asks no clarifying question: an unsure answer is not understood', () => {
    const d = connected(testFlow({ ...flowUnderstandings, maxClarifications: 0 })).when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }));
    expect(d.state).toMatchObject({ stage: 'understanding', retries: 1 });
    expect(d.history).toContainEqual(expect.objectContaining({ kind: 'intentDecision', verdict: 'noMatch' }));
  });

  it('maxClarifications 2 clarifies an answer that fits neither once more, then goes to a person', () => {
    const twice = testFlow({ ...flowUnderstandings, maxClarifications: 2 });
    const asked = connected(twice).when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }));
    const again = asked.when(answer({ kind: 'SpeechRecognized', text: 'about an order or my balance', confidence: 0.9 }));
    expect(again.state).toMatchObject({ stage: 'clarifying', clarifyBetween: ['orderStatus', 'accountBalance'], clarifications: 2 });
    expect(again.commands[0]).toMatchObject({ prompt: testPrompt('clarify order status|account balance') });
    expect(again.when(answer({ kind: 'SpeechRecognized', text: 'hmm maybe', confidence: 0.9 })).commands[1]).toMatchObject({ context: { reason: 'clarification failed' } });
    // An accepted intent starts the count again.
    const accepted = again.when(answer({ kind: 'KeysPressed', tones: '1' }));
    expect(accepted.state).toMatchObject({ intent: 'orderStatus', clarifications: 0 });
  });

  it('a caller who asks for a person at the clarifying question gets one', () => {
    const d = clarifying().when(answer({ kind: 'SpeechRecognized', text: 'can I just talk to a person', confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'caller asked for a person' } });
  });

  /** A caller on a Spanish line, asked the open question. */
  const spanishCaller = () =>
    given({
      ...flow,
      languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }, { code: 'es-ES', spokenName: 'Español', dtmfKey: '2' }],
      line: () => ({ language: 'es-ES', languageMenu: false }),
    }).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });

  it('names the two intents in the caller\'s language, and takes those names back', () => {
    const spanish = spanishCaller().when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }));
    expect(spanish.commands[0]).toMatchObject({ prompt: testPrompt('clarify facturación|asistencia técnica', 'es-ES') });
    const said = spanish.when(answer({ kind: 'SpeechRecognized', text: 'Es de asistencia tecnica', confidence: 0.9 }));
    expect(said.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
  });

  it('reads the keypad menu in the caller\'s language, and a key then picks the intent', () => {
    const spanish = spanishCaller().when(answer({ kind: 'RecognitionTimedOut' }));
    expect(spanish.commands[0]).toMatchObject({ prompt: { text: expect.stringContaining('<keypadMenuOption facturación|1> <keypadMenuOption asistencia técnica|2>'), language: 'es-ES' } });
    expect(spanish.when(answer({ kind: 'KeysPressed', tones: '2' })).commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'support' }));
  });

  it('a failed clarification goes to a person, never a second clarification', () => {
    const d = connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'something about my account', confidence: 0.8 }))
      .when(answer({ kind: 'RecognitionFailed', code: 400, subCode: 8547, message: 'no match' }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'clarification failed' } });
  });

  it('out of scope gets a rephrase, up to the retry limit, then a person', () => {
    let d = connected(flow);
    for (let i = 1; i <= 2; i++) {
      d = d.when(answer({ kind: 'SpeechRecognized', text: 'what is the weather on mars', confidence: 0.9 }));
      expect(d.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: `<noMatch> <openQuestion>${keypadMenu}` } });
      expect(d.state.retries).toBe(i);
    }
    d = d.when(answer({ kind: 'SpeechRecognized', text: 'what is the weather on mars', confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'not understood' } });
  });

  it('silence gets a reprompt, then a person', () => {
    let d = connected(flow).when(answer({ kind: 'RecognitionTimedOut' }));
    // The reprompt also reads the keypad menu: each keyed intent in key order.
    expect(d.commands[0]).toMatchObject({ prompt: { text: `<noInput> <openQuestion>${keypadMenu}` } });
    d = d.when(answer({ kind: 'RecognitionTimedOut' })).when(answer({ kind: 'RecognitionTimedOut' }));
    expect(kinds(d.commands)).toEqual(['PlayPrompt', 'RequestRouting']);
    expect(d.commands[1]).toMatchObject({ context: { reason: 'no input' } });
  });

  it('counts silence against maxNoInputRetries and answers not understood against maxNoMatchRetries', () => {
    const strict = testFlow({ maxNoInputRetries: 0, maxNoMatchRetries: 3 });
    const silent = connected(strict).when(answer({ kind: 'RecognitionTimedOut' }));
    expect(silent.commands[1]).toMatchObject({ kind: 'RequestRouting', context: { reason: 'no input' } });
    let d = connected(strict);
    for (let i = 1; i <= 3; i++) {
      d = d.when(answer({ kind: 'SpeechRecognized', text: 'what is the weather on mars', confidence: 0.9 }));
      expect(d.state).toMatchObject({ stage: 'understanding', retries: i });
    }
    expect(d.when(answer({ kind: 'SpeechRecognized', text: 'what is the weather on mars', confidence: 0.9 })).commands[1]).toMatchObject({ context: { reason: 'not understood' } });
  });

  it('without barge-in the caller hears each question out; the end-of-speech silence is the config\'s', () => {
    const d = connected(testFlow({ bargeIn: false, endSilenceTimeoutInSeconds: 2.5 }));
    expect(d.commands[0]).toMatchObject({ kind: 'StartRecognition', interruptPrompt: false, endSilenceTimeoutInSeconds: 2.5 });
  });

  it("the config's operator key is the one that reaches a person, in every menu", () => {
    const star = testFlow({ personKey: '*' });
    expect(connected(star).when(answer({ kind: 'KeysPressed', tones: '*' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general' });
    expect(connected(star).when(answer({ kind: 'KeysPressed', tones: '0' })).state).toMatchObject({ stage: 'understanding', retries: 1 });
    const languageMenu = given(testFlow({ personKey: '*', languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }, { code: 'es-ES', spokenName: 'Español', dtmfKey: '2' }] })).when({ kind: 'CallConnected', callConnectionId: 'conn-1' });
    expect(languageMenu.commands[0]).toMatchObject({ mode: { kind: 'choices', choices: expect.arrayContaining([expect.objectContaining({ label: 'person', tone: '*' })]) } });
  });

  it('pressing 0 always reaches a person; other keys pick an intent from the keypad menu', () => {
    expect(connected(flow).when(answer({ kind: 'KeysPressed', tones: '0' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general' });
    expect(connected(flow).when(answer({ kind: 'KeysPressed', tones: '2' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
  });
});

describe('self-service', () => {
  const flow = testFlow({ understandings: { 'where is my order': sure('orderStatus'), 'what is my balance': sure('accountBalance'), 'actually i also want my balance': sure('accountBalance') } });

  it("runs an action with its own time limit when it has one, else the assistant's", () => {
    const pinOf = (f: AssistantFlow) =>
      connected(f).when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 })).when(answer({ kind: 'KeysPressed', tones: '4321' }));
    expect(pinOf(flow).commands).toContainEqual(expect.objectContaining({ kind: 'RunAction', timeoutInMs: 8000 }));
    const quick = new Map(intents.map((i) => [i.name, i.name === 'accountBalance' && i.outcome.kind === 'selfService' ? { ...i, outcome: { ...i.outcome, timeoutInMs: 3000 } } : i]));
    expect(pinOf(testFlow({ understandings: { 'what is my balance': sure('accountBalance') }, intents: quick })).commands).toContainEqual(expect.objectContaining({ kind: 'RunAction', timeoutInMs: 3000 }));
  });

  it('fills a slot, confirms it, runs the action and reads the result', () => {
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    expect(asked.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: testPrompt('askOrderNumber'), mode: { kind: 'dtmf', maxTonesToCollect: 8 } });
    const confirm = asked.when(answer({ kind: 'KeysPressed', tones: '123456' }));
    expect(confirm.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot 1 2 3, 4 5 6'), mode: { kind: 'choices' } });
    // 0 while self-serving reaches the general line: no queue was chosen for this intent.
    expect(asked.when(answer({ kind: 'KeysPressed', tones: '0' })).commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'general' }));
    expect(confirm.when(answer({ kind: 'ChoiceRecognized', label: 'person', phrase: undefined })).commands).toContainEqual(
      expect.objectContaining({ kind: 'RequestRouting', queueId: 'general' }),
    );
    const running = confirm.when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' }));
    expect(running.state.stage).toBe('runningAction');
    expect(running.commands).toEqual([
      expect.objectContaining({ kind: 'RunAction', action: 'orderStatus', pii: { slots: { orderNumber: '123456' } }, fillerDelayInMs: 1500, timeoutInMs: 8000 }),
    ]);
    const done = running.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: { status: 'succeeded', say: { prompt: 'orderFound', values: { status: 'shipped today' } } } }));
    expect(done.state.stage).toBe('anythingElse');
    expect(done.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: '<orderFound shipped today> <anythingElse>' } });
    const bye = done.when(answer({ kind: 'SpeechRecognized', text: "no that's all", confidence: 0.9 }));
    expect(bye.commands[0]).toMatchObject({ kind: 'PlayPrompt', prompt: testPrompt('goodbye') });
    expect(kinds(bye.when(answer({ kind: 'PlayCompleted' })).commands)).toEqual(['HangUp']);
  });

  /** An order looked up and read out: the flow asks "anything else?". */
  const answered = () =>
    connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }))
      .when(answer({ kind: 'KeysPressed', tones: '123456' }))
      .when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' }))
      .when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: { status: 'succeeded', say: { prompt: 'orderFound', values: { status: 'shipped today' } } } }));

  it('silence after the answer repeats "anything else?", not the open question', () => {
    const again = answered().when(answer({ kind: 'RecognitionTimedOut' }));
    expect(again.state.stage).toBe('anythingElse');
    expect(again.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: '<noInput> <anythingElse>' } });
    // Still nothing after the retries: they have had their answer, so goodbye rather than a queue.
    const bye = again.when(answer({ kind: 'RecognitionTimedOut' })).when(answer({ kind: 'RecognitionTimedOut' }));
    expect(bye.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('goodbye') })]);
    expect(bye.state.endReason).toBe('completed');
  });

  it('"yes" to "anything else?" gets the open question, without an apology; a request goes ahead', () => {
    const what = answered().when(answer({ kind: 'SpeechRecognized', text: 'yes please', confidence: 0.9 }));
    expect(what.state.stage).toBe('understanding');
    expect(what.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: testPrompt('openQuestion') });
    const balance = answered().when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 }));
    expect(balance.commands[0]).toMatchObject({ prompt: testPrompt('askPin') });
  });

  it('asking for a person instead of giving a slot\'s value is like pressing 0', () => {
    const slot = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    const toPerson = expect.objectContaining({ kind: 'RequestRouting', context: expect.objectContaining({ reason: 'caller asked for a person' }) });
    for (const text of ['operator', "I'd like to speak to an agent, please"]) {
      expect(slot.when(answer({ kind: 'SpeechRecognized', text, confidence: 0.9 })).commands).toContainEqual(toPerson);
    }
    const spanish = given(flow, { ...slot.state, language: 'es-ES' }).when(answer({ kind: 'SpeechRecognized', text: 'Quiero hablar con una persona', confidence: 0.9 }));
    expect(spanish.commands).toContainEqual(toPerson);
    expect(slot.when(answer({ kind: 'SpeechRecognized', text: 'the agent said it was shipped', confidence: 0.9 })).state.stage).toBe('collectingSlot');
  });

  it('"no, that\'s all, thanks" to "anything else?" ends the call; "no, actually I also want …" is a new request', () => {
    for (const text of ["no that's all, thank you", 'No thanks, bye!', 'nope', 'no, nothing else really']) {
      expect(answered().when(answer({ kind: 'SpeechRecognized', text, confidence: 0.9 })).state.endReason).toBe('completed');
    }
    const more = answered().when(answer({ kind: 'SpeechRecognized', text: 'No, actually I also want my balance', confidence: 0.9 }));
    expect(more.state).toMatchObject({ stage: 'collectingSlot', intent: 'accountBalance' });
    expect(more.commands[0]).toMatchObject({ prompt: testPrompt('askPin') });
  });

  it('not understood after the answer, again and again: a person, since they still want something', () => {
    let d = answered();
    for (let i = 0; i < 3; i += 1) d = d.when(answer({ kind: 'SpeechRecognized', text: 'what is the weather on mars', confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', context: { reason: 'not understood' } });
  });

  it('a slot that does not validate is asked again, then a person', () => {
    let d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    d = d.when(answer({ kind: 'KeysPressed', tones: '12' }));
    expect(d.commands[0]).toMatchObject({ prompt: testPrompt('askOrderNumber') });
    d = d.when(answer({ kind: 'KeysPressed', tones: '12' })).when(answer({ kind: 'KeysPressed', tones: '12' }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', context: { reason: 'could not collect orderNumber', intent: 'orderStatus' } });
  });

  it('a PIN entered on the keypad never appears in history, and is forgotten after the action', () => {
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 }));
    const running = asked.when(answer({ kind: 'KeysPressed', tones: '4321' }));
    expect(running.commands[0]).toMatchObject({ kind: 'RunAction', pii: { slots: { pin: '4321' } } });
    expect(JSON.stringify(running.history)).not.toContain('4321');
    expect(running.history).toEqual(expect.arrayContaining([{ kind: 'callerTurn', input: 'dtmf', confidence: undefined, pii: { text: '****' } }]));
    const done = running.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: { status: 'succeeded', say: { prompt: 'balanceResult', values: { amount: '$42.00' } } } }));
    expect(JSON.stringify(done.state)).not.toContain('4321');
  });

  it('a slow action gets a filler; a failed one hands the caller to a person with what was learned', () => {
    const running = connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 }))
      .when(answer({ kind: 'KeysPressed', tones: '4321' }));
    const slow = running.when((s) => ({ kind: 'ActionSlow', actionId: s.actionId! }));
    expect(slow.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('filler') })]);
    const failed = slow.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: { status: 'timedOut' } }));
    expect(kinds(failed.commands)).toEqual(['PlayPrompt', 'PlayPrompt', 'RequestRouting']);
    expect(failed.commands[2]).toMatchObject({ context: { intent: 'accountBalance', reason: 'action timedOut', pii: { slots: {} } } });
  });

  it("a backend's broken answer is recorded in history with why, and the caller still reaches a person", () => {
    const running = connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 }))
      .when(answer({ kind: 'KeysPressed', tones: '4321' }));
    const reason = 'account backend answered an unexpected body: ✖ Invalid input → at dueDate';
    const failed = running.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: { status: 'failed', reason } }));
    expect(failed.history).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'actionResult', status: 'failed', reason })]));
    expect(kinds(failed.commands)).toEqual(['PlayPrompt', 'PlayPrompt', 'RequestRouting']);
    expect(failed.commands[0]).toMatchObject({ prompt: testPrompt('actionFailed') });
  });
});

describe('robustness', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });

  it('ignores the outcome of an older operation and says so in history', () => {
    const d = connected(flow);
    const stale = d.when({ kind: 'RecognitionTimedOut', operationContext: 'understanding:0' });
    expect(stale.state).toBe(d.state);
    expect(stale.commands).toEqual([]);
    expect(stale.history).toEqual([expect.objectContaining({ kind: 'event', ignored: 'stale' })]);
  });

  it('records an event kind it does not know instead of failing', () => {
    const d = connected(flow).when({ kind: 'UnknownCallEvent', type: 'Microsoft.Communication.Something' });
    expect(d.history).toEqual([expect.objectContaining({ ignored: 'unknown' })]);
  });

  it('the caller hanging up while queued ends the call and takes it out of the queue', () => {
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 })).when({ kind: 'CallDisconnected' });
    expect(d.state.stage).toBe('ended');
    expect(d.state.endedAt).toBe(now.toISOString());
    expect(d.commands).toEqual([{ kind: 'CancelRouting', queueId: 'billing', reason: 'callerHungUp' }]);
    expect(d.history).toEqual(expect.arrayContaining([{ kind: 'callEnded', reason: 'callerHungUp' }]));
  });

  it('the caller hanging up during an action: its late result is ignored', () => {
    const f = testFlow({ understandings: { 'what is my balance': sure('accountBalance') } });
    const running = connected(f).when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 })).when(answer({ kind: 'KeysPressed', tones: '4321' }));
    const actionId = running.state.actionId!;
    const gone = running.when({ kind: 'CallDisconnected' });
    expect(JSON.stringify(gone.state)).not.toContain('4321');
    const late = gone.when({ kind: 'ActionCompleted', actionId, result: { status: 'succeeded', say: { prompt: 'x' } } });
    expect(late.commands).toEqual([]);
    expect(late.history).toEqual([expect.objectContaining({ ignored: 'ended' })]);
  });

  it('with no routing deployed the caller hears a clear message and the call ends cleanly', () => {
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 })).when({ kind: 'RoutingUnavailable', reason: 'routing is not deployed' });
    expect(d.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('noAgents') })]);
    const end = d.when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    expect(end.history).toEqual(expect.arrayContaining([{ kind: 'callEnded', reason: 'no routing: routing is not deployed' }]));
  });

  it('a request for a person that could not be sent is explained and sent once more to the same queue, then the call ends cleanly', () => {
    const queued = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }));
    const resent = queued.when({ kind: 'RoutingUnavailable', reason: 'routing request failed: Service Bus unreachable', failed: true });
    expect(resent.commands).toEqual([
      { kind: 'CancelMedia' },
      expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('technicalDifficulty') }),
      expect.objectContaining({ kind: 'RequestRouting', queueId: 'billing', priority: 1, requiredSkills: [{ skill: 'billing', minProficiency: 2 }], context: expect.objectContaining({ intent: 'billing' }) }),
    ]);
    expect(resent.state.stage).toBe('queued');
    const failedAgain = resent.when({ kind: 'RoutingUnavailable', reason: 'routing request failed: Service Bus unreachable', failed: true });
    expect(failedAgain.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('noAgents') })]);
    expect(failedAgain.state.endReason).toBe('no routing: routing request failed: Service Bus unreachable');
  });
});

describe('meeting the agent', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const queued = () => connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }));
  const offerContext = 'offer|billing%3Aoffer-1|agent-7';

  it('the invited agent joining stops hold media and tells routing the offer was accepted', () => {
    const d = queued().when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:agent-7', operationContext: offerContext });
    expect(d.state.stage).toBe('connected');
    expect(d.state.agent).toEqual({ offerId: 'billing:offer-1', agentId: 'agent-7', teamsUserId: 'agent-7' });
    expect(d.commands).toEqual([
      { kind: 'CancelMedia' },
      { kind: 'NotifyRouting', outcome: 'offerAccepted', queueId: 'billing', offerId: 'billing:offer-1', agentId: 'agent-7' },
    ]);
  });

  it('a declined or unanswered invitation goes back to routing; the caller keeps waiting', () => {
    const declined = queued().when({ kind: 'AddParticipantFailed', participantRawId: '8:orgid:agent-7', code: 603, subCode: 0, message: 'declined', operationContext: offerContext });
    expect(declined.state.stage).toBe('queued');
    expect(declined.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'offerDeclined', queueId: 'billing', offerId: 'billing:offer-1', agentId: 'agent-7' }]);
    const missed = queued().when({ kind: 'AddParticipantFailed', participantRawId: '8:orgid:agent-7', code: 487, subCode: 10004, message: 'timeout', operationContext: offerContext });
    expect(missed.commands).toEqual([expect.objectContaining({ outcome: 'offerNotAnswered' })]);
  });

  it('when the connected call ends routing frees the agent', () => {
    const d = queued().when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:agent-7', operationContext: offerContext }).when({ kind: 'CallDisconnected' });
    expect(d.state.endReason).toBe('completed');
    expect(d.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'billing:offer-1', agentId: 'agent-7', wrapUp: true }]);
  });

  it('ignores an invitation result that is not an offer, or arrives after the caller left', () => {
    expect(queued().when({ kind: 'ParticipantAdded', participantRawId: 'x', operationContext: 'something-else' }).commands).toEqual([]);
    const gone = queued().when({ kind: 'CallDisconnected' }).when({ kind: 'ParticipantAdded', participantRawId: 'x', operationContext: offerContext });
    expect(gone.commands).toEqual([]);
  });
});

describe('the end of a connected call', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const connectedToAgent = () =>
    connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:agent-7', operationContext: 'offer|o1|agent-7' });

  it('the caller leaving while the agent stays: the bot hangs up for everyone and the agent is freed', () => {
    const left = connectedToAgent().when({ kind: 'ParticipantsUpdated', participantIds: ['8:orgid:agent-7', '8:acs:bot'] });
    expect(left.commands).toEqual([{ kind: 'HangUp' }]);
    const ended = left.when({ kind: 'CallDisconnected' });
    expect(ended.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true }]);
    expect(ended.history).toEqual(expect.arrayContaining([{ kind: 'callEnded', reason: 'callerHungUp' }]));
  });

  it('the agent leaving frees them at once and ends the call', () => {
    const left = connectedToAgent().when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123', '8:acs:bot'] });
    expect(left.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true }, { kind: 'HangUp' }]);
    expect(left.state.endReason).toBe('agentHungUp');
    expect(left.when({ kind: 'CallDisconnected' }).commands).toEqual([]);
  });

  it('both still on the call: nothing to do', () => {
    expect(connectedToAgent().when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123', '8:orgid:agent-7'] }).commands).toEqual([]);
  });
});

describe('waiting in the queue', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const queued = () => connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }));

  it('music on hold loops once the transfer message has played', () => {
    const music = queued().when(answer({ kind: 'PlayCompleted' }));
    expect(music.commands).toEqual([{ kind: 'PlayAudio', url: 'https://music.example/billing.wav', loop: true, operationContext: music.state.pendingOperation }]);
  });

  it('announcements stop the music, say the place and expected wait, then the music resumes', () => {
    const music = queued().when(answer({ kind: 'PlayCompleted' }));
    const announced = music.when({ kind: 'QueuePositionAnnounced', position: 3, expectedWaitInSeconds: 240 });
    expect(announced.commands).toEqual([
      { kind: 'CancelMedia' },
      expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<queueWelcome> <queuePosition 3> <queueExpectedWait 4>' }) }),
    ]);
    // Later announcements reassure instead of welcoming again.
    const later = announced.when(answer({ kind: 'PlayCompleted' })).when({ kind: 'QueuePositionAnnounced', position: 2, expectedWaitInSeconds: 120 });
    expect(later.commands[1]).toMatchObject({ kind: 'PlayPrompt', prompt: { text: '<queueStillWaiting> <queuePosition 2> <queueExpectedWait 2>' } });
    // The cancelled music's own outcome is stale; the announcement's completion restarts it.
    expect(announced.when({ kind: 'PlayCanceled', operationContext: music.state.pendingOperation }).commands).toEqual([]);
    expect(announced.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio', loop: true })]);
  });

  it('an announcement right after "connecting you now" waits for the prompt to finish instead of cutting it short', () => {
    const transferring = queued();
    const announced = transferring.when({ kind: 'QueuePositionAnnounced', position: 1, expectedWaitInSeconds: 0 });
    expect(announced.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<queueWelcome> <queuePosition 1>' }) })]);
    // The transferring prompt's completion is now stale; the announcement's starts the music.
    expect(announced.when({ kind: 'PlayCompleted', operationContext: transferring.state.pendingOperation }).commands).toEqual([]);
    expect(announced.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio', loop: true })]);
  });

  const playFailed = (subCode = 8536) => answer({ kind: 'PlayFailed', code: 400, subCode, message: 'Action failed, file could not be downloaded.' });

  it("a queue's music that cannot be played gives way to the built-in hold tone", () => {
    const music = queued().when(answer({ kind: 'PlayCompleted' }));
    const tone = music.when(playFailed());
    expect(tone.commands).toEqual([{ kind: 'PlayAudio', url: 'https://app.example/api/media/hold-tone.wav', loop: true, operationContext: tone.state.pendingOperation }]);
    // Announcements stop the tone and bring it back, not the file that failed.
    const announced = tone.when({ kind: 'QueuePositionAnnounced', position: 2, expectedWaitInSeconds: 0 });
    expect(announced.commands[0]).toEqual({ kind: 'CancelMedia' });
    expect(announced.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio', url: 'https://app.example/api/media/hold-tone.wav' })]);
  });

  it('when no music can be played, the caller is told they are still in the queue, once, and not left to a loop of failures', () => {
    const bothFailed = queued().when(answer({ kind: 'PlayCompleted' })).when(playFailed()).when(playFailed(8535));
    expect(bothFailed.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('queueStillWaiting') })]);
    expect(bothFailed.state.stage).toBe('queued');
    const after = bothFailed.when(answer({ kind: 'PlayCompleted' }));
    expect(after.commands).toEqual([]);
    // Routing's announcements still reach the caller.
    const announced = after.when({ kind: 'QueuePositionAnnounced', position: 1, expectedWaitInSeconds: 60 });
    expect(announced.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: expect.objectContaining({ text: '<queueWelcome> <queuePosition 1> <queueExpectedWait 1>' }) })]);
    expect(announced.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([]);
  });

  it('music whose failure arrives after an announcement took over is not played again when the announcement ends', () => {
    const music = queued().when(answer({ kind: 'PlayCompleted' }));
    const announced = music.when({ kind: 'QueuePositionAnnounced', position: 2, expectedWaitInSeconds: 0 });
    const lateFailure = announced.when({ kind: 'PlayFailed', code: 400, subCode: 8536, message: 'Action failed, file could not be downloaded.', operationContext: music.state.pendingOperation });
    expect(lateFailure.commands).toEqual([]);
    expect(lateFailure.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio', url: 'https://app.example/api/media/hold-tone.wav' })]);
  });

  it('an announcement that cannot be played brings the music back', () => {
    const announced = queued().when(answer({ kind: 'PlayCompleted' })).when({ kind: 'QueuePositionAnnounced', position: 3, expectedWaitInSeconds: 0 });
    expect(announced.when(answer({ kind: 'PlayFailed', code: 400, subCode: 8582, message: 'Action failed, play source text or SSML is empty.' })).commands).toEqual([
      expect.objectContaining({ kind: 'PlayAudio', url: 'https://music.example/billing.wav', loop: true }),
    ]);
  });

  it("a caller moved to another queue hears that queue's own music again", () => {
    const toneOnly = queued().when(answer({ kind: 'PlayCompleted' })).when(playFailed());
    const moved = toneOnly.when({ kind: 'QueueOverflowed', queueId: 'billing', reason: 'maxWait', action: { kind: 'queue', queueId: 'general' } });
    expect(moved.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio', url: 'https://music.example/general.wav' })]);
  });

  it('overflow to another queue re-queues the caller with what was learned; disconnect says the configured message', () => {
    const moved = queued().when({ kind: 'QueueOverflowed', queueId: 'billing', reason: 'maxWait', action: { kind: 'queue', queueId: 'general' } });
    expect(moved.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', priority: 1, requiredSkills: [], context: { intent: 'billing', reason: 'overflow (maxWait) from billing' } });
    const closed = queued().when({ kind: 'QueueOverflowed', queueId: 'billing', reason: 'noAgentsLoggedIn', action: { kind: 'disconnect', message: 'salesUnavailable' } });
    expect(closed.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('salesUnavailable') })]);
    expect(closed.state.endReason).toBe('overflow: noAgentsLoggedIn');
  });
});

describe('a caller who changes their mind while asked for a value', () => {
  const flow = testFlow({
    understandings: {
      'where is my order': sure('orderStatus'),
      'actually my bill is wrong': sure('billing'),
      'my balance please': sure('accountBalance'),
      'the internet one': { intent: 'techSupport', confidence: 0.45, outOfScope: false, ranked: [{ intent: 'techSupport', confidence: 0.45 }] },
    },
  });
  const askedForOrder = () => connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));

  it('is taken at their word when the assistant is sure they want something else', () => {
    const moved = askedForOrder().when(answer({ kind: 'SpeechRecognized', text: 'actually my bill is wrong', confidence: 0.9 }));
    expect(moved.state).toMatchObject({ intent: 'billing', stage: 'queued', intentChanges: 1 });
    expect(moved.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'billing' }));
    expect(moved.history).toContainEqual({ kind: 'intentDecision', intent: 'billing', confidence: 0.93, verdict: 'accepted' });
  });

  it('hears the slot asked again when the assistant is not sure, and keys are always a value', () => {
    const unsure = askedForOrder().when(answer({ kind: 'SpeechRecognized', text: 'the internet one', confidence: 0.9 }));
    expect(unsure.state).toMatchObject({ intent: 'orderStatus', stage: 'collectingSlot', retries: 1 });
    const keyed = askedForOrder().when(answer({ kind: 'KeysPressed', tones: '12' }));
    expect(keyed.state).toMatchObject({ intent: 'orderStatus', stage: 'collectingSlot', retries: 1 });
  });

  it('"start over" goes back to the open question, with what was given so far forgotten', () => {
    const back = askedForOrder().when(answer({ kind: 'SpeechRecognized', text: 'start over please', confidence: 0.9 }));
    expect(back.state).toMatchObject({ stage: 'understanding', intent: undefined, intentChanges: 1, pii: expect.objectContaining({ slots: {} }) });
    expect(back.commands).toEqual([expect.objectContaining({ kind: 'StartRecognition', prompt: testPrompt('openQuestion'), mode: { kind: 'speechOrDtmf', maxTonesToCollect: 1 } })]);
    expect(back.history).toContainEqual({ kind: 'intentDecision', intent: null, confidence: 1, verdict: 'startOver' });
    const then = back.when(answer({ kind: 'SpeechRecognized', text: 'actually my bill is wrong', confidence: 0.9 }));
    expect(then.state).toMatchObject({ intent: 'billing', stage: 'queued' });
  });

  it('may change their mind twice a call; after that an answer that is not a value is only that', () => {
    const once = askedForOrder().when(answer({ kind: 'SpeechRecognized', text: 'my balance please', confidence: 0.9 }));
    expect(once.state).toMatchObject({ intent: 'accountBalance', stage: 'collectingSlot', intentChanges: 1 });
    const twice = once.when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    expect(twice.state).toMatchObject({ intent: 'orderStatus', stage: 'collectingSlot', intentChanges: 2 });
    const third = twice.when(answer({ kind: 'SpeechRecognized', text: 'my balance please', confidence: 0.9 }));
    expect(third.state).toMatchObject({ intent: 'orderStatus', stage: 'collectingSlot', retries: 1, intentChanges: 2 });
  });
});

describe('an answer the assistant gives itself (opening hours)', () => {
  const asked: Date[] = [];
  const hours: IntentDefinition = {
    name: 'openingHours',
    spokenName: () => 'opening hours',
    dtmfKey: undefined,
    outcome: {
      kind: 'inform',
      answer: (language, at) => {
        asked.push(at);
        return testPrompt(`hours ${language}`, language);
      },
    },
  };
  const flow = testFlow({ intents: new Map([...intents, hours].map((i) => [i.name, i])), understandings: { 'when are you open': sure('openingHours') } });

  it("is said at once, as it stands at the caller's moment, followed by the anything-else question", () => {
    const answered = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'when are you open', confidence: 0.9 }));
    expect(answered.state.stage).toBe('anythingElse');
    expect(answered.commands).toEqual([
      expect.objectContaining({ kind: 'StartRecognition', prompt: expect.objectContaining({ text: '<hours en-US> <anythingElse>' }), mode: { kind: 'speechOrDtmf', maxTonesToCollect: 1 } }),
    ]);
    expect(asked.at(-1)).toEqual(now);
    // No action runs, nobody is queued.
    expect(kinds(answered.commands)).not.toContain('RunAction');
    expect(kinds(answered.commands)).not.toContain('RequestRouting');
  });

  it('"no" to anything else ends the call as completed', () => {
    const answered = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'when are you open', confidence: 0.9 }));
    const done = answered.when(answer({ kind: 'SpeechRecognized', text: 'no thanks', confidence: 0.9 }));
    expect(done.state.endReason).toBe('completed');
  });
});

describe('consult and transfer', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const onCall = () =>
    connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-agent', operationContext: 'offer|o1|agent-7' });

  it("a queue that records agent calls starts recording when the agent joins, once, and stops it for a voicemail", () => {
    const recording = testFlow({ understandings: { 'my bill is wrong': sure('billing') }, recordsAgentCalls: (queueId) => queueId === 'billing' });
    const joined = connected(recording)
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-agent', operationContext: 'offer|o1|agent-7' });
    const start = joined.commands.find((c) => c.kind === 'StartRecording');
    expect(start).toEqual({ kind: 'StartRecording', operationContext: expect.stringMatching(/^agentCall:/) });
    const recorded = joined.when({ kind: 'RecordingStarted', recordingId: 'rec-1', operationContext: start!.kind === 'StartRecording' ? start!.operationContext : '' });
    expect(recorded.state).toMatchObject({ stage: 'connected', agentCallRecordingId: 'rec-1' });
    expect(recorded.state.recordingId).toBeUndefined();
    expect(recorded.history).toContainEqual({ kind: 'callRecorded', queueId: 'billing', recordingId: 'rec-1' });
    // Sent on to the general queue and then to its voicemail: the conversation's recording stops first.
    const requeued = recorded.when({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'general' } });
    const voicemail = requeued.when({ kind: 'QueueOverflowed', queueId: 'general', reason: 'noAgentsLoggedIn', action: { kind: 'voicemail' } });
    expect(kinds(voicemail.commands).filter((k) => k === 'StopRecording' || k === 'StartRecording')).toEqual(['StopRecording', 'StartRecording']);
    expect(voicemail.commands).toContainEqual({ kind: 'StopRecording', recordingId: 'rec-1' });
    // A queue that does not record: nothing is started.
    expect(kinds(onCall().commands)).not.toContain('StartRecording');
    // A recording that cannot start leaves the conversation as it is.
    const refused = joined.when({ kind: 'RecordingNotStarted', reason: 'not sent: 503', operationContext: 'agentCall:2' });
    expect(refused.state.stage).toBe('connected');
    expect(refused.commands).toEqual([]);
  });

  it('a consult rings the expert into the call; the agent stays; the expert is freed when they leave', () => {
    const asked = onCall().when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' });
    expect(asked.commands).toEqual([{ kind: 'AddTeamsUser', teamsUserId: 'tu-sme', operationContext: 'consult|sme-1' }]);
    const joined = asked.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-sme', operationContext: 'consult|sme-1' });
    expect(joined.state.agent?.agentId).toBe('agent-7');
    expect(joined.state.consultants).toEqual([{ agentId: 'sme-1', teamsUserId: 'tu-sme', purpose: 'consult', joined: true }]);
    const smeLeft = joined.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123', '8:orgid:tu-agent'] });
    expect(smeLeft.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'consult:sme-1', agentId: 'sme-1' }]);
    expect(smeLeft.state.stage).toBe('connected');
  });

  it('a participant snapshot older than one applied (a retried callback) is ignored: the agent does not seem to hang up', () => {
    const withAgent = onCall().when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123', '8:orgid:tu-agent'], sequenceNumber: 7 });
    expect(withAgent.state.participantsSequence).toBe(7);
    // Snapshot 6, taken before the agent joined, arrives late.
    const late = withAgent.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'], sequenceNumber: 6 });
    expect(late.commands).toEqual([]);
    expect(late.history).toEqual([expect.objectContaining({ kind: 'event', ignored: 'stale' })]);
    expect(late.state).toEqual(withAgent.state);
    // A newer one is applied: the agent has really left.
    const left = withAgent.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'], sequenceNumber: 8 });
    expect(left.state).toMatchObject({ endReason: 'agentHungUp', participantsSequence: 8 });
    expect(kinds(left.commands)).toEqual(['NotifyRouting', 'HangUp']);
  });

  it('when the agent leaves a conference, the expert takes the call over', () => {
    const joined = onCall()
      .when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' })
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-sme', operationContext: 'consult|sme-1' });
    const agentLeft = joined.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123', '8:orgid:tu-sme'] });
    expect(agentLeft.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true }]);
    expect(agentLeft.state.agent).toEqual({ agentId: 'sme-1', offerId: 'consult:sme-1', teamsUserId: 'tu-sme' });
  });

  it('a transfer to an agent rings them first, then the first agent leaves', () => {
    const ringing = onCall().when({ kind: 'TransferRequested', target: { kind: 'agent', agentId: 'agent-9', teamsUserId: 'tu-9' } });
    expect(ringing.commands).toEqual([{ kind: 'AddTeamsUser', teamsUserId: 'tu-9', operationContext: 'transfer|agent-9' }]);
    const moved = ringing.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-9', operationContext: 'transfer|agent-9' });
    expect(moved.commands).toEqual([
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true },
      { kind: 'RemoveTeamsUser', teamsUserId: 'tu-agent', operationContext: 'transfer:agent-7' },
    ]);
    expect(moved.state.agent).toEqual({ agentId: 'agent-9', offerId: 'transfer:agent-9', teamsUserId: 'tu-9' });
  });

  it('a blind transfer to a queue frees the agent and queues the caller again with the context', () => {
    const d = onCall().when({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'support' } });
    expect(d.state.stage).toBe('queued');
    expect(kinds(d.commands)).toEqual(['NotifyRouting', 'RemoveTeamsUser', 'PlayPrompt', 'RequestRouting']);
    expect(d.commands[3]).toMatchObject({ queueId: 'support', context: { intent: 'billing', reason: 'transferred by agent-7' } });
  });

  const toPhone = { kind: 'TransferRequested', target: { kind: 'phone', phoneNumber: '+14255550999' } } as const;
  const transferContext = (d: ReturnType<typeof onCall>) => d.state.phoneTransfer?.operationContext ?? 'none';

  it('a transfer to a phone number keeps the agent on the line until the number answers, then frees them', () => {
    const ringing = onCall().when(toPhone);
    expect(ringing.commands).toEqual([{ kind: 'TransferToPhone', phoneNumber: '+14255550999', operationContext: transferContext(ringing) }]);
    expect(ringing.state.stage).toBe('connected');
    expect(ringing.state.agent?.agentId).toBe('agent-7');
    const answered = ringing.when({ kind: 'CallTransferAccepted', operationContext: transferContext(ringing) });
    expect(answered.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true }]);
    expect(answered.state).toMatchObject({ stage: 'ending', endReason: 'transferredToPhone', agent: undefined });
    const gone = answered.when({ kind: 'CallDisconnected' });
    expect(gone.state).toMatchObject({ stage: 'ended', endReason: 'transferredToPhone' });
    expect(gone.commands).toEqual([]);
  });

  it('a number that does not answer leaves the caller with the agent, both told so; the agent may transfer again', () => {
    const ringing = onCall().when(toPhone);
    const failed = ringing.when({ kind: 'CallTransferFailed', code: 487, subCode: 0, message: 'no answer', operationContext: transferContext(ringing) });
    expect(failed.commands).toEqual([expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('transferFailed') })]);
    expect(failed.state).toMatchObject({ stage: 'connected', agent: { agentId: 'agent-7' }, phoneTransfer: undefined });
    const again = failed.when(toPhone);
    expect(kinds(again.commands)).toEqual(['TransferToPhone']);
    expect(transferContext(again)).not.toBe(transferContext(ringing));
    // The first transfer's outcome, late, is not taken for the second's.
    expect(again.when({ kind: 'CallTransferAccepted', operationContext: transferContext(ringing) }).state.stage).toBe('connected');
  });

  it('without a transferFailed prompt in the config, nothing is said while the agent is on the line', () => {
    const quiet = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
    const withoutPrompt: AssistantFlow = { ...quiet, namedPrompt: (language, key, values) => (key === 'transferFailed' ? undefined : quiet.namedPrompt(language, key, values)) };
    const ringing = connected(withoutPrompt)
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-agent', operationContext: 'offer|o1|agent-7' })
      .when(toPhone);
    const failed = ringing.when({ kind: 'CallTransferFailed', code: 486, subCode: 0, message: 'busy', operationContext: transferContext(ringing) });
    expect(failed.commands).toEqual([]);
    expect(failed.state.stage).toBe('connected');
  });

  it('an agent who hangs up while the number rings is freed, and the caller waits for the number', () => {
    const ringing = onCall().when(toPhone);
    const agentLeft = ringing.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'] });
    expect(agentLeft.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true }]);
    expect(agentLeft.state).toMatchObject({ stage: 'connected', agent: undefined });
    const answered = agentLeft.when({ kind: 'CallTransferAccepted', operationContext: transferContext(ringing) });
    expect(answered.commands).toEqual([]);
    expect(answered.state).toMatchObject({ stage: 'ending', endReason: 'transferredToPhone' });
  });

  it('when the number does not answer after the agent left, the caller is queued again where they came from, told why', () => {
    const ringing = onCall().when(toPhone);
    const alone = ringing.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'] });
    const failed = alone.when({ kind: 'CallTransferFailed', code: 500, subCode: -1, message: 'not sent', operationContext: transferContext(ringing) });
    expect(failed.state.stage).toBe('queued');
    expect(failed.commands[0]).toMatchObject({ kind: 'PlayPrompt', prompt: { text: '<transferFailed> <transferring>' } });
    expect(failed.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing', context: { intent: 'billing', reason: 'transfer to a phone number failed' } });
  });

  it('a second transfer asked for while the number rings changes nothing; an agent it took is given back', () => {
    const ringing = onCall().when(toPhone);
    const twice = ringing.when({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'support' } });
    expect(twice.commands).toEqual([]);
    expect(twice.state.phoneTransfer).toEqual(ringing.state.phoneTransfer);
    const toAgent = ringing.when({ kind: 'TransferRequested', target: { kind: 'agent', agentId: 'agent-9', teamsUserId: 'tu-9' } });
    expect(toAgent.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'transfer:agent-9', agentId: 'agent-9' }]);
    expect(toAgent.state.phoneTransfer).toEqual(ringing.state.phoneTransfer);
    // The agent API answers the agent with why.
    expect(toAgent.history).toContainEqual({ kind: 'requestRefused', request: 'transfer', reason: 'the call is being transferred to a phone number' });
    const consult = ringing.when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' });
    expect(consult.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'consult:sme-1', agentId: 'sme-1' }]);
    expect(consult.history).toContainEqual({ kind: 'requestRefused', request: 'consult', reason: 'the call is being transferred to a phone number' });
  });

  it('a blind transfer to a queue lets the experts in the conference go with the agent; one still ringing is let go if they answer', () => {
    const conference = onCall()
      .when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' })
      .when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-sme', operationContext: 'consult|sme-1' })
      .when({ kind: 'ConsultRequested', agentId: 'sme-2', teamsUserId: 'tu-sme2' });
    const queued = conference.when({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'support' } });
    expect(queued.commands.filter((c) => c.kind === 'NotifyRouting' || c.kind === 'RemoveTeamsUser')).toEqual([
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'o1', agentId: 'agent-7', wrapUp: true },
      { kind: 'RemoveTeamsUser', teamsUserId: 'tu-agent', operationContext: 'transfer:agent-7' },
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'consult:sme-1', agentId: 'sme-1' },
      { kind: 'RemoveTeamsUser', teamsUserId: 'tu-sme', operationContext: 'transfer:sme-1' },
    ]);
    const late = queued.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-sme2', operationContext: 'consult|sme-2' });
    expect(late.commands).toEqual([
      { kind: 'RemoveTeamsUser', teamsUserId: 'tu-sme2', operationContext: 'transfer:sme-2' },
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'support', offerId: 'consult:sme-2', agentId: 'sme-2' },
    ]);
    expect(late.state).toMatchObject({ stage: 'queued', consultants: [] });
  });

  it('an expert who answers after the agent left, while a number rings for the caller, takes the call', () => {
    const ringing = onCall().when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' }).when(toPhone);
    const alone = ringing.when({ kind: 'ParticipantsUpdated', participantIds: ['4:+14255550123'] });
    const expert = alone.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-sme', operationContext: 'consult|sme-1' });
    expect(expert.state).toMatchObject({ stage: 'connected', agent: { agentId: 'sme-1', offerId: 'consult:sme-1', teamsUserId: 'tu-sme' }, consultants: [] });
    // The number fails: the caller talks on with the expert.
    const failed = expert.when({ kind: 'CallTransferFailed', code: 486, subCode: 0, message: 'busy', operationContext: transferContext(ringing) });
    expect(failed.state).toMatchObject({ stage: 'connected', agent: { agentId: 'sme-1' } });
  });

  it("an agent's disposition is recorded after the call ended, with the notes kept as personal data", () => {
    const ended = onCall().when({ kind: 'CallDisconnected' });
    const recorded = ended.when({ kind: 'DispositionRecorded', agentId: 'agent-7', disposition: 'resolved', notes: 'caller moving in May' });
    expect(recorded.commands).toEqual([]);
    expect(recorded.state).toEqual(ended.state);
    expect(recorded.history).toEqual([{ kind: 'event', event: expect.objectContaining({ kind: 'DispositionRecorded', agentId: 'agent-7', disposition: 'resolved', pii: { notes: 'caller moving in May' } }) }]);
    expect(recorded.history[0]).not.toHaveProperty('event.notes');
  });

  it('an expert or agent taken for a call that has ended meanwhile is given back to routing', () => {
    const ended = onCall().when({ kind: 'CallDisconnected' });
    expect(ended.state.stage).toBe('ended');
    expect(ended.when({ kind: 'ConsultRequested', agentId: 'sme-1', teamsUserId: 'tu-sme' }).commands).toEqual([
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'consult:sme-1', agentId: 'sme-1' },
    ]);
    expect(ended.when({ kind: 'TransferRequested', target: { kind: 'agent', agentId: 'agent-9', teamsUserId: 'tu-9' } }).commands).toEqual([
      { kind: 'NotifyRouting', outcome: 'callEnded', queueId: 'billing', offerId: 'transfer:agent-9', agentId: 'agent-9' },
    ]);
    const toQueue = ended.when({ kind: 'TransferRequested', target: { kind: 'queue', queueId: 'support' } });
    expect(toQueue.commands).toEqual([]);
    expect(toQueue.history).toContainEqual({ kind: 'requestRefused', request: 'transfer', reason: 'the call has ended' });
  });
});

describe('callbacks', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const onHold = () => connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 })).when(answer({ kind: 'PlayCompleted' }));
  const offered = () => onHold().when({ kind: 'CallbackOffered', expectedWaitInSeconds: 600 });

  it('a long expected wait stops the music and offers a callback (press 1)', () => {
    const d = offered();
    expect(d.commands[0]).toEqual({ kind: 'CancelMedia' });
    expect(d.commands[1]).toMatchObject({ kind: 'StartRecognition', prompt: testPrompt('callbackOffer'), mode: { kind: 'choices', choices: [{ label: 'callback', tone: '1' }, { label: 'wait', tone: '2' }, { label: 'repeat', tone: '*' }] } });
  });

  /** Queued for billing, from `callerId`, when routing offers a callback. */
  const offeredAs = (callerId: string) =>
    given(flow, startCall(flow, { callId: 'c1', callerId, calledNumber: '+18005550100' }, now))
      .when({ kind: 'CallConnected', callConnectionId: 'conn-1' })
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when(answer({ kind: 'PlayCompleted' }))
      .when({ kind: 'CallbackOffered', expectedWaitInSeconds: 600 });

  it('a caller who withheld their number keeps waiting with the music: no callback is offered', () => {
    const d = offeredAs('4:anonymous');
    expect(d.state.stage).toBe('queued');
    expect(d.commands).toEqual([]);
  });

  it('a callback dials the number without its asserted id', () => {
    const chosen = offeredAs('4:+14255550123_9a8b').when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' }));
    expect(chosen.commands[0]).toEqual({ kind: 'RequestCallback', queueId: 'billing', pii: { phoneNumber: '+14255550123' } });
  });

  it('choosing to wait, or saying nothing, brings the music back', () => {
    expect(offered().when(answer({ kind: 'ChoiceRecognized', label: 'wait', phrase: undefined })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio' })]);
    expect(offered().when(answer({ kind: 'RecognitionTimedOut' })).commands).toEqual([expect.objectContaining({ kind: 'PlayAudio' })]);
  });

  it('choosing a callback keeps the place: routing is told, the caller hears a confirmation, the call waits without a line', () => {
    const chosen = offered().when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' }));
    expect(chosen.commands).toEqual([
      { kind: 'RequestCallback', queueId: 'billing', pii: { phoneNumber: '+14255550123' } },
      expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('callbackConfirmed') }),
    ]);
    const pending = chosen.when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    expect(pending.state.stage).toBe('callbackPending');
    expect(pending.commands).toEqual([]);
  });

  it("when the callback's turn comes the caller is dialled, then the reserved agent rung in", () => {
    const pending = offered().when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' })).when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    const dialling = pending.when({ kind: 'CallbackDue', offerId: 'o9', agentId: 'agent-3', teamsUserId: 'tu-3', phoneNumber: '+14255550123', ringTimeInSeconds: 45 });
    expect(dialling.state.stage).toBe('callingBack');
    expect(dialling.commands).toEqual([{ kind: 'CreateCall', fromNumber: '+18005550100', operationContext: 'callback|o9', pii: { phoneNumber: '+14255550123' } }]);
    const answered = dialling.when({ kind: 'CallConnected', callConnectionId: 'conn-2' });
    expect(answered.state.callConnectionId).toBe('conn-2');
    expect(answered.commands).toEqual([
      expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('callbackConnecting') }),
      // Routing hears the caller is on the line: a later agent is added to this call, not dialled for.
      { kind: 'CallbackAnswered', queueId: 'billing' },
      // The agent rings for the queue's ringTimeInSeconds, as for any offer.
      { kind: 'AddTeamsUser', teamsUserId: 'tu-3', operationContext: 'offer|o9|agent-3', ringTimeInSeconds: 45 },
    ]);
    const joined = answered.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-3', operationContext: 'offer|o9|agent-3' });
    expect(joined.state.stage).toBe('connected');
    expect(joined.commands[1]).toEqual({ kind: 'NotifyRouting', outcome: 'offerAccepted', queueId: 'billing', offerId: 'o9', agentId: 'agent-3' });
  });

  it('once the caller has answered a callback, the next agent routing reserves after a miss is rung into the call, not dialled', () => {
    const pending = offered().when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' })).when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    const answered = pending
      .when({ kind: 'CallbackDue', offerId: 'o9', agentId: 'agent-3', teamsUserId: 'tu-3', phoneNumber: '+14255550123' })
      .when({ kind: 'CallConnected', callConnectionId: 'conn-2' });
    const missed = answered.when({ kind: 'AddParticipantFailed', participantRawId: '8:orgid:tu-3', code: 603, subCode: 0, message: 'declined', operationContext: 'offer|o9|agent-3' });
    expect(missed.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'offerDeclined', queueId: 'billing', offerId: 'o9', agentId: 'agent-3' }]);
    const next = missed.when({ kind: 'CallbackDue', offerId: 'o10', agentId: 'agent-4', teamsUserId: 'tu-4', phoneNumber: '+14255550123', ringTimeInSeconds: 20 });
    expect(next.commands).toEqual([{ kind: 'AddTeamsUser', teamsUserId: 'tu-4', operationContext: 'offer|o10|agent-4', ringTimeInSeconds: 20 }]);
    const joined = next.when({ kind: 'ParticipantAdded', participantRawId: '8:orgid:tu-4', operationContext: 'offer|o10|agent-4' });
    expect(joined.state).toMatchObject({ stage: 'connected', agent: { agentId: 'agent-4' } });
  });

  it('a callback the caller does not answer ends the call and tells routing', () => {
    const pending = offered().when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' })).when(answer({ kind: 'PlayCompleted' })).when({ kind: 'CallDisconnected' });
    const missed = pending.when({ kind: 'CallbackDue', offerId: 'o9', agentId: 'agent-3', teamsUserId: 'tu-3', phoneNumber: '+14255550123' }).when({ kind: 'CallNotAnswered', code: 408, subCode: 0 });
    expect(missed.state.stage).toBe('ended');
    expect(missed.commands).toEqual([{ kind: 'NotifyRouting', outcome: 'callbackFailed', queueId: 'billing', offerId: 'o9', agentId: 'agent-3' }]);
  });

  // Billing dials its callbacks three times, five minutes apart; support gives up after one.
  const retrying = testFlow({
    understandings: { 'my bill is wrong': sure('billing'), 'my internet is down': sure('techSupport') },
    callbackRetries: (queueId) => (queueId === 'billing' ? { attempts: 3, retryDelayInSeconds: 300 } : { attempts: 1, retryDelayInSeconds: 60 }),
  });
  const bookedCallback = (utterance: string) =>
    connected(retrying)
      .when(answer({ kind: 'SpeechRecognized', text: utterance, confidence: 0.9 }))
      .when(answer({ kind: 'PlayCompleted' }))
      .when({ kind: 'CallbackOffered', expectedWaitInSeconds: 600 })
      .when(answer({ kind: 'ChoiceRecognized', label: 'callback', phrase: '1' }))
      .when(answer({ kind: 'PlayCompleted' }))
      .when({ kind: 'CallDisconnected' });

  it('a callback nobody answers frees its agent and joins the queue again later, as many tries as its queue allows, then ends', () => {
    let call = bookedCallback('my bill is wrong');
    const queued = call.state.routingTarget;
    for (const [attempt, failure] of [[1, { code: 408, subCode: 0 }], [2, { code: 500, subCode: -1 }]] as const) {
      const dialling = call.when({ kind: 'CallbackDue', offerId: `o${attempt}`, agentId: 'agent-3', teamsUserId: 'tu-3', phoneNumber: '+14255550123' });
      expect(kinds(dialling.commands)).toEqual(['CreateCall']);
      call = dialling.when({ kind: 'CallNotAnswered', ...failure });
      expect(call.state).toMatchObject({ stage: 'callbackPending', callbackAttempts: attempt });
      expect(call.commands).toEqual([
        { kind: 'NotifyRouting', outcome: 'callbackFailed', queueId: 'billing', offerId: `o${attempt}`, agentId: 'agent-3' },
        expect.objectContaining({
          kind: 'ScheduleCallback',
          queueId: queued?.queueId,
          priority: queued?.priority,
          at: new Date(now.getTime() + 300_000).toISOString(),
          pii: { phoneNumber: '+14255550123' },
          attempt: attempt + 1,
          context: expect.objectContaining({ intent: 'billing', reason: `callback not answered ${attempt} of 3 times; dialled again` }),
        }),
      ]);
    }
    const last = call.when({ kind: 'CallbackDue', offerId: 'o3', agentId: 'agent-3', teamsUserId: 'tu-3', phoneNumber: '+14255550123' }).when({ kind: 'CallNotAnswered', code: 486, subCode: 0 });
    expect(last.state).toMatchObject({ stage: 'ended', endReason: 'callbackNotAnswered' });
    expect(kinds(last.commands)).toEqual(['NotifyRouting']);

    const support = bookedCallback('my internet is down')
      .when({ kind: 'CallbackDue', offerId: 's1', agentId: 'agent-4', teamsUserId: 'tu-4', phoneNumber: '+14255550123' })
      .when({ kind: 'CallNotAnswered', code: 408, subCode: 0 });
    expect(support.state).toMatchObject({ stage: 'ended', endReason: 'callbackNotAnswered' });
    expect(kinds(support.commands)).toEqual(['NotifyRouting']);
  });
});

describe('voicemail', () => {
  const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') } });
  const recording = () =>
    connected(flow)
      .when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }))
      .when({ kind: 'QueueOverflowed', queueId: 'billing', reason: 'noAgentsLoggedIn', action: { kind: 'voicemail' } });

  it('a queue overflowing to voicemail records a message after the prompt; # ends it', () => {
    const d = recording();
    expect(d.state.stage).toBe('voicemail');
    expect(kinds(d.commands)).toEqual(['CancelMedia', 'StartRecording', 'StartRecognition']);
    expect(d.commands[2]).toMatchObject({ prompt: testPrompt('voicemailPrompt'), mode: { kind: 'dtmf', stopTones: ['#'] }, initialSilenceTimeoutInSeconds: 60 });
    const started = d.when({ kind: 'RecordingStarted', recordingId: 'rec-1' });
    expect(started.history).toEqual(expect.arrayContaining([{ kind: 'voicemailRecorded', queueId: 'billing', recordingId: 'rec-1' }]));
    const done = started.when(answer({ kind: 'KeysPressed', tones: '#' }));
    expect(done.commands).toEqual([{ kind: 'StopRecording', recordingId: 'rec-1' }, expect.objectContaining({ kind: 'PlayPrompt', prompt: testPrompt('voicemailSaved') })]);
    expect(done.when(answer({ kind: 'PlayCompleted' })).commands).toEqual([{ kind: 'HangUp' }]);
  });

  it('the time limit ends the message too; a caller hanging up keeps it', () => {
    const started = recording().when({ kind: 'RecordingStarted', recordingId: 'rec-1' });
    expect(started.when(answer({ kind: 'RecognitionTimedOut' })).commands[0]).toEqual({ kind: 'StopRecording', recordingId: 'rec-1' });
    const gone = started.when({ kind: 'CallDisconnected' });
    expect(gone.history).toEqual(expect.arrayContaining([{ kind: 'callEnded', reason: 'voicemail (noAgentsLoggedIn)' }]));
  });
});

describe('language', () => {
  it("a caller on a Spanish line needs an agent with the language's skill", () => {
    const flow = testFlow({ understandings: { 'my bill is wrong': sure('billing') }, line: () => ({ language: 'es-ES', languageMenu: false }) });
    const d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my bill is wrong', confidence: 0.9 }));
    expect(d.commands[1]).toMatchObject({ kind: 'RequestRouting', requiredSkills: [{ skill: 'billing', minProficiency: 2 }, { skill: 'spanish', minProficiency: 1 }], context: { language: 'es-ES' } });
  });

  const frenchWords = { yes: ['oui', "c'est ça"], no: ['non', "c'est tout"], person: ['un conseiller'], callback: ['rappelez-moi'], message: ['un message'], wait: ["j'attends"], first: ['la première'], second: ['la deuxième'], repeat: ['répétez'], startOver: ['recommencer'] };
  const onLine = (language: string, understandings: Parameters<typeof testFlow>[0] = {}) =>
    testFlow({ ...understandings, line: () => ({ language, languageMenu: false }), menuWords: (l) => (l === 'fr-FR' ? frenchWords : testFlow().menuWords(l)) });

  it("menus listen for the caller's language: yes / no, a person, a callback, waiting", () => {
    const flow = onLine('fr-FR', { understandings: { 'ma facture': { intent: 'billing', confidence: 0.5, outOfScope: false, ranked: [{ intent: 'billing', confidence: 0.5 }, { intent: 'techSupport', confidence: 0.3 }] } } });
    const clarify = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'ma facture', confidence: 0.9 }));
    expect(clarify.when(answer({ kind: 'SpeechRecognized', text: 'La deuxième', confidence: 0.9 })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'support' });
    const person = clarify.when(answer({ kind: 'SpeechRecognized', text: "Un conseiller, s'il vous plaît", confidence: 0.9 }));
    expect(person.commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general', context: { reason: 'caller asked for a person' } });

    const queued = connected(onLine('fr-FR', { understandings: { 'ma facture': sure('billing') } }))
      .when(answer({ kind: 'SpeechRecognized', text: 'ma facture', confidence: 0.9 }))
      .when(answer({ kind: 'PlayCompleted' }))
      .when({ kind: 'CallbackOffered', expectedWaitInSeconds: 600 });
    expect(queued.commands[1]).toMatchObject({
      mode: { kind: 'choices', choices: [{ label: 'callback', phrases: ['rappelez-moi', 'oui', "c'est ça"] }, { label: 'wait', phrases: ["j'attends", 'non', "c'est tout"] }, { label: 'repeat', phrases: ['répétez'] }] },
    });
  });

  it('a spoken yes / no answer is understood in the caller\'s language, accents and punctuation aside', () => {
    const yesNoSlot = (language: string) => {
      const base = onLine(language, { understandings: { 'where is my order': sure('orderStatus') } });
      const orderStatus = base.intents.get('orderStatus')!;
      const outcome = orderStatus.outcome as Extract<typeof orderStatus.outcome, { kind: 'selfService' }>;
      const slot = { ...outcome.slots[0]!, name: 'paperless', type: 'yesNo' as const, input: 'speechOrDtmf' as const, minLength: 0, maxLength: 10, confirm: false };
      const flow = { ...base, intents: new Map([...base.intents, ['orderStatus', { ...orderStatus, outcome: { ...outcome, slots: [slot] } }]]) };
      return connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    };
    const said = (language: string, text: string) => yesNoSlot(language).when(answer({ kind: 'SpeechRecognized', text, confidence: 0.9 })).commands.find((c) => c.kind === 'RunAction');
    expect(said('es-ES', 'Sí.')).toMatchObject({ pii: { slots: { paperless: 'yes' } } });
    expect(said('es-ES', 'si, por favor')).toMatchObject({ pii: { slots: { paperless: 'yes' } } });
    expect(said('fr-FR', "Oui, c'est ça")).toMatchObject({ pii: { slots: { paperless: 'yes' } } });
    expect(said('fr-FR', 'Non.')).toMatchObject({ pii: { slots: { paperless: 'no' } } });
    expect(said('en-US', 'nope')).toMatchObject({ pii: { slots: { paperless: 'no' } } });
    expect(said('fr-FR', 'yes')).toBeUndefined();
  });
});

describe('spoken numbers and the language menu', () => {
  it('a number slot open to speech takes spoken digits', () => {
    const base = testFlow({ understandings: { 'where is my order': sure('orderStatus') } });
    const orderStatus = base.intents.get('orderStatus')!;
    const outcome = orderStatus.outcome as Extract<typeof orderStatus.outcome, { kind: 'selfService' }>;
    const spoken = { ...orderStatus, outcome: { ...outcome, slots: [{ ...outcome.slots[0]!, input: 'speechOrDtmf' as const }] } };
    const flow = { ...base, intents: new Map([...base.intents, ['orderStatus', spoken]]) };
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 }));
    expect(asked.commands[0]).toMatchObject({ mode: { kind: 'speechOrDtmf' } });
    const confirm = asked.when(answer({ kind: 'SpeechRecognized', text: 'one two three four five six', confidence: 0.9 }));
    expect(confirm.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot 1 2 3, 4 5 6') });
    const enSpanol = asked.when(answer({ kind: 'SpeechRecognized', text: 'uno dos tres, cuatro cinco seis', confidence: 0.9 }));
    expect(enSpanol.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot 1 2 3, 4 5 6') });
  });

  it('0 at the language menu reaches a person', () => {
    const flow = testFlow({ languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }, { code: 'es-ES', spokenName: 'Español', dtmfKey: '2' }] });
    const menu = connected(flow);
    expect(menu.commands[0]).toMatchObject({ mode: { kind: 'choices', choices: expect.arrayContaining([{ label: 'person', phrases: expect.any(Array), tone: '0' }]) } });
    expect(menu.when(answer({ kind: 'ChoiceRecognized', label: 'person', phrase: undefined })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general' });
  });
});

describe('confirmations, invalid values and a wrong PIN', () => {
  it('an intent with a confirmation asks yes / no before acting; no asks whether there is anything else', () => {
    const base = testFlow({ understandings: { 'cancel my service': sure('billing') } });
    const billing = base.intents.get('billing')!;
    const flow = { ...base, intents: new Map([...base.intents, ['billing', { ...billing, confirm: (l: string) => testPrompt('confirmCancel', l) }]]) };
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'cancel my service', confidence: 0.9 }));
    expect(asked.state.stage).toBe('confirmingIntent');
    expect(asked.commands[0]).toMatchObject({ prompt: testPrompt('confirmCancel'), mode: { kind: 'choices' } });
    expect(asked.when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
    const no = asked.when(answer({ kind: 'ChoiceRecognized', label: 'no', phrase: 'no' }));
    expect(no.state).toMatchObject({ stage: 'anythingElse', intent: undefined });
    expect(no.commands[0]).toMatchObject({ prompt: testPrompt('anythingElse'), mode: { kind: 'speechOrDtmf' } });
    expect(no.when(answer({ kind: 'SpeechRecognized', text: 'no thanks', confidence: 0.9 })).state.endReason).toBe('completed');
  });

  it('silence at an intent\'s confirmation asks it again; an answer that is neither yes nor no goes to a person', () => {
    const base = testFlow({ understandings: { 'cancel my service': sure('billing') } });
    const billing = base.intents.get('billing')!;
    const flow = { ...base, intents: new Map([...base.intents, ['billing', { ...billing, confirm: (l: string) => testPrompt('confirmCancel', l) }]]) };
    const asked = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'cancel my service', confidence: 0.9 }));
    const again = asked.when(answer({ kind: 'RecognitionTimedOut' }));
    expect(again.state).toMatchObject({ stage: 'confirmingIntent', retries: 1 });
    expect(again.commands[0]).toMatchObject({ prompt: { text: '<noInput> <confirmCancel>' }, mode: { kind: 'choices' } });
    expect(again.when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'billing' });
    expect(asked.when(answer({ kind: 'RecognitionFailed', code: 8510, subCode: 8510, message: 'no match' })).commands[1]).toMatchObject({ kind: 'RequestRouting', queueId: 'general' });
  });

  it('an invalid value is explained before the question is asked again', () => {
    const base = testFlow({ understandings: { 'where is my order': sure('orderStatus') } });
    const order = base.intents.get('orderStatus')!;
    const outcome = order.outcome as Extract<typeof order.outcome, { kind: 'selfService' }>;
    const withInvalid = { ...order, outcome: { ...outcome, slots: [{ ...outcome.slots[0]!, invalid: (l: string) => testPrompt('orderNumberInvalid', l) }] } };
    const flow = { ...base, intents: new Map([...base.intents, ['orderStatus', withInvalid]]) };
    const again = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'where is my order', confidence: 0.9 })).when(answer({ kind: 'KeysPressed', tones: '12' }));
    expect(again.commands[0]).toMatchObject({ prompt: { text: '<orderNumberInvalid> <askOrderNumber>' } });
  });

  it('a wrong PIN is asked for again up to the limit, then the caller is handed to a person', () => {
    const flow = testFlow({ understandings: { 'what is my balance': sure('accountBalance') } });
    const wrong = { status: 'retry' as const, say: { prompt: 'pinIncorrect' }, slot: 'pin', maxAttempts: 2, lockedSay: { prompt: 'pinLocked' } };
    let d = connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'what is my balance', confidence: 0.9 })).when(answer({ kind: 'KeysPressed', tones: '1111' }));
    d = d.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: wrong }));
    expect(kinds(d.commands)).toEqual(['PlayPrompt', 'StartRecognition']);
    expect(d.commands[0]).toMatchObject({ prompt: testPrompt('pinIncorrect') });
    expect(d.commands[1]).toMatchObject({ prompt: testPrompt('askPin') });
    d = d.when(answer({ kind: 'KeysPressed', tones: '2222' }));
    expect(d.commands[0]).toMatchObject({ kind: 'RunAction', pii: { slots: { pin: '2222' } } });
    d = d.when((s) => ({ kind: 'ActionCompleted', actionId: s.actionId!, result: wrong }));
    expect(d.commands[0]).toMatchObject({ kind: 'PlayPrompt', prompt: testPrompt('pinLocked') });
    expect(d.commands[2]).toMatchObject({ kind: 'RequestRouting', context: { reason: 'pin refused 2 times', intent: 'accountBalance', pii: { slots: {} } } });
    expect(JSON.stringify(d.state)).not.toMatch(/1111|2222/);
  });
});

describe('a date slot', () => {
  const withDateSlot = ({ outOfRangePrompt = true, dateRange = 'future' as 'future' | 'past' } = {}) => {
    const base = testFlow({ understandings: { 'book a technician': sure('orderStatus') }, line: () => ({ language: 'en-US', languageMenu: false, timeZone: 'America/New_York' }) });
    const orderStatus = base.intents.get('orderStatus')!;
    const outcome = orderStatus.outcome as Extract<typeof orderStatus.outcome, { kind: 'selfService' }>;
    const visitDate = {
      ...outcome.slots[0]!, name: 'visitDate', type: 'date' as const, input: 'speech' as const, confirm: true, dateRange,
      invalid: (l: string) => testPrompt('noDateHeard', l),
      ...(outOfRangePrompt ? { outOfRange: (l: string) => testPrompt('dateHasPassed', l) } : {}),
    };
    const flow = { ...base, intents: new Map([...base.intents, ['orderStatus', { ...orderStatus, outcome: { ...outcome, slots: [visitDate] } }]]) };
    return connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'book a technician', confidence: 0.9 }));
  };

  it('reads the date back as a day of the week and hands the action an ISO date', () => {
    // now is Wednesday 25 November 2026 (05:00 in New York).
    const confirm = withDateSlot().when(answer({ kind: 'SpeechRecognized', text: 'next Friday in the morning', confidence: 0.9 }));
    expect(confirm.state.stage).toBe('confirmingSlot');
    expect(confirm.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot Friday, December 4') });
    const run = confirm.when(answer({ kind: 'ChoiceRecognized', label: 'yes', phrase: 'yes' }));
    expect(run.commands).toContainEqual(expect.objectContaining({ kind: 'RunAction', pii: { slots: { visitDate: '2026-12-04' } } }));
    // The action learns the caller's date too, to say far-off dates with their year.
    expect(run.commands).toContainEqual(expect.objectContaining({ kind: 'RunAction', today: '2026-11-25' }));
  });

  it('says the year it understood when the date is half a year or more away', () => {
    // "November 20th", said on 25 November 2026 for a future date, is next year's.
    const nextYear = withDateSlot().when(answer({ kind: 'SpeechRecognized', text: 'November 20th', confidence: 0.9 }));
    expect(nextYear.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot Saturday, November 20, 2027') });
    const birthday = withDateSlot({ dateRange: 'past' }).when(answer({ kind: 'SpeechRecognized', text: 'March 3rd 1980', confidence: 0.9 }));
    expect(birthday.commands[0]).toMatchObject({ prompt: testPrompt('confirmSlot Monday, March 3, 1980') });
  });

  it('something that is not a date, or a date already past, is asked for again, each with its own apology', () => {
    const notADate = withDateSlot().when(answer({ kind: 'SpeechRecognized', text: 'whenever suits you', confidence: 0.9 }));
    expect(notADate.state.stage).toBe('collectingSlot');
    expect(notADate.state.retries).toBe(1);
    expect(notADate.commands[0]).toMatchObject({ prompt: { text: '<noDateHeard> <askOrderNumber>' } });
    for (const text of ['yesterday', 'we could do last Monday']) {
      const past = withDateSlot().when(answer({ kind: 'SpeechRecognized', text, confidence: 0.9 }));
      expect(past.state.stage).toBe('collectingSlot');
      expect(past.state.pii.slots).toEqual({});
      expect(past.commands[0]).toMatchObject({ prompt: { text: '<dateHasPassed> <askOrderNumber>' } });
    }
  });

  it('without an out-of-range prompt, a past date gets the slot\'s invalid prompt', () => {
    const past = withDateSlot({ outOfRangePrompt: false }).when(answer({ kind: 'SpeechRecognized', text: 'yesterday', confidence: 0.9 }));
    expect(past.commands[0]).toMatchObject({ prompt: { text: '<noDateHeard> <askOrderNumber>' } });
  });
});

describe('slots before an escalation', () => {
  const moving = () => {
    const base = testFlow({ understandings: { "I'm moving": sure('billing') }, line: () => ({ language: 'en-US', languageMenu: false, timeZone: 'America/New_York' }) });
    const billing = base.intents.get('billing')!;
    const target = (billing.outcome as Extract<typeof billing.outcome, { kind: 'escalate' }>).target;
    const moveDate = { name: 'moveDate', type: 'date' as const, input: 'speech' as const, ask: (l: string) => testPrompt('askMoveDate', l), minLength: 1, maxLength: 200, mask: false, confirm: false, dateRange: 'future' as const };
    const flow = { ...base, intents: new Map([...base.intents, ['billing', { ...billing, outcome: { kind: 'escalate' as const, target, slots: [moveDate] } }]]) };
    return connected(flow).when(answer({ kind: 'SpeechRecognized', text: "I'm moving", confidence: 0.9 }));
  };

  it('asks them, then queues the caller with the answers on the agent\'s screen', () => {
    const asked = moving();
    expect(asked.commands[0]).toMatchObject({ prompt: testPrompt('askMoveDate') });
    const queued = asked.when(answer({ kind: 'SpeechRecognized', text: 'December 10th', confidence: 0.9 }));
    expect(queued.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'billing', context: expect.objectContaining({ pii: expect.objectContaining({ slots: { moveDate: '2026-12-10' } }) }) }));
  });

  it('a caller who cannot give one still reaches the queue they were headed for', () => {
    let d = moving();
    for (let i = 0; i < 3; i++) d = d.when(answer({ kind: 'SpeechRecognized', text: 'no idea', confidence: 0.9 }));
    expect(d.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'billing' }));
  });
});

describe('a free-text slot before an escalation', () => {
  const complaining = (maxLength = 60) => {
    const base = testFlow({ understandings: { 'I want to complain': sure('billing') }, line: () => ({ language: 'en-US', languageMenu: false }) });
    const billing = base.intents.get('billing')!;
    const target = (billing.outcome as Extract<typeof billing.outcome, { kind: 'escalate' }>).target;
    const summary = { name: 'summary', type: 'freeText' as const, input: 'speech' as const, ask: (l: string) => testPrompt('askSummary', l), minLength: 3, maxLength, mask: false, confirm: false };
    const flow = { ...base, intents: new Map([...base.intents, ['billing', { ...billing, outcome: { kind: 'escalate' as const, target, slots: [summary] } }]]) };
    return connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'I want to complain', confidence: 0.9 }));
  };

  it('listens for speech, with the keypad only for 0, and shows the words on the agent\'s screen', () => {
    const asked = complaining();
    expect(asked.commands[0]).toMatchObject({ prompt: testPrompt('askSummary'), mode: { kind: 'speechOrDtmf', maxTonesToCollect: 1 } });
    const queued = asked.when(answer({ kind: 'SpeechRecognized', text: 'the engineer never came', confidence: 0.8 }));
    expect(queued.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', context: expect.objectContaining({ pii: expect.objectContaining({ slots: { summary: 'the engineer never came' } }) }) }));
    const toPerson = complaining().when(answer({ kind: 'KeysPressed', tones: '0' }));
    expect(toPerson.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'billing' }));
  });

  it('keeps the start of an answer too long to fit instead of asking the caller to say it all again', () => {
    const long = 'the engineer was booked for Monday morning and never came and nobody called me to say so';
    const queued = complaining(40).when(answer({ kind: 'SpeechRecognized', text: long, confidence: 0.8 }));
    const routing = queued.commands.find((c) => c.kind === 'RequestRouting') as Extract<CallCommand, { kind: 'RequestRouting' }> | undefined;
    expect(routing?.context.pii.slots.summary).toBe('the engineer was booked for Monday…');
    expect(routing!.context.pii.slots.summary!.length).toBeLessThanOrEqual(40);
  });

  it('asks again when there is next to nothing to keep', () => {
    const again = complaining().when(answer({ kind: 'SpeechRecognized', text: 'uh', confidence: 0.4 }));
    expect(kinds(again.commands)).not.toContain('RequestRouting');
    expect(again.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: expect.objectContaining({ text: expect.stringContaining('<askSummary>') }) });
  });
});

describe('a yes/no slot before an escalation', () => {
  const triage = (language = 'en-US') => {
    const base = testFlow({
      understandings: { 'my internet is down': sure('techSupport') },
      languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }, { code: 'es-ES', spokenName: 'Español', dtmfKey: '2' }],
      line: () => ({ language, languageMenu: false }),
    });
    const support = base.intents.get('techSupport')!;
    const target = (support.outcome as Extract<typeof support.outcome, { kind: 'escalate' }>).target;
    const restarted = { name: 'restarted', type: 'yesNo' as const, input: 'speechOrDtmf' as const, ask: (l: string) => testPrompt('askRestarted', l), minLength: 1, maxLength: 10, mask: false, confirm: false };
    const flow = { ...base, intents: new Map([...base.intents, ['techSupport', { ...support, outcome: { kind: 'escalate' as const, target, slots: [restarted] } }]]) };
    return connected(flow).when(answer({ kind: 'SpeechRecognized', text: 'my internet is down', confidence: 0.9 }));
  };

  it('is asked as yes (1), no (2) or a person (0), and the choice shows on the agent\'s screen in any language', () => {
    const asked = triage();
    expect(asked.commands[0]).toMatchObject({ mode: { kind: 'choices', choices: [{ label: 'yes', tone: '1' }, { label: 'no', tone: '2' }, { label: 'person', tone: '0' }, { label: 'repeat', tone: '*' }] } });
    for (const [language, label] of [['en-US', 'no'], ['es-ES', 'yes']] as const) {
      const queued = triage(language).when(answer({ kind: 'ChoiceRecognized', label, phrase: undefined }));
      expect(queued.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'support', context: expect.objectContaining({ pii: expect.objectContaining({ slots: { restarted: label } }) }) }));
    }
  });

  it('apologises before asking again, as at the open question', () => {
    const unheard = triage().when(answer({ kind: 'RecognitionTimedOut' }));
    expect(unheard.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: '<noInput> <askRestarted>' } });
    const unmatched = triage().when(answer({ kind: 'RecognitionFailed', code: 400, subCode: 8547, message: 'no match' }));
    expect(unmatched.commands[0]).toMatchObject({ kind: 'StartRecognition', prompt: { text: '<noMatch> <askRestarted>' } });
  });

  it('hands a caller who presses 0 at a yes/no question to the queue their intent was headed for', () => {
    const toPerson = triage().when(answer({ kind: 'ChoiceRecognized', label: 'person', phrase: undefined }));
    expect(toPerson.commands).toContainEqual(expect.objectContaining({ kind: 'RequestRouting', queueId: 'support', context: expect.objectContaining({ intent: 'techSupport', pii: expect.objectContaining({ slots: {} }) }) }));
  });
});
