import { DtmfTone, type CallMediaRecognizeChoiceOptions } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Conversation } from '../../local/acs/simulated-caller.js';
import { acsNumber, AcsEmulatorHarness, callerNumber } from './acs-emulator-harness.js';

const caller = { phoneNumber: callerNumber };
const menu: CallMediaRecognizeChoiceOptions = {
  kind: 'callMediaRecognizeChoiceOptions',
  choices: [
    { label: 'billing', phrases: ['billing', 'pay a bill'], tone: DtmfTone.One },
    { label: 'support', phrases: ['support'], tone: DtmfTone.Two },
  ],
  playPrompt: { kind: 'textSource', text: 'Say billing or support, or press 1 or 2.' },
  interruptPrompt: true,
  initialSilenceTimeoutInSeconds: 5,
};

describe('simulated PSTN callers', () => {
  let h: AcsEmulatorHarness;

  beforeAll(async () => {
    h = await AcsEmulatorHarness.start();
  });

  afterAll(async () => {
    await h.close();
  });

  it('follows a script through answer, play, recognize and hang-up, and logs what it heard and did', async () => {
    const { simulatedCallId, callConnectionId, connection } = await h.connectCall({
      script: [{ say: 'Pay a bill' }, { press: '4321#' }, { hangUp: true }],
    });
    const media = connection.getCallMedia();
    await media.playToAll([{ kind: 'textSource', text: 'Welcome to Contoso.' }], { operationContext: 'greeting' });
    await media.startRecognizing(caller, { ...menu, operationContext: 'menu' });
    await media.startRecognizing(caller, {
      kind: 'callMediaRecognizeDtmfOptions',
      maxTonesToCollect: 6,
      stopDtmfTones: [DtmfTone.Pound],
      playPrompt: { kind: 'ssmlSource', ssmlText: '<speak>Enter your account number, then pound.</speak>' },
      operationContext: 'account',
    });
    await media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions', operationContext: 'anything-else' });

    const ended = await h.emulator.waitForCallEnd(simulatedCallId);
    await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    const events = h.callbacksOf(callConnectionId).map((c) => `${c.type}:${c.data.operationContext ?? ''}`);
    expect(events).toEqual([
      'CallConnected:answer',
      'ParticipantsUpdated:',
      'PlayStarted:greeting',
      'PlayCompleted:greeting',
      'RecognizeCompleted:menu',
      'RecognizeCompleted:account',
      'CallDisconnected:answer',
    ]);
    const account = h.callbacksOf(callConnectionId).find((c) => c.data.operationContext === 'account');
    expect(account?.data).toMatchObject({ dtmfResult: { tones: ['four', 'three', 'two', 'one'] }, resultInformation: { subCode: 8514 } });

    expect(ended).toMatchObject({ state: 'ended', endReason: 'callerHungUp', callConnectionId, direction: 'inbound', phoneNumber: callerNumber, otherNumber: acsNumber });
    expect(ended.entries.filter((e) => e.kind !== 'callEvent').map(describeEntry)).toEqual([
      'heard play: Welcome to Contoso.',
      'heard recognizePrompt: Say billing or support, or press 1 or 2.',
      'said: Pay a bill',
      'heard recognizePrompt: <speak>Enter your account number, then pound.</speak>',
      'pressed: 4321#',
      'hungUp',
    ]);
  });

  it('stays silent for a silence step: RecognizeFailed 8510 without waiting the real timeout', async () => {
    const { callConnectionId, connection } = await h.connectCall({ script: [{ silence: true }] });
    await connection.getCallMedia().startRecognizing(caller, { ...menu, operationContext: 'menu' });
    const failed = await h.waitForCallback('RecognizeFailed', (c) => c.data.callConnectionId === callConnectionId);
    expect(failed.data).toMatchObject({ operationContext: 'menu', resultInformation: { code: 400, subCode: 8510 } });
    await connection.hangUp(true);
  });

  it.each([
    ['a phrase that is no choice', { say: 'the weather' }, 'RecognizeFailed', { resultInformation: { subCode: 8547 } }],
    ['a tone that is no choice', { press: '9' }, 'RecognizeFailed', { resultInformation: { subCode: 8534 } }],
    ['a choice by tone', { press: '2' }, 'RecognizeCompleted', { recognitionType: 'choices', choiceResult: { label: 'support' }, resultInformation: { subCode: 8533 } }],
    ['a choice by phrase, in any case', { say: 'SUPPORT!' }, 'RecognizeCompleted', { choiceResult: { label: 'support', recognizedPhrase: 'SUPPORT!' }, resultInformation: { subCode: 8545 } }],
  ] as const)('matches choices: %s', async (_name, step, type, expected) => {
    const { callConnectionId, connection } = await h.connectCall({ script: [step] });
    await connection.getCallMedia().startRecognizing(caller, { ...menu, operationContext: 'menu' });
    const result = await h.waitForCallback(type, (c) => c.data.callConnectionId === callConnectionId);
    expect(result.data).toMatchObject(expected);
    await connection.hangUp(true);
  });

  it('returns the tones collected when the caller stops short of the maximum (inter-digit timeout, 8532)', async () => {
    const { callConnectionId, connection } = await h.connectCall({ script: [{ press: '12' }] });
    await connection.getCallMedia().startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 5 });
    const result = await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === callConnectionId);
    expect(result.data).toMatchObject({ dtmfResult: { tones: ['one', 'two'] }, resultInformation: { code: 400, subCode: 8532 } });
    await connection.hangUp(true);
  });

  it('treats speech as silence when only DTMF is recognized', async () => {
    const { callConnectionId, connection } = await h.connectCall({ script: [{ say: 'one two three' }] });
    await connection.getCallMedia().startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 3 });
    const result = await h.waitForCallback('RecognizeFailed', (c) => c.data.callConnectionId === callConnectionId);
    expect(result.data['resultInformation']).toMatchObject({ subCode: 8510 });
    await connection.hangUp(true);
  });

  it('hangs up while on hold once it hears the prompt it waits for', async () => {
    const { simulatedCallId, callConnectionId, connection } = await h.connectCall({
      script: [{ waitForPrompt: 'all our agents are busy' }, { hangUp: true }],
    });
    const media = connection.getCallMedia();
    await media.playToAll([{ kind: 'textSource', text: 'Thanks for calling.' }]);
    await media.playToAll([{ kind: 'textSource', text: 'All our agents are busy, please hold.' }], { operationContext: 'queue' });
    const ended = await h.emulator.waitForCallEnd(simulatedCallId);
    expect(ended.endReason).toBe('callerHungUp');
    const disconnected = await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    expect(disconnected.data['resultInformation']).toMatchObject({ subCode: 5001 });
  });

  it('hangs up at the next recognize once its script is used up', async () => {
    const { simulatedCallId, connection } = await h.connectCall({ script: [] });
    await connection.getCallMedia().startRecognizing(caller, menu);
    expect((await h.emulator.waitForCallEnd(simulatedCallId)).endReason).toBe('callerHungUp');
  });

  it('answers live: a recognize waits for say / press, and keys outside a recognize are only logged', async () => {
    const { simulatedCallId, callConnectionId, connection } = await h.connectCall({ whenScriptEnds: 'wait' });
    h.emulator.press(simulatedCallId, '5');
    const media = connection.getCallMedia();
    await media.startRecognizing(caller, { ...menu, operationContext: 'live-1' });
    expect((await h.emulator.waitForCallerTurn(simulatedCallId)).awaitingInput).toBe(true);
    h.emulator.say(simulatedCallId, 'billing', { confidence: 0.8 });
    const first = await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === callConnectionId);
    expect(first.data).toMatchObject({ operationContext: 'live-1', choiceResult: { label: 'billing', confidence: 0.8 } });

    await media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 2, operationContext: 'live-2' });
    await h.emulator.waitForConversation(simulatedCallId, (c) => c.awaitingInput);
    h.emulator.press(simulatedCallId, '77');
    const second = await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data.operationContext === 'live-2');
    expect(second.data['dtmfResult']).toEqual({ tones: ['seven', 'seven'] });
    expect(h.emulator.getConversation(simulatedCallId)?.entries.filter((e) => e.kind === 'pressed')).toHaveLength(2);
    await connection.hangUp(true);
  });

  it('refuses live actions on a call that has ended', async () => {
    const { simulatedCallId, connection } = await h.connectCall();
    await connection.hangUp(true);
    await h.emulator.waitForCallEnd(simulatedCallId);
    expect(() => h.emulator.say(simulatedCallId, 'hello?')).toThrow(/has ended/);
  });

  it('barges in on an interruptible prompt instead of waiting for it to end (scripted and live)', async () => {
    const slowSpeech = await AcsEmulatorHarness.start({ timing: { playDurationPerCharacterInMs: 60_000 } });
    try {
      const scripted = await slowSpeech.connectCall({ script: [{ say: 'support', bargeIn: true }] });
      await scripted.connection.getCallMedia().startRecognizing(caller, { ...menu, operationContext: 'barge-in' });
      const early = await slowSpeech.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === scripted.callConnectionId);
      expect(early.data['choiceResult']).toMatchObject({ label: 'support' });
      await scripted.connection.hangUp(true);

      const live = await slowSpeech.connectCall({ whenScriptEnds: 'wait' });
      await live.connection.getCallMedia().startRecognizing(caller, { ...menu, operationContext: 'live-barge-in' });
      await slowSpeech.emulator.waitForCallerTurn(live.simulatedCallId);
      slowSpeech.emulator.press(live.simulatedCallId, '1');
      const pressed = await slowSpeech.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === live.callConnectionId);
      expect(pressed.data['choiceResult']).toMatchObject({ label: 'billing' });
      await live.connection.hangUp(true);
    } finally {
      await slowSpeech.close();
    }
  });

  it('rings out when nobody answers the incoming call in time', async () => {
    const quick = await AcsEmulatorHarness.start({ timing: { incomingCallTimeoutInMs: 1 }, validateWebhook: false });
    try {
      const placed = await quick.emulator.placeCall({ from: callerNumber, to: acsNumber });
      expect((await quick.emulator.waitForCallEnd(placed.simulatedCallId)).endReason).toBe('notAnswered');
    } finally {
      await quick.close();
    }
  });

  describe('over the simulator HTTP API', () => {
    const post = (path: string, body?: unknown) =>
      fetch(`${h.emulator.simulatorUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    it('places a scripted call, long-polls until it ends, and reads the conversation', async () => {
      const placed = await post('/calls', { from: '+14255550199', to: acsNumber, script: [{ say: 'billing' }] });
      expect(placed.status).toBe(201);
      const { simulatedCallId } = (await placed.json()) as { simulatedCallId: string };
      const conversation = h.emulator.getConversation(simulatedCallId)!;
      const incoming = await h.waitFor(() =>
        h.eventGridPosts.flatMap((p) => p.events).find((e) => (e['data'] as { serverCallId?: string }).serverCallId === conversation.serverCallId),
      );
      const answered = await h.client.answerCall((incoming['data'] as { incomingCallContext: string }).incomingCallContext, h.callbackUrl);
      const ending = fetch(`${h.emulator.simulatorUrl}/calls/${simulatedCallId}?waitForEnd=true&timeoutInMs=10000`);
      await answered.callConnection.getCallMedia().startRecognizing({ phoneNumber: '+14255550199' }, menu);
      await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === answered.callConnectionProperties.callConnectionId);
      await answered.callConnection.hangUp(true);
      const ended = (await (await ending).json()) as Conversation;
      expect(ended).toMatchObject({ state: 'ended', endReason: 'appHungUp' });
      expect(ended.entries).toContainEqual(expect.objectContaining({ kind: 'said', text: 'billing' }));
      const list = (await (await fetch(`${h.emulator.simulatorUrl}/calls`)).json()) as { value: Conversation[] };
      expect(list.value.map((c) => c.simulatedCallId)).toContain(simulatedCallId);
    });

    it('says, presses and hangs up live by id', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall({ whenScriptEnds: 'wait' });
      await connection.getCallMedia().startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions' });
      const turn = (await (await fetch(`${h.emulator.simulatorUrl}/calls/${simulatedCallId}?waitForTurn=true`)).json()) as Conversation;
      expect(turn.awaitingInput).toBe(true);
      expect((await post(`/calls/${simulatedCallId}/say`, { text: 'agent please' })).status).toBe(200);
      await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === callConnectionId);
      expect((await post(`/calls/${simulatedCallId}/press`, { keys: '1' })).status).toBe(200);
      const hungUp = (await (await post(`/calls/${simulatedCallId}/hang-up`)).json()) as Conversation;
      expect(hungUp).toMatchObject({ state: 'ended', endReason: 'callerHungUp' });
      await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    });

    it('answers 400 for a bad body, 404 for an unknown call and 409 for an ended one', async () => {
      expect((await post('/calls', { from: 'not a number', to: acsNumber })).status).toBe(400);
      expect((await post('/calls', { from: callerNumber, to: acsNumber, script: [{ dance: true }] })).status).toBe(400);
      expect((await post('/calls/unknown/say', { text: 'hi' })).status).toBe(404);
      const { simulatedCallId, connection } = await h.connectCall();
      await connection.hangUp(true);
      await h.emulator.waitForCallEnd(simulatedCallId);
      const refused = await post(`/calls/${simulatedCallId}/press`, { keys: '1' });
      expect(refused.status).toBe(409);
      expect(await refused.json()).toEqual({ error: { code: '409', message: expect.stringContaining('has ended') } });
      expect((await fetch(`${h.emulator.simulatorUrl}/nowhere`)).status).toBe(404);
    });
  });
});

function describeEntry(entry: Conversation['entries'][number]): string {
  switch (entry.kind) {
    case 'heard':
      return `heard ${entry.via}: ${entry.text ?? entry.ssml ?? entry.fileUrl}`;
    case 'said':
      return `said: ${entry.text}`;
    case 'pressed':
      return `pressed: ${entry.keys}`;
    case 'silent':
      return 'silent';
    case 'hungUp':
      return 'hungUp';
    case 'callEvent':
      return `callEvent: ${entry.description}`;
  }
}
