import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { CallbackDelivery } from '../../local/acs/callback-sender.js';
import { AcsEmulatorHarness, callerNumber } from './acs-emulator-harness.js';

describe('Call Automation emulator callbacks', () => {
  let h: AcsEmulatorHarness;

  beforeAll(async () => {
    h = await AcsEmulatorHarness.start();
  });

  afterAll(async () => {
    await h.close();
  });

  it('posts each event alone, as a CloudEvent array, with an RS256 JWT that verifies against the JWKS', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'Hi' }], { operationContext: 'hi' });
    await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId);
    const received = h.callbacksOf(callConnectionId);
    expect(received.map((c) => c.type)).toEqual(['CallConnected', 'ParticipantsUpdated', 'PlayStarted', 'PlayCompleted']);
    for (const callback of received) {
      expect(callback.batchSize).toBe(1);
      expect(callback.tokenValid).toBe(true);
      expect(callback.event).toMatchObject({
        id: expect.any(String),
        source: `calling/callConnections/${callConnectionId}`,
        subject: `calling/callConnections/${callConnectionId}`,
        type: `Microsoft.Communication.${callback.type}`,
        specversion: '1.0',
        datacontenttype: 'application/json',
        time: expect.any(String),
      });
      expect(callback.data).toMatchObject({ callConnectionId, publicEventType: `Microsoft.Communication.${callback.type}` });
    }
    await connection.hangUp(true);
  });

  it('signs short-lived tokens for the configured issuer and audience, and a verifier expecting another audience refuses them', async () => {
    const token = await captureToken(h);
    const { kid, alg } = decodeProtectedHeader(token);
    const jwks = (await (await fetch(h.emulator.jwksUrl)).json()) as { keys: { kid: string; kty: string }[] };
    expect(alg).toBe('RS256');
    expect(jwks.keys).toEqual([expect.objectContaining({ kid, kty: 'RSA' })]);
    const keys = createRemoteJWKSet(new URL(h.emulator.jwksUrl));
    const { payload } = await jwtVerify(token, keys, { issuer: 'https://acscallautomation.communication.azure.com', audience: 'test-acs-resource' });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
    await expect(jwtVerify(token, keys, { audience: 'another-resource' })).rejects.toThrow();
  });

  it('sends an operation\'s events to its operationCallbackUri and echoes its operationContext; the rest go to the call\'s callback URI', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.getCallMedia().play([{ kind: 'textSource', text: 'routed' }], [{ phoneNumber: callerNumber }], {
      operationContext: 'routed-play',
      operationCallbackUrl: `${h.webhookBaseUrl}/operation`,
    });
    const completed = await h.waitForCallback('PlayCompleted', (c) => c.data.callConnectionId === callConnectionId);
    expect(completed).toMatchObject({ path: '/operation', data: { operationContext: 'routed-play' } });
    await connection.hangUp(true);
    const disconnected = await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    expect(disconnected.path).toBe('/callbacks');
  });

  it('sends nothing after CallDisconnected, even for media operations that were under way', async () => {
    const { simulatedCallId, callConnectionId, connection } = await h.connectCall({ whenScriptEnds: 'wait' });
    await connection.getCallMedia().startRecognizing({ phoneNumber: callerNumber }, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1 });
    await h.emulator.waitForCallerTurn(simulatedCallId);
    h.emulator.hangUp(simulatedCallId);
    const disconnected = await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
    expect(disconnected.data['resultInformation']).toMatchObject({ code: 200, subCode: 5001 });
    await h.emulator.callbacksIdle();
    expect(h.callbacksOf(callConnectionId).at(-1)?.type).toBe('CallDisconnected');
  });

  it('retries a callback the webhook refuses, then logs it as failed and keeps serving the call', async () => {
    const failedPlayCompleted = new Promise<CallbackDelivery>((resolve) => {
      const stop = h.emulator.onCallbackDelivery((delivery) => {
        if (delivery.delivered || delivery.event.type !== 'Microsoft.Communication.PlayCompleted') return;
        stop();
        resolve(delivery);
      });
    });
    const { callConnectionId, connection } = await h.connectCall();
    await connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'lost' }], {
      operationContext: 'lost',
      operationCallbackUrl: `${h.webhookBaseUrl}/failing`,
    });
    expect(await failedPlayCompleted).toMatchObject({ status: 500, attempts: 4, delivered: false });
    expect(h.callbacks.filter((c) => c.path === '/failing' && c.type === 'PlayCompleted')).toHaveLength(4);
    expect((await connection.getCallConnectionProperties()).callConnectionState).toBe('connected');
    await connection.hangUp(true);
    await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
  });

  it('gives up on an unreachable callback URI without failing the REST call', async () => {
    const { callConnectionId, connection } = await h.connectCall();
    await connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'nowhere' }], { operationCallbackUrl: 'http://127.0.0.1:9/unreachable' });
    await h.emulator.callbacksIdle();
    const delivery = h.emulator.callbackDeliveries().find((d) => d.callConnectionId === callConnectionId && d.url.includes('unreachable'));
    expect(delivery).toMatchObject({ delivered: false, status: undefined, error: expect.any(String) });
    await connection.hangUp(true);
  });
});

async function captureToken(h: AcsEmulatorHarness): Promise<string> {
  const { callConnectionId, connection } = await h.connectCall();
  const tokens: string[] = [];
  const server = createServer((request, response) => {
    tokens.push(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');
    request.resume();
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await connection.getCallMedia().playToAll([{ kind: 'textSource', text: 'token' }], { operationCallbackUrl: `http://127.0.0.1:${port}/` });
  await h.emulator.callbacksIdle();
  await connection.hangUp(true);
  await h.waitForCallback('CallDisconnected', (c) => c.data.callConnectionId === callConnectionId);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(tokens.length).toBeGreaterThan(0);
  return tokens[0]!;
}
