import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DtmfTone } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeWav, renderHoldTone } from '../../bot/media/hold-tone.js';
import { acsNumber, AcsEmulatorHarness, callerNumber, createClient, restError } from './acs-emulator-harness.js';

const agentId = '0f5c1c3e-8a1b-4a36-9a43-2f0d1e7a9b10';
const caller = { phoneNumber: callerNumber };

describe('Call Automation emulator REST API, through the real SDK', () => {
  let h: AcsEmulatorHarness;

  beforeAll(async () => {
    h = await AcsEmulatorHarness.start({
      teamsUsers: [{ userId: agentId, displayName: 'Ada Agent', ringBehaviour: { kind: 'accept', afterMs: 0 } }],
    });
  });

  afterAll(async () => {
    await h.close();
  });

  describe('authentication', () => {
    it('refuses a request signed with another key with 401 and an ACS error body', async () => {
      const other = createClient(`endpoint=${h.emulator.endpoint};accesskey=${Buffer.from('not the key').toString('base64')}`);
      const error = await restError(() => other.getCallConnection('any').getCallConnectionProperties());
      expect(error).toMatchObject({ statusCode: 401, code: '7509' });
    });

    it('refuses a request whose body does not match the signed content hash', async () => {
      const url = new URL('calling/callConnections:reject?api-version=2025-05-15', h.emulator.endpoint);
      const signedBody = JSON.stringify({ incomingCallContext: 'a' });
      const date = new Date().toUTCString();
      const hash = createHash('sha256').update(signedBody).digest('base64');
      const signature = createHmac('sha256', Buffer.from(h.emulator.accessKey, 'base64'))
        .update(`POST\n${url.pathname}${url.search}\n${date};${url.host};${hash}`)
        .digest('base64');
      const headers = {
        'content-type': 'application/json',
        'x-ms-date': date,
        'x-ms-content-sha256': hash,
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
      };
      const tampered = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ incomingCallContext: 'b' }) });
      expect(tampered.status).toBe(401);
      expect(await tampered.json()).toEqual({ error: { code: '7509', message: 'HMAC-SHA256 validation failed' } });
      const genuine = await fetch(url, { method: 'POST', headers, body: signedBody });
      expect(genuine.status).toBe(400);
    });

    it('refuses an unsigned request', async () => {
      const response = await fetch(new URL('calling/callConnections/x?api-version=2025-05-15', h.emulator.endpoint));
      expect(response.status).toBe(401);
    });
  });

  describe('answer, reject, redirect', () => {
    it('answers an incoming call: 200 with the call connection, then CallConnected and ParticipantsUpdated', async () => {
      const { callConnectionId, connection } = await h.connectCall({ operationContext: 'answer-ctx' });
      const connected = await h.waitForCallback('CallConnected', (c) => c.data.callConnectionId === callConnectionId);
      expect(connected.data.operationContext).toBe('answer-ctx');
      const updated = await h.waitForCallback('ParticipantsUpdated', (c) => c.data.callConnectionId === callConnectionId);
      expect(updated.data['participants']).toEqual([
        { identifier: { rawId: `4:${callerNumber}`, kind: 'phoneNumber', phoneNumber: { value: callerNumber } }, isMuted: false, isOnHold: false },
      ]);
      const properties = await connection.getCallConnectionProperties();
      expect(properties).toMatchObject({
        callConnectionId,
        callConnectionState: 'connected',
        callbackUri: h.callbackUrl,
        source: { phoneNumber: callerNumber },
        answeredFor: { phoneNumber: acsNumber },
      });
    });

    it('refuses a body that is not JSON with 400 and an ACS error body', async () => {
      const url = new URL('calling/callConnections:answer?api-version=2025-05-15', h.emulator.endpoint);
      const body = '{"incomingCallContext": ';
      const response = await fetch(url, { method: 'POST', headers: signedHeaders(h.emulator.accessKey, 'POST', url, body, 'bad-json'), body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: '8523', message: 'The request body is not valid JSON.' } });
    });

    it('refuses to answer an unknown incoming call context with 400', async () => {
      const error = await restError(() => h.client.answerCall('not-a-context', h.callbackUrl));
      expect(error).toMatchObject({ statusCode: 400, code: '8523' });
    });

    it('refuses a body without the required callback URI with 400', async () => {
      const error = await restError(() => h.client.answerCall('ctx', 'not a url'));
      expect(error).toMatchObject({ statusCode: 400, code: '8523' });
      expect(error.message).toContain('callbackUri');
    });

    it('rejects an incoming call: 204, the caller hears the call end, and it cannot be answered any more', async () => {
      const placed = await h.emulator.placeCall({ from: '+14255550111', to: acsNumber });
      const context = incomingContextOf(h, placed.simulatedCallId);
      await h.client.rejectCall(context, { callRejectReason: 'busy' });
      expect(h.emulator.getConversation(placed.simulatedCallId)).toMatchObject({ state: 'ended', endReason: 'rejected' });
      expect(await restError(() => h.client.answerCall(context, h.callbackUrl))).toMatchObject({ statusCode: 400 });
    });

    it('redirects an incoming call to a Teams user who takes it', async () => {
      const placed = await h.emulator.placeCall({ from: '+14255550112', to: acsNumber });
      await h.client.redirectCall(incomingContextOf(h, placed.simulatedCallId), { targetParticipant: { microsoftTeamsUserId: agentId } });
      const conversation = await h.emulator.waitForConversation(placed.simulatedCallId, (c) => c.state !== 'ringing');
      expect(conversation.state).toBe('connected');
      expect(h.teams.presenceOf(agentId)).toMatchObject({ availability: 'Busy', activity: 'InACall' });
      expect(h.emulator.teamsUserHangUp(agentId)).toBe(1);
      expect(h.emulator.getConversation(placed.simulatedCallId)).toMatchObject({ state: 'ended', endReason: 'otherPartyHungUp' });
      expect(h.teams.presenceOf(agentId)?.availability).toBe('Available');
    });
  });

  describe('create call', () => {
    it('calls a phone number: 201 connecting, then CallConnected once the callee answers', async () => {
      h.emulator.registerPhone('+14255550177', { script: [{ say: 'yes' }] });
      const created = await h.client.createCall(
        { targetParticipant: { phoneNumber: '+14255550177' }, sourceCallIdNumber: { phoneNumber: acsNumber } },
        h.callbackUrl,
        { operationContext: 'outbound' },
      );
      const id = created.callConnectionProperties.callConnectionId!;
      expect(created.callConnectionProperties.callConnectionState).toBe('connecting');
      const connected = await h.waitForCallback('CallConnected', (c) => c.data.callConnectionId === id);
      expect(connected.data.operationContext).toBe('outbound');
      const callee = h.emulator.listConversations().find((c) => c.callConnectionId === id);
      expect(callee).toMatchObject({ direction: 'outbound', phoneNumber: '+14255550177', state: 'connected' });
      await created.callConnection.hangUp(true);
    });

    it('calls a Teams user', async () => {
      const created = await h.client.createCall({ targetParticipant: { microsoftTeamsUserId: agentId } }, h.callbackUrl);
      const id = created.callConnectionProperties.callConnectionId!;
      await h.waitForCallback('CallConnected', (c) => c.data.callConnectionId === id);
      const participants = await created.callConnection.listParticipants();
      expect(participants.values?.map((p) => p.identifier)).toEqual([
        expect.objectContaining({ microsoftTeamsUserId: agentId }),
      ]);
      await created.callConnection.hangUp(true);
      expect(h.teams.presenceOf(agentId)?.availability).toBe('Available');
    });

    it('refuses to call a phone number without a source caller id (400)', async () => {
      const error = await restError(() => h.client.createCall({ targetParticipant: { phoneNumber: '+14255550178' } }, h.callbackUrl));
      expect(error).toMatchObject({ statusCode: 400, code: '8523' });
    });
  });

  describe('get call and hang up', () => {
    it('answers 404 with an ACS error for an unknown call, on every kind of operation', async () => {
      const unknown = h.client.getCallConnection('00000000-0000-0000-0000-000000000000');
      for (const call of [
        () => unknown.getCallConnectionProperties(),
        () => unknown.hangUp(false),
        () => unknown.hangUp(true),
        () => unknown.listParticipants(),
        () => unknown.addParticipant({ targetParticipant: { microsoftTeamsUserId: agentId } }),
        () => unknown.getCallMedia().playToAll([{ kind: 'textSource', text: 'hi' }]),
        () => unknown.getCallMedia().cancelAllOperations(),
      ]) {
        expect(await restError(call)).toMatchObject({ statusCode: 404, code: '8522' });
      }
    });

    it('hangs up with DELETE: 204, CallDisconnected 7000, the caller is told, and the call is gone', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall({ operationContext: 'keep' });
      await connection.hangUp(false);
      const disconnected = await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
      expect(disconnected.data['resultInformation']).toMatchObject({ code: 200, subCode: 7000 });
      expect(disconnected.data.operationContext).toBe('keep');
      expect(h.emulator.getConversation(simulatedCallId)).toMatchObject({ state: 'ended', endReason: 'appHungUp' });
      expect(await restError(() => connection.getCallConnectionProperties())).toMatchObject({ statusCode: 404 });
    });

    it('terminates for everyone with :terminate', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
      await connection.hangUp(true);
      await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
      expect(h.emulator.getConversation(simulatedCallId)?.state).toBe('ended');
    });
  });

  describe('media', () => {
    it('plays text, SSML and a file to everyone: PlayStarted then PlayCompleted, and the caller hears all three', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
      await connection.getCallMedia().playToAll(
        [
          { kind: 'textSource', text: 'Hello', voiceName: 'en-US-JennyNeural' },
          { kind: 'ssmlSource', ssmlText: '<speak>Welcome</speak>' },
          { kind: 'fileSource', url: 'https://example.test/hold.wav' },
        ],
        { operationContext: 'greeting' },
      );
      const started = await h.waitForCallback('PlayStarted', (c) => c.data.callConnectionId === callConnectionId);
      const completed = await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId);
      expect([started.data.operationContext, completed.data.operationContext]).toEqual(['greeting', 'greeting']);
      const heard = h.emulator.getConversation(simulatedCallId)?.entries.filter((e) => e.kind === 'heard');
      expect(heard).toEqual([
        expect.objectContaining({ text: 'Hello' }),
        expect.objectContaining({ ssml: '<speak>Welcome</speak>' }),
        expect.objectContaining({ fileUrl: 'https://example.test/hold.wav' }),
      ]);
      await connection.hangUp(true);
    });

    it('plays to one participant only', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
      await connection.getCallMedia().play([{ kind: 'textSource', text: 'Just for you' }], [caller], { operationContext: 'one' });
      await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId);
      expect(h.emulator.getConversation(simulatedCallId)?.entries).toContainEqual(expect.objectContaining({ kind: 'heard', text: 'Just for you' }));
      const error = await restError(() => connection.getCallMedia().play([{ kind: 'textSource', text: 'x' }], [{ phoneNumber: '+19995550000' }]));
      expect(error).toMatchObject({ statusCode: 400 });
      await connection.hangUp(true);
    });

    it('fails a play of a non-WAV file with PlayFailed 8535 and the failing source index', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      await connection.getCallMedia().playToAll(
        [{ kind: 'textSource', text: 'ok' }, { kind: 'fileSource', url: 'https://example.test/music.mp3' }],
        { operationContext: 'bad-file' },
      );
      const failed = await h.waitForCallback('PlayFailed', (c) => c.data.callConnectionId === callConnectionId);
      expect(failed.data).toMatchObject({ failedPlaySourceIndex: 1, resultInformation: { code: 400, subCode: 8535 }, operationContext: 'bad-file' });
      expect(h.callbacksOf(callConnectionId).map((c) => c.type)).not.toContain('PlayStarted');
      await connection.hangUp(true);
    });

    it('downloads a file on this machine and plays it only when it is mono 16-bit PCM at 16 kHz (8535 otherwise, 8536 when it cannot be downloaded)', async () => {
      const files = new Map([
        ['/tone.wav', encodeWav(renderHoldTone(), 16_000)],
        ['/cd-quality.wav', encodeWav(new Int16Array(4410), 44_100)],
        ['/music.wav', new TextEncoder().encode('ID3 an mp3 named .wav')],
      ]);
      const server = createServer((request, response) => {
        const body = files.get(request.url ?? '');
        response.writeHead(body ? 200 : 404, { 'content-type': 'audio/wav' });
        response.end(body);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
        const outcome = async (path: string) => {
          await connection.getCallMedia().playToAll([{ kind: 'fileSource', url: `${base}${path}` }], { operationContext: path });
          const event = await h.waitFor(() =>
            h.callbacksOf(callConnectionId).find((c) => ['PlayCompleted', 'PlayFailed'].includes(c.type) && c.data['operationContext'] === path),
          );
          return `${event.type} ${(event.data['resultInformation'] as { subCode: number }).subCode}`;
        };
        expect(await outcome('/tone.wav')).toBe('PlayCompleted 0');
        expect(h.emulator.getConversation(simulatedCallId)?.entries).toContainEqual(expect.objectContaining({ fileUrl: `${base}/tone.wav` }));
        expect(await outcome('/cd-quality.wav')).toBe('PlayFailed 8535');
        expect(await outcome('/music.wav')).toBe('PlayFailed 8535');
        expect(await outcome('/missing.wav')).toBe('PlayFailed 8536');
        await connection.hangUp(true);
      } finally {
        server.close();
      }
    });

    it('answers a play at once and fetches its file as the play starts; a cancel during the download wins', async () => {
      const released: (() => void)[] = [];
      let arrived: () => void = () => undefined;
      const nextDownload = () => new Promise<void>((resolve) => (arrived = resolve));
      // A file server that answers only when the test says so.
      const server = createServer((_request, response) => {
        arrived();
        released.push(() => {
          response.writeHead(200, { 'content-type': 'audio/wav' });
          response.end(encodeWav(renderHoldTone(), 16_000));
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const { callConnectionId, connection } = await h.connectCall();
        const media = connection.getCallMedia();
        // The request is answered while its file is still being downloaded.
        let downloading = nextDownload();
        await media.playToAll([{ kind: 'fileSource', url: `${base}/slow.wav` }], { operationContext: 'slow' });
        await downloading;
        expect(h.callbacksOf(callConnectionId).map((c) => c.type)).not.toContain('PlayStarted');
        released.shift()!();
        await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data['operationContext'] === 'slow');

        downloading = nextDownload();
        await media.playToAll([{ kind: 'fileSource', url: `${base}/slower.wav` }], { operationContext: 'dropped' });
        await downloading;
        await media.cancelAllOperations();
        await h.waitForCallback('PlayCanceled', (c) => c.data.callConnectionId === callConnectionId && c.data['operationContext'] === 'dropped');
        released.shift()!();
        await media.playToAll([{ kind: 'textSource', text: 'after' }], { operationContext: 'after' });
        await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data['operationContext'] === 'after');
        expect(h.callbacksOf(callConnectionId).filter((c) => c.data['operationContext'] === 'dropped').map((c) => c.type)).toEqual(['PlayCanceled']);
        await connection.hangUp(true);
      } finally {
        for (const release of released) release();
        server.close();
      }
    });

    it('loops a play until cancelAllMediaOperations, which reports PlayCanceled 8508', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      const media = connection.getCallMedia();
      await media.playToAll([{ kind: 'fileSource', url: 'https://example.test/hold.wav' }], { loop: true, operationContext: 'music' });
      await h.waitForCallback('PlayStarted', (c) => c.data.callConnectionId === callConnectionId);
      await media.cancelAllOperations();
      const canceled = await h.waitForCallback('PlayCanceled', (c) => c.data.callConnectionId === callConnectionId);
      expect(canceled.data).toMatchObject({ operationContext: 'music', resultInformation: { code: 400, subCode: 8508 } });
      expect(h.callbacksOf(callConnectionId).map((c) => c.type)).not.toContain('PlayCompleted');
      await connection.hangUp(true);
    });

    it('queues a second play behind the first unless it interrupts', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      const media = connection.getCallMedia();
      await media.playToAll([{ kind: 'textSource', text: 'one' }], { operationContext: 'first' });
      await media.playToAll([{ kind: 'textSource', text: 'two' }], { operationContext: 'second' });
      await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data.operationContext === 'second');
      const order = h.callbacksOf(callConnectionId).filter((c) => c.type.startsWith('Play')).map((c) => `${c.type}:${c.data.operationContext}`);
      expect(order).toEqual(['PlayStarted:first', 'PlayCompleted:first', 'PlayStarted:second', 'PlayCompleted:second']);

      await media.playToAll([{ kind: 'fileSource', url: 'https://example.test/music.wav' }], { loop: true, operationContext: 'music' });
      await media.playToAll([{ kind: 'textSource', text: 'Now' }], { operationContext: 'urgent', interruptCallMediaOperation: true });
      await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data.operationContext === 'urgent');
      const later = h.callbacksOf(callConnectionId).filter((c) => c.type.startsWith('Play')).slice(4).map((c) => `${c.type}:${c.data.operationContext}`);
      expect(later).toEqual(['PlayStarted:music', 'PlayCanceled:music', 'PlayStarted:urgent', 'PlayCompleted:urgent']);
      await connection.hangUp(true);
    });

    it('recognizes DTMF, speech, speech-or-DTMF and choices from a scripted caller', async () => {
      const { callConnectionId, connection } = await h.connectCall({
        script: [{ press: '1234' }, { say: 'I want to pay my bill' }, { press: '9' }, { say: 'Sales' }],
      });
      const media = connection.getCallMedia();
      await media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 4, operationContext: 'dtmf' });
      await media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOptions', operationContext: 'speech' });
      await media.startRecognizing(caller, { kind: 'callMediaRecognizeSpeechOrDtmfOptions', maxTonesToCollect: 1, operationContext: 'either' });
      await media.startRecognizing(caller, {
        kind: 'callMediaRecognizeChoiceOptions',
        choices: [
          { label: 'sales', phrases: ['sales', 'buy'], tone: DtmfTone.One },
          { label: 'support', phrases: ['support', 'help'], tone: DtmfTone.Two },
        ],
        operationContext: 'menu',
      });
      await h.waitForCallback('RecognizeCompleted', (c) => c.data.callConnectionId === callConnectionId && c.data.operationContext === 'menu');
      const results = h.callbacksOf(callConnectionId).filter((c) => c.type === 'RecognizeCompleted').map((c) => c.data);
      expect(results).toEqual([
        expect.objectContaining({ operationContext: 'dtmf', recognitionType: 'dtmf', dtmfResult: { tones: ['one', 'two', 'three', 'four'] }, resultInformation: expect.objectContaining({ subCode: 8531 }) }),
        expect.objectContaining({ operationContext: 'speech', recognitionType: 'speech', speechResult: { speech: 'I want to pay my bill', confidence: expect.any(Number) } }),
        expect.objectContaining({ operationContext: 'either', recognitionType: 'dtmf', dtmfResult: { tones: ['nine'] } }),
        expect.objectContaining({ operationContext: 'menu', recognitionType: 'choices', choiceResult: expect.objectContaining({ label: 'sales', recognizedPhrase: 'Sales' }) }),
      ]);
      await connection.hangUp(true);
    });

    it('refuses a recognize aimed at someone not in the call (400)', async () => {
      const { connection } = await h.connectCall();
      const error = await restError(() =>
        connection.getCallMedia().startRecognizing({ phoneNumber: '+19995550000' }, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1 }),
      );
      expect(error).toMatchObject({ statusCode: 400, code: '8523' });
      await connection.hangUp(true);
    });

    it('cancels a recognize waiting on a live caller with RecognizeCanceled 8508', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall({ whenScriptEnds: 'wait' });
      const media = connection.getCallMedia();
      await media.startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1, operationContext: 'waiting' });
      await h.emulator.waitForCallerTurn(simulatedCallId);
      await media.cancelAllOperations();
      const canceled = await h.waitForCallback('RecognizeCanceled', (c) => c.data.callConnectionId === callConnectionId);
      expect(canceled.data).toMatchObject({ operationContext: 'waiting', resultInformation: { code: 400, subCode: 8508 } });
      expect(h.emulator.getConversation(simulatedCallId)?.awaitingInput).toBe(false);
      await connection.hangUp(true);
    });

    it('holds and unholds the caller with hold music: 200, ParticipantsUpdated shows isOnHold', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
      const media = connection.getCallMedia();
      await media.hold(caller, { playSource: { kind: 'fileSource', url: 'https://example.test/hold.wav' } });
      await h.waitForCallback('ParticipantsUpdated', (c) => c.data.callConnectionId === callConnectionId && JSON.stringify(c.data['participants']).includes('"isOnHold":true'));
      expect((await connection.getParticipant(caller)).isOnHold).toBe(true);
      expect(h.emulator.getConversation(simulatedCallId)?.entries).toContainEqual(expect.objectContaining({ via: 'holdMusic', loop: true }));
      await media.unhold(caller);
      expect((await connection.getParticipant(caller)).isOnHold).toBe(false);
      await connection.hangUp(true);
    });

    it('reports HoldFailed 8535 for hold music that is not a WAV file', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      await connection.getCallMedia().hold(caller, { playSource: { kind: 'fileSource', url: 'https://example.test/hold.mp3' }, operationContext: 'hold-bad' });
      const failed = await h.waitForCallback('HoldFailed', (c) => c.data.callConnectionId === callConnectionId);
      expect(failed.data).toMatchObject({ operationContext: 'hold-bad', resultInformation: { subCode: 8535 } });
      await connection.hangUp(true);
    });

    it('starts and stops continuous DTMF: tones pressed live arrive one by one with a sequence id', async () => {
      const { simulatedCallId, callConnectionId, connection } = await h.connectCall();
      const media = connection.getCallMedia();
      await media.startContinuousDtmfRecognition(caller, { operationContext: 'dtmf-watch' });
      h.emulator.press(simulatedCallId, '5#');
      const second = await h.waitForCallback('ContinuousDtmfRecognitionToneReceived', (c) => c.data.callConnectionId === callConnectionId && c.data['sequenceId'] === 2);
      expect(second.data).toMatchObject({ tone: 'pound', operationContext: 'dtmf-watch' });
      await media.stopContinuousDtmfRecognition(caller);
      await h.waitForCallback('ContinuousDtmfRecognitionStopped', (c) => c.data.callConnectionId === callConnectionId);
      h.emulator.press(simulatedCallId, '7');
      await h.emulator.callbacksIdle();
      expect(h.callbacksOf(callConnectionId).filter((c) => c.type === 'ContinuousDtmfRecognitionToneReceived')).toHaveLength(2);
      await connection.hangUp(true);
    });
  });

  describe('participants', () => {
    it('adds a Teams user: 202 with an invitation id, then ParticipantsUpdated and AddParticipantSucceeded', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      const added = await connection.addParticipant({ targetParticipant: { microsoftTeamsUserId: agentId } }, { operationContext: 'add-agent', invitationTimeoutInSeconds: 30 });
      expect(added.invitationId).toEqual(expect.any(String));
      expect(added.participant?.identifier).toMatchObject({ microsoftTeamsUserId: agentId });
      const succeeded = await h.waitForCallback('AddParticipantSucceeded', (c) => c.data.callConnectionId === callConnectionId);
      expect(succeeded.data).toMatchObject({ operationContext: 'add-agent', participant: { rawId: `8:orgid:${agentId}` } });
      const listed = await connection.listParticipants();
      expect(listed.values?.map((p) => p.identifier)).toEqual([
        expect.objectContaining({ phoneNumber: callerNumber }),
        expect.objectContaining({ microsoftTeamsUserId: agentId }),
      ]);
      expect((await connection.getParticipant({ microsoftTeamsUserId: agentId })).isMuted).toBe(false);
      await connection.muteParticipant({ microsoftTeamsUserId: agentId });
      expect((await connection.getParticipant({ microsoftTeamsUserId: agentId })).isMuted).toBe(true);

      await connection.removeParticipant({ microsoftTeamsUserId: agentId }, { operationContext: 'remove-agent' });
      const removed = await h.waitForCallback('RemoveParticipantSucceeded', (c) => c.data.callConnectionId === callConnectionId);
      expect(removed.data.operationContext).toBe('remove-agent');
      expect(h.teams.presenceOf(agentId)?.availability).toBe('Available');
      expect(await restError(() => connection.getParticipant({ microsoftTeamsUserId: agentId }))).toMatchObject({ statusCode: 404 });
      expect(await restError(() => connection.removeParticipant({ microsoftTeamsUserId: agentId }))).toMatchObject({ statusCode: 404 });
      await connection.hangUp(true);
    });

    it('sends DTMF tones to the caller: 202 and SendDtmfTonesCompleted', async () => {
      const { callConnectionId, connection } = await h.connectCall();
      await connection.getCallMedia().sendDtmfTones(['one', 'pound'], caller, { operationContext: 'tones' });
      const completed = await h.waitForCallback('SendDtmfTonesCompleted', (c) => c.data.callConnectionId === callConnectionId);
      expect(completed.data.operationContext).toBe('tones');
      await connection.hangUp(true);
    });
  });

  describe('recording', () => {
    it('starts, reads, pauses, resumes and stops a recording, with RecordingStateChanged callbacks', async () => {
      const { callConnectionId } = await h.connectCall();
      const recording = h.client.getCallRecording();
      const started = await recording.start({ callConnectionId, recordingStateCallbackEndpointUrl: `${h.webhookBaseUrl}/recording` });
      expect(started).toMatchObject({ recordingState: 'active', recordingKind: 'azureCommunicationServices' });
      const changed = await h.waitForCallback('RecordingStateChanged', (c) => c.data['recordingId'] === started.recordingId);
      expect(changed.path).toBe('/recording');
      expect(await restError(() => recording.start({ callConnectionId }))).toMatchObject({ statusCode: 400, code: '8559' });
      await recording.pause(started.recordingId);
      expect((await recording.getState(started.recordingId)).recordingState).toBe('inactive');
      await recording.resume(started.recordingId);
      expect((await recording.getState(started.recordingId)).recordingState).toBe('active');
      await recording.stop(started.recordingId);
      expect((await recording.getState(started.recordingId)).recordingState).toBe('inactive');
      expect(await restError(() => recording.getState('unknown-recording'))).toMatchObject({ statusCode: 404 });
    });
  });

  describe('idempotent retries', () => {
    it('answers a repeated request (same Repeatability-Request-ID) with the first answer', async () => {
      const { callConnectionId } = await h.connectCall();
      const url = new URL(`calling/callConnections/${callConnectionId}/participants:add?api-version=2025-05-15`, h.emulator.endpoint);
      const body = JSON.stringify({ participantToAdd: { rawId: `8:orgid:${agentId}`, kind: 'microsoftTeamsUser', microsoftTeamsUser: { userId: agentId } } });
      const send = () => fetch(url, { method: 'POST', headers: signedHeaders(h.emulator.accessKey, 'POST', url, body, 'same-request'), body });
      const first = (await (await send()).json()) as { invitationId: string };
      const second = (await (await send()).json()) as { invitationId: string };
      expect(second.invitationId).toBe(first.invitationId);
    });
  });
});

function incomingContextOf(h: AcsEmulatorHarness, simulatedCallId: string): string {
  const serverCallId = h.emulator.getConversation(simulatedCallId)?.serverCallId;
  const event = h.eventGridPosts.flatMap((p) => p.events).find((e) => (e['data'] as { serverCallId?: string }).serverCallId === serverCallId);
  return (event?.['data'] as { incomingCallContext: string }).incomingCallContext;
}

function signedHeaders(accessKey: string, method: string, url: URL, body: string, requestId: string): Record<string, string> {
  const date = new Date().toUTCString();
  const hash = createHash('sha256').update(body).digest('base64');
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64'))
    .update(`${method}\n${url.pathname}${url.search}\n${date};${url.host};${hash}`)
    .digest('base64');
  return {
    'content-type': 'application/json',
    'x-ms-date': date,
    'x-ms-content-sha256': hash,
    'repeatability-request-id': requestId,
    'repeatability-first-sent': date,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}
