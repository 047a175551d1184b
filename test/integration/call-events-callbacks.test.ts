// POST /api/calls/{callId}/events as Call Automation sends it: signed (RS256 JWT checked against a
// JWKS served on loopback), parsed element by element, recorded in Cosmos; bad input gets a 4xx.
import { startCallStoreFixture, type CallStoreFixture } from '../support/call-store-fixture.js';
import fc from 'fast-check';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { createCallbackVerifier } from '../../bot/adapters/acs-callback-auth.js';
import { decideCall, startCall } from '../../bot/call-flow/decide-call.js';
import { handleCallEvents, maxCallbackBodyBytes } from '../../bot/handle-call-events.js';
import type { CallControl } from '../../bot/ports.js';
import { testFlow } from '../support/test-assistant-flow.js';

const issuer = 'https://acscallautomation.communication.azure.com';
const audience = 'acs-resource-immutable-id';
let cosmos: CallStoreFixture;
let store: CallStoreFixture['store'];
let jwks: Server;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let publicJwk: JWK;
let deps: Parameters<typeof handleCallEvents>[0];
let keysStatus = 200;
const now = new Date('2026-11-25T10:00:00Z');
const flow = testFlow();
const control: CallControl = { answerCall: async () => ({ callConnectionId: 'c' }), rejectCall: async () => undefined, createCall: async () => undefined, startRecording: async () => 'rec', stopRecording: async () => undefined, execute: async () => undefined };

async function token(claims: { iss?: string; aud?: string; expiresInSeconds?: number } = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: publicJwk.kid! })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.expiresInSeconds ?? 300))
    .sign(privateKey);
}

const post = async (callId: string, body: unknown, authorization?: string) =>
  handleCallEvents(deps, { callId, authorization: authorization ?? `Bearer ${await token()}`, bodyText: typeof body === 'string' ? body : JSON.stringify(body) });

async function newCall(callId: string) {
  await store.createCall({ state: startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, now), step: 1, outbox: [], recentEventIds: [] });
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    if (keysStatus !== 200) {
      res.statusCode = keysStatus;
      res.end();
      return;
    }
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  cosmos = await startCallStoreFixture();
  ({ store } = cosmos);
  deps = {
    store, control, agentCalls: { addTeamsUser: async () => undefined, removeTeamsUser: async () => undefined },
    actions: { run: async () => ({ status: 'failed', reason: 'none' }) },
    routing: undefined,
    delay: async () => undefined,
    clock: { now: () => now },
    logger: pino({ level: 'silent' }),
    decide: (state, event, at) => decideCall(flow, state, event, at),
    runningActions: new Map(),
    callbackUrl: (callId) => `http://127.0.0.1/api/calls/${callId}/events`,
    verify: createCallbackVerifier({ issuer, audience, jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/calling/keys` }),
  };
});
afterAll(async () => {
  await cosmos.close();
  await new Promise((resolve) => jwks.close(resolve));
});

const connected = (id: string) => ({
  id, type: 'Microsoft.Communication.CallConnected', source: 'calling/callConnections/conn-1', time: now.toISOString(),
  data: { callConnectionId: 'conn-1', serverCallId: 's', correlationId: 'c', resultInformation: { code: 200, subCode: 0, message: '' } },
});

describe('call-events callbacks', () => {
  it('rejects a missing, forged, wrong-audience or expired token with 401', async () => {
    await newCall('auth');
    expect((await post('auth', [connected('a1')], '')).status).toBe(401);
    expect((await post('auth', [connected('a1')], 'Bearer not.a.jwt')).status).toBe(401);
    expect((await post('auth', [connected('a1')], `Bearer ${await token({ aud: 'someone-else' })}`)).status).toBe(401);
    expect((await post('auth', [connected('a1')], `Bearer ${await token({ iss: 'https://evil.example' })}`)).status).toBe(401);
    expect((await post('auth', [connected('a1')], `Bearer ${await token({ expiresInSeconds: -600 })}`)).status).toBe(401);
    expect((await store.getCall('auth'))!.record.step).toBe(1);
  });

  it('answers 503, not 401, while the signing keys cannot be fetched, and takes the redelivered event once they can', async () => {
    await newCall('keys');
    const lines: string[] = [];
    const fresh = {
      ...deps,
      logger: pino({ level: 'error' }, { write: (line: string) => lines.push(line) }),
      verify: createCallbackVerifier({ issuer, audience, jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/calling/keys` }),
    };
    const body = JSON.stringify([connected('k1')]);
    keysStatus = 503;
    try {
      expect(await handleCallEvents(fresh, { callId: 'keys', authorization: `Bearer ${await token()}`, bodyText: body })).toMatchObject({ status: 503 });
    } finally {
      keysStatus = 200;
    }
    expect((await store.getCall('keys'))!.record.step).toBe(1);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['callback not checked: the signing keys could not be fetched']);
    expect(await handleCallEvents(fresh, { callId: 'keys', authorization: `Bearer ${await token()}`, bodyText: body })).toMatchObject({ status: 200 });
    expect((await store.getCall('keys'))!.record.step).toBe(2);
    // A forged token is still the sender's fault.
    expect((await handleCallEvents(fresh, { callId: 'keys', authorization: 'Bearer not.a.jwt', bodyText: body })).status).toBe(401);
  });

  it('answers malformed bodies with 400 and oversized ones with 413, writing nothing', async () => {
    await newCall('bad');
    expect((await post('bad', '{not json')).status).toBe(400);
    expect((await post('bad', [{ nope: true }])).status).toBe(400);
    expect((await post('bad', [])).status).toBe(400);
    expect((await post('bad', 'x'.repeat(maxCallbackBodyBytes + 1))).status).toBe(413);
    expect((await post('../etc', [connected('b1')])).status).toBe(400);
    expect((await store.getCall('bad'))!.record.step).toBe(1);
  });

  it('answers a callback for an unknown call with 404 (never a 5xx that ACS would retry forever)', async () => {
    expect((await post('never-created', [connected('u1')])).status).toBe(404);
  });

  it('applies every element of the array and drops a redelivered CloudEvent id', async () => {
    await newCall('multi');
    const unknown = { id: 'x1', type: 'Microsoft.Communication.SomethingNew', time: now.toISOString(), data: {} };
    expect(await post('multi', [connected('m1'), unknown])).toEqual({ status: 200, body: { accepted: 2 } });
    expect((await post('multi', [connected('m1')])).status).toBe(200);
    const history = await store.listHistory('multi');
    const events = history.filter((h) => h.entry.kind === 'event').map((h) => h.entry as { event: { eventId: string }; ignored?: string });
    expect(events.map((e) => e.event.eventId)).toEqual(['m1', 'x1']);
    expect(events[1]?.ignored).toBe('unknown');
  });

  it('ignores a participant snapshot delivered after a newer one (a retried callback): the agent does not seem to hang up', async () => {
    const callId = 'late-snapshot';
    const onCall = { ...startCall(flow, { callId, callerId: '4:+14255550123', calledNumber: '+12125550100' }, now), stage: 'connected' as const, callConnectionId: 'conn-1', queueId: 'billing', agent: { agentId: 'ava', offerId: 'o1', teamsUserId: 'tu-ava' } };
    await store.createCall({ state: onCall, step: 1, outbox: [], recentEventIds: [] });
    const sent: string[] = [];
    const recording = { ...deps, control: { ...control, execute: async (_id: string, command: { kind: string }) => void sent.push(command.kind) } };
    // As Call Automation posts it: the participants with their identifiers, and the snapshot's number.
    const snapshot = (id: string, sequenceNumber: number, rawIds: string[]) => ({
      id, type: 'Microsoft.Communication.ParticipantsUpdated', time: now.toISOString(),
      data: { callConnectionId: 'conn-1', sequenceNumber, participants: rawIds.map((rawId) => ({ identifier: { rawId, kind: 'unknown' }, isMuted: false, isOnHold: false })), resultInformation: { code: 200, subCode: 0, message: '' } },
    });
    const postAs = async (body: unknown) => handleCallEvents(recording, { callId, authorization: `Bearer ${await token()}`, bodyText: JSON.stringify(body) });
    expect((await postAs([snapshot('p8', 8, ['4:+14255550123', '8:orgid:tu-ava'])])).status).toBe(200);
    expect((await postAs([snapshot('p7', 7, ['4:+14255550123'])])).status).toBe(200);
    const stored = (await store.getCall(callId))!.record.state;
    expect(stored).toMatchObject({ stage: 'connected', agent: { agentId: 'ava' }, participantsSequence: 8 });
    expect(sent).toEqual([]);
    const late = (await store.listHistory(callId)).find((h) => h.entry.kind === 'event' && (h.entry as { event: { eventId: string } }).event.eventId === 'p7');
    expect(late?.entry).toMatchObject({ ignored: 'stale' });
  });

  it('accepts every real recorded Call Automation callback body', async () => {
    const folder = join('test', 'fixtures', 'acs-real');
    const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    let bodies = 0;
    for (const [i, file] of files.entries()) {
      const recording = JSON.parse(readFileSync(join(folder, file), 'utf8')) as unknown[];
      const callId = `fixture-${i}`;
      await newCall(callId);
      // Element 0 (and in some files element 1) is IncomingCall data, not a callback body.
      for (const body of recording.slice(1).filter((b) => !(b as { incomingCallContext?: string }).incomingCallContext)) {
        // The recordings sanitised every event id to the same value: make them unique per body.
        const events = (Array.isArray(body) ? body : [body]).map((e, j) => ({ ...(e as object), id: `${callId}-${bodies}-${j}` }));
        const response = await post(callId, events);
        expect(response.status).toBe(200);
        bodies++;
      }
    }
    expect(bodies).toBeGreaterThan(20);
  });

  it('answers real callbacks with fields dropped, retyped or renamed with 200 or 400, never an error, and a 400 writes nothing', async () => {
    const folder = join('test', 'fixtures', 'acs-real');
    const recorded = readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(folder, f), 'utf8')) as unknown[]).slice(1))
      .filter((b) => !(b as { incomingCallContext?: string }).incomingCallContext)
      .flatMap((b) => (Array.isArray(b) ? b : [b]) as Record<string, unknown>[]);
    const types = [...new Set(recorded.map((e) => String(e['type'])))];
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom('id', 'type', 'source', 'time', 'data', 'specversion') }),
      fc.record({ kind: fc.constant('dropData' as const), field: fc.constantFrom('callConnectionId', 'operationContext', 'resultInformation', 'recognitionType', 'dtmfResult', 'choiceResult', 'speechResult', 'participants', 'tones') }),
      fc.record({ kind: fc.constant('set' as const), field: fc.constantFrom('id', 'type', 'time', 'data'), value: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ kind: fc.constant('setData' as const), field: fc.constantFrom('operationContext', 'resultInformation', 'recognitionType', 'dtmfResult', 'choiceResult', 'speechResult', 'participants'), value: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ kind: fc.constant('retype' as const), type: fc.constantFrom(...types, 'Microsoft.Communication.SomethingNew') }),
    );
    let sequence = 0;
    let refused = 0;
    await newCall('fuzzed');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...recorded), { minLength: 1, maxLength: 3 }), fc.array(damage, { minLength: 1, maxLength: 3 }), async (events, damages) => {
        const body = events.map((e) => ({ ...e, id: `fuzzed-${++sequence}`, data: { ...(e['data'] as object) } })) as Record<string, unknown>[];
        for (const [i, d] of damages.entries()) {
          const target = body[i % body.length] as Record<string, unknown>;
          const field = target['data'];
          // Data fields only while data is still an object (an earlier damage may have replaced it).
          const data = (typeof field === 'object' && field !== null && !Array.isArray(field) ? field : {}) as Record<string, unknown>;
          if (d.kind === 'drop') delete target[d.field];
          else if (d.kind === 'dropData') delete data[d.field];
          else if (d.kind === 'set') target[d.field] = d.value;
          else if (d.kind === 'setData') data[d.field] = d.value;
          else target['type'] = d.type;
        }
        const before = await store.getCall('fuzzed');
        const response = await post('fuzzed', body);
        expect([200, 400]).toContain(response.status);
        const after = await store.getCall('fuzzed');
        expect(after).toBeDefined();
        if (response.status === 400) {
          refused += 1;
          expect(after?.record.step).toBe(before?.record.step);
        }
      }),
      { numRuns: 150, seed: 20261207 },
    );
    expect(refused).toBeGreaterThan(10);
  });
});
