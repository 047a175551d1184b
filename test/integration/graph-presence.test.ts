import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createGraphAccessTokenProvider,
  createGraphPresenceService,
  GraphRequestError,
  isSubscriptionGone,
} from '../../bot/adapters/graph-presence.js';
import { parsePresenceNotifications, validationTokenOf } from '../../bot/adapters/graph-presence-notifications.js';
import type { PresenceService } from '../../bot/ports.js';
import { startGraphEmulator, type GraphEmulator } from '../../local/graph/graph-emulator.js';
import { TeamsUserDirectory } from '../../local/teams/teams-user-directory.js';

/** How the test's notification endpoint answers Graph's validation request. */
type ValidationMode = 'echo' | 'refuse' | 'wrongToken' | 'json' | 'hang';

/** The bot's side of change notifications: answers validation and hands over each notification posted. */
class NotificationReceiver {
  readonly notifications: unknown[] = [];
  validationRequests = 0;
  private readonly waiting: ((body: unknown) => void)[] = [];
  private unread = 0;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  url = '';

  constructor(private readonly mode: ValidationMode = 'echo') {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/presence?code=function-key`;
    return this;
  }

  /** Resolves with the next notification body posted (already received ones first). */
  next(): Promise<unknown> {
    if (this.unread > 0) {
      const body = this.notifications[this.notifications.length - this.unread];
      this.unread -= 1;
      return Promise.resolve(body);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const token = validationTokenOf(req.url ?? '/');
    if (token !== undefined) {
      this.validationRequests += 1;
      switch (this.mode) {
        case 'echo':
          res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
          return;
        case 'refuse':
          res.writeHead(404).end();
          return;
        case 'wrongToken':
          res.writeHead(200, { 'content-type': 'text/plain' }).end(encodeURIComponent(token));
          return;
        case 'json':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(token));
          return;
        case 'hang':
          return;
      }
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    this.notifications.push(body);
    res.writeHead(202).end();
    const waiter = this.waiting.shift();
    if (waiter) waiter(body);
    else this.unread += 1;
  }
}

const clientState = 'switchboard-presence-secret';
const minutes = (n: number) => n * 60_000;

let nowInMs = Date.parse('2026-11-25T10:00:00Z');
const clock = { now: () => new Date(nowInMs) };
const advance = (ms: number) => {
  nowInMs += ms;
};
const inMinutes = (n: number) => new Date(nowInMs + minutes(n));

const teams = new TeamsUserDirectory();
let graph: GraphEmulator;
let presence: PresenceService;
const receivers: NotificationReceiver[] = [];
const emulators: GraphEmulator[] = [];

async function receiver(mode: ValidationMode = 'echo'): Promise<NotificationReceiver> {
  const r = await new NotificationReceiver(mode).start();
  receivers.push(r);
  return r;
}

function newUser(availability: 'Available' | 'Away' = 'Available'): string {
  const userId = randomUUID();
  teams.upsert({ userId, displayName: `Agent ${userId.slice(0, 4)}`, availability });
  return userId;
}

function service(overrides: Partial<Parameters<typeof createGraphPresenceService>[0]> = {}): PresenceService {
  return createGraphPresenceService({
    baseUrl: graph.baseUrl,
    getAccessToken: createGraphAccessTokenProvider({ kind: 'fixed', token: 'local-graph-token' }),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<GraphRequestError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof GraphRequestError)) throw new Error(`expected a GraphRequestError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  graph = await startGraphEmulator({ teams, clock });
  emulators.push(graph);
  presence = service();
});

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await Promise.all(receivers.map((r) => r.close()));
});

describe('Graph presence reads', () => {
  it('refuses a request without a bearer token with 401 InvalidAuthenticationToken', async () => {
    const response = await fetch(`${graph.baseUrl}/communications/getPresencesByUserId`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [newUser()] }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });

    const error = await failure(service({ getAccessToken: () => Promise.resolve('') }).getPresences([newUser()]));
    expect(error).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(error.message).toContain('getPresencesByUserId failed with 401 InvalidAuthenticationToken');
  });

  it('reads presences in batches of 650 ids, unknown users as PresenceUnknown', async () => {
    const known = Array.from({ length: 700 }, () => newUser());
    teams.setPresence(known[0]!, 'Busy', 'InAMeeting');
    teams.setPresence(known[699]!, 'Away', 'Away');
    const unknown = Array.from({ length: 650 }, () => randomUUID());
    const batchSizes: number[] = [];
    const counting: typeof fetch = (input, init) => {
      batchSizes.push((JSON.parse(String(init?.body)) as { ids: string[] }).ids.length);
      return fetch(input, init);
    };

    const readings = await service({ fetch: counting }).getPresences([...known, ...unknown, known[0]!]);

    expect(batchSizes.sort((a, b) => b - a)).toEqual([650, 650, 50]);
    expect(readings).toHaveLength(1350);
    const byId = new Map(readings.map((r) => [r.userId, r]));
    expect(byId.get(known[0]!)).toEqual({ userId: known[0], availability: 'Busy', activity: 'InAMeeting' });
    expect(byId.get(known[699]!)).toEqual({ userId: known[699], availability: 'Away', activity: 'Away' });
    expect(byId.get(known[1]!)).toMatchObject({ availability: 'Available', activity: 'Available' });
    expect(byId.get(unknown[0]!)).toEqual({ userId: unknown[0], availability: 'PresenceUnknown', activity: 'PresenceUnknown' });
  });

  it('serves one user at /users/{id}/presence and 404s an unknown one', async () => {
    const alice = newUser('Away');
    const headers = { authorization: 'Bearer anything' };
    const ok = await fetch(`${graph.baseUrl}/users/${alice}/presence`, { headers });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: alice, availability: 'Away', activity: 'Away' });
    const missing = await fetch(`${graph.baseUrl}/users/${randomUUID()}/presence`, { headers });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'Request_ResourceNotFound' } });
  });

  it('refuses ids that are not object ids with 400, as Graph does', async () => {
    const error = await failure(presence.getPresences(['not-a-guid']));
    expect(error).toMatchObject({ status: 400, code: 'BadRequest' });
  });
});

describe('Graph throttling and outages', () => {
  it('retries 429 after the Retry-After interval', async () => {
    const alice = newUser();
    const sleeps: number[] = [];
    graph.failNextRequests({ status: 429, count: 2, retryAfterInSeconds: 3 });
    const readings = await service({ sleep: async (ms) => void sleeps.push(ms) }).getPresences([alice]);
    expect(sleeps).toEqual([3000, 3000]);
    expect(readings).toEqual([{ userId: alice, availability: 'Available', activity: 'Available' }]);
  });

  it('retries 503 with exponential backoff when Graph gives no Retry-After', async () => {
    const sleeps: number[] = [];
    graph.failNextRequests({ status: 503, count: 2 });
    await service({ sleep: async (ms) => void sleeps.push(ms) }).getPresences([newUser()]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up after maxAttempts with the last Graph error', async () => {
    const sleeps: number[] = [];
    graph.failNextRequests({ status: 429, count: 10, retryAfterInSeconds: 1 });
    const error = await failure(service({ sleep: async (ms) => void sleeps.push(ms), maxAttempts: 3 }).getPresences([newUser()]));
    graph.failNextRequests({ status: 429, count: 0 });
    expect(sleeps).toEqual([1000, 1000]);
    expect(error).toMatchObject({ status: 429, code: 'TooManyRequests', attempts: 3 });
    expect(error.message).toMatch(/failed with 429 TooManyRequests: .* \(after 3 attempts\) \[request-id [0-9a-f-]+\]/);
  });

  it('fails at once rather than wait out a Retry-After longer than allowed', async () => {
    const sleeps: number[] = [];
    graph.failNextRequests({ status: 429, count: 1, retryAfterInSeconds: 600 });
    const error = await failure(service({ sleep: async (ms) => void sleeps.push(ms), maxRetryDelayInMs: 60_000 }).getPresences([newUser()]));
    expect(sleeps).toEqual([]);
    expect(error).toMatchObject({ status: 429, attempts: 1 });
  });

  it('does not retry other errors', async () => {
    const sleeps: number[] = [];
    graph.failNextRequests({ status: 500, count: 1 });
    const error = await failure(service({ sleep: async (ms) => void sleeps.push(ms) }).getPresences([newUser()]));
    expect(sleeps).toEqual([]);
    expect(error.status).toBe(500);
  });
});

describe('Graph presence subscriptions', () => {
  it('creates a subscription after the validationToken handshake and notifies presence changes', async () => {
    const endpoint = await receiver();
    const alice = newUser();
    const bob = newUser();

    const subscription = await presence.createSubscription({
      userIds: [alice, bob],
      notificationUrl: endpoint.url,
      clientState,
      expiresAt: inMinutes(55),
    });

    expect(subscription.expiresAt).toEqual(inMinutes(55));
    expect(endpoint.validationRequests).toBe(2); // notificationUrl and lifecycleNotificationUrl
    expect(graph.listSubscriptions()).toContainEqual(expect.objectContaining({ id: subscription.subscriptionId, userIds: [alice, bob] }));

    teams.setPresence(alice, 'Away', 'Away');
    const body = await endpoint.next();
    expect(body).toMatchObject({
      value: [{
        subscriptionId: subscription.subscriptionId,
        clientState,
        changeType: 'updated',
        resource: `communications/presences('${alice}')`,
        resourceData: { '@odata.type': '#Microsoft.Graph.presence', id: alice, availability: 'Away', activity: 'Away' },
        subscriptionExpirationDateTime: inMinutes(55).toISOString(),
        tenantId: graph.tenantId,
      }],
    });
    expect(parsePresenceNotifications(body, clientState)).toMatchObject({
      kind: 'accepted',
      readings: [{ userId: alice, availability: 'Away', activity: 'Away' }],
    });
    expect(parsePresenceNotifications(body, 'another-secret')).toMatchObject({ kind: 'rejected', reason: 'clientStateMismatch' });
  });

  it('notifies Busy / InACall when the user joins a call, and Available when they leave it', async () => {
    const endpoint = await receiver();
    const agent = newUser();
    await presence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    teams.joinCall(agent, 'call-1');
    expect(parsePresenceNotifications(await endpoint.next(), clientState)).toMatchObject({
      readings: [{ userId: agent, availability: 'Busy', activity: 'InACall' }],
    });
    teams.leaveCall(agent, 'call-1');
    expect(parsePresenceNotifications(await endpoint.next(), clientState)).toMatchObject({
      readings: [{ userId: agent, availability: 'Available', activity: 'Available' }],
    });
  });

  it('notifies a presence set through the simulator route', async () => {
    const endpoint = await receiver();
    const agent = newUser();
    await presence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    const response = await fetch(`${graph.simulatorUrl}/teams-users/${agent}/presence`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ availability: 'DoNotDisturb', activity: 'Presenting' }),
    });
    expect(response.status).toBe(200);
    expect(parsePresenceNotifications(await endpoint.next(), clientState)).toMatchObject({
      readings: [{ userId: agent, availability: 'DoNotDisturb', activity: 'Presenting' }],
    });

    const bad = await fetch(`${graph.simulatorUrl}/teams-users/${agent}/presence`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ availability: 'Sleeping' }),
    });
    expect(bad.status).toBe(400);
  });

  it('does not notify changes of users outside the subscription', async () => {
    const endpoint = await receiver();
    const subscribed = newUser();
    const other = newUser();
    await presence.createSubscription({ userIds: [subscribed], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    teams.setPresence(other, 'Away');
    await graph.whenIdle();
    expect(endpoint.notifications).toEqual([]);
  });

  it.each([
    ['answers 404', 'refuse', 'Notification endpoint must respond with 200 OK to validation request.'],
    ['echoes the token still encoded', 'wrongToken', 'Response must exactly match validationToken query parameter.'],
    ['echoes the token as JSON', 'json', 'Response must exactly match validationToken query parameter.'],
  ] as const)('fails to subscribe when the endpoint %s', async (_what, mode, message) => {
    const endpoint = await receiver(mode);
    const before = graph.listSubscriptions().length;
    const error = await failure(presence.createSubscription({ userIds: [newUser()], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) }));
    expect(error).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(error.graphMessage).toContain(message);
    expect(graph.listSubscriptions()).toHaveLength(before);
  });

  it('fails to subscribe when the endpoint does not answer in time', async () => {
    const impatient = await startGraphEmulator({ teams, clock, validationTimeoutInMs: 200 });
    emulators.push(impatient);
    const endpoint = await receiver('hang');
    const error = await failure(
      service({ baseUrl: impatient.baseUrl }).createSubscription({ userIds: [newUser()], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) }),
    );
    expect(error).toMatchObject({ status: 400, code: 'ValidationError', graphMessage: 'Subscription validation request timed out.' });
  });

  it('refuses an expiry more than an hour ahead, and one in the past', async () => {
    const endpoint = await receiver();
    const tooLong = await failure(presence.createSubscription({ userIds: [newUser()], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(61) }));
    expect(tooLong).toMatchObject({ status: 400, code: 'ExtensionError', graphMessage: 'Subscription expiration can only be 60 minutes in the future.' });
    const past = await failure(presence.createSubscription({ userIds: [newUser()], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(-1) }));
    expect(past).toMatchObject({ status: 400, code: 'ExtensionError' });
    expect(endpoint.validationRequests).toBe(0);
  });

  it('keeps notifying past the first expiry once renewed', async () => {
    const endpoint = await receiver();
    const agent = newUser();
    const created = await presence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(10) });

    advance(minutes(8));
    const renewed = await presence.renewSubscription(created.subscriptionId, inMinutes(55));
    expect(renewed).toEqual({ subscriptionId: created.subscriptionId, expiresAt: inMinutes(55) });
    const tooLong = await failure(presence.renewSubscription(created.subscriptionId, inMinutes(90)));
    expect(tooLong).toMatchObject({ status: 400, code: 'ExtensionError' });

    advance(minutes(20));
    teams.setPresence(agent, 'BeRightBack');
    expect(parsePresenceNotifications(await endpoint.next(), clientState)).toMatchObject({
      readings: [{ userId: agent, availability: 'BeRightBack', activity: 'BeRightBack' }],
    });
  });

  it('stops notifying once the subscription expires, and will not renew it', async () => {
    const endpoint = await receiver();
    const agent = newUser();
    const created = await presence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(5) });

    advance(minutes(5));
    teams.setPresence(agent, 'Away');
    await graph.whenIdle();
    expect(endpoint.notifications).toEqual([]);
    expect(graph.listSubscriptions().map((s) => s.id)).not.toContain(created.subscriptionId);
    const error = await failure(presence.renewSubscription(created.subscriptionId, inMinutes(30)));
    expect(error).toMatchObject({ status: 404, code: 'ResourceNotFound' });
    expect(isSubscriptionGone(error)).toBe(true);
  });

  it('stops notifying once the subscription is deleted; deleting again is harmless', async () => {
    const endpoint = await receiver();
    const agent = newUser();
    const created = await presence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    await presence.deleteSubscription(created.subscriptionId);
    teams.setPresence(agent, 'Away');
    await graph.whenIdle();
    expect(endpoint.notifications).toEqual([]);
    await expect(presence.deleteSubscription(created.subscriptionId)).resolves.toBeUndefined();
    expect(isSubscriptionGone(await failure(presence.renewSubscription(created.subscriptionId, inMinutes(30))))).toBe(true);
  });

  it('delivers lifecycle notifications to the lifecycle URL', async () => {
    const endpoint = await receiver();
    const created = await presence.createSubscription({ userIds: [newUser()], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    await graph.sendLifecycleNotification(created.subscriptionId, 'reauthorizationRequired');
    expect(parsePresenceNotifications(await endpoint.next(), clientState)).toEqual({
      kind: 'accepted',
      readings: [],
      changedUserIds: [],
      unrecognized: [],
      lifecycleEvents: [{ subscriptionId: created.subscriptionId, lifecycleEvent: 'reauthorizationRequired', subscriptionExpiresAt: inMinutes(30) }],
    });
  });

  it('with basic notifications (no resource data), the bot reads the changed users again', async () => {
    const basic = await startGraphEmulator({ teams, clock, notificationResourceData: 'idOnly' });
    emulators.push(basic);
    const basicPresence = service({ baseUrl: basic.baseUrl });
    const endpoint = await receiver();
    const agent = newUser();
    await basicPresence.createSubscription({ userIds: [agent], notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) });

    teams.setPresence(agent, 'Offline');
    const parsed = parsePresenceNotifications(await endpoint.next(), clientState);
    expect(parsed).toMatchObject({ kind: 'accepted', readings: [], changedUserIds: [agent] });
    const changed = parsed.kind === 'accepted' ? parsed.changedUserIds : [];
    expect(await basicPresence.getPresences(changed)).toEqual([{ userId: agent, availability: 'Offline', activity: 'Offline' }]);
  });

  it('refuses more than 650 users in one subscription before calling Graph', async () => {
    const endpoint = await receiver();
    const ids = Array.from({ length: 651 }, () => randomUUID());
    await expect(presence.createSubscription({ userIds: ids, notificationUrl: endpoint.url, clientState, expiresAt: inMinutes(30) })).rejects.toThrow(RangeError);
    expect(endpoint.validationRequests).toBe(0);
  });
});
