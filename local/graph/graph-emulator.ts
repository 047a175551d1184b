import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../bot/ports.js';
import type { Availability, PresenceView, TeamsUserDirectory } from '../teams/teams-user-directory.js';
import { maxPresenceIdsPerRequest, parsePresenceResource } from './presence-resource.js';

/** Graph caps presence subscriptions at one hour. */
const maxPresenceSubscriptionLifetimeInMs = 60 * 60 * 1000;
/** Graph gives the notification endpoint 10 s to echo the validation token. */
const defaultValidationTimeoutInMs = 10_000;
/** Graph publishes change notifications with a 3 s timeout. */
const notificationTimeoutInMs = 3_000;
const maxBodyBytes = 1024 * 1024;
const localTenantId = '00000000-0000-4000-8000-00000000c0de';
const localApplicationId = '00000000-0000-4000-8000-0000000a9901';

const availabilities = [
  'Available', 'AvailableIdle', 'Away', 'BeRightBack', 'Busy', 'BusyIdle', 'DoNotDisturb', 'Offline', 'PresenceUnknown',
] as const satisfies readonly Availability[];

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface GraphEmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  readonly teams: TeamsUserDirectory;
  /** Decides subscription expiry; inject a settable clock in tests. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly tenantId?: string;
  readonly validationTimeoutInMs?: number;
  /**
   * 'presence' (default) puts availability and activity in `resourceData` in clear text. Real Graph
   * sends them only encrypted (`includeResourceData` with a certificate); 'idOnly' sends the basic
   * notification real Graph sends without resource data, so the receiver has to read presence again.
   */
  readonly notificationResourceData?: 'presence' | 'idOnly';
}

/** Makes the next `count` Graph calls fail with `status`, as throttling or an outage would. */
export interface GraphFault {
  readonly status: 429 | 500 | 502 | 503 | 504;
  readonly count: number;
  readonly retryAfterInSeconds?: number;
}

export interface GraphSubscriptionView {
  readonly id: string;
  readonly userIds: readonly string[];
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | undefined;
  readonly expirationDateTime: string;
}

export interface GraphEmulator {
  /** http://HOST:PORT/v1.0, the value of GRAPH_BASE_URL. */
  readonly baseUrl: string;
  /** http://HOST:PORT/simulator: routes for driving simulated users by hand. */
  readonly simulatorUrl: string;
  readonly tenantId: string;
  /** Subscriptions that have not expired or been deleted. */
  listSubscriptions(): GraphSubscriptionView[];
  failNextRequests(fault: GraphFault): void;
  /** Posts a lifecycle notification to the subscription's lifecycleNotificationUrl; resolves with the receiver's status. */
  sendLifecycleNotification(subscriptionId: string, lifecycleEvent: LifecycleEvent): Promise<number>;
  /** Resolves once every notification triggered so far has been delivered or has failed. */
  whenIdle(): Promise<void>;
  /** Decide subscription expiry by this clock from now on (the local stack: the app's settable clock). */
  useClock(clock: Clock): void;
  close(): Promise<void>;
}

interface Subscription {
  readonly id: string;
  readonly resource: string;
  readonly userIds: ReadonlySet<string>;
  readonly changeType: string;
  readonly clientState: string | undefined;
  readonly notificationUrl: string;
  readonly lifecycleNotificationUrl: string | undefined;
  readonly includeResourceData: boolean;
  readonly latestSupportedTlsVersion: string;
  expiresAt: Date;
}

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const absoluteHttpUrl = z
  .string()
  .refine((value) => /^https?:$/.test(URL.canParse(value) ? new URL(value).protocol : ''), 'must be an absolute http(s) URL');
const dateTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date and time');

const createSubscriptionBody = z.object({
  changeType: z.string().min(1),
  notificationUrl: absoluteHttpUrl,
  resource: z.string().min(1),
  expirationDateTime: dateTime,
  clientState: z.string().max(128, 'clientState is limited to 128 characters').optional(),
  lifecycleNotificationUrl: absoluteHttpUrl.optional(),
  includeResourceData: z.boolean().optional(),
  latestSupportedTlsVersion: z.enum(['v1_0', 'v1_1', 'v1_2', 'v1_3']).optional(),
  encryptionCertificate: z.string().optional(),
  encryptionCertificateId: z.string().optional(),
});
const updateSubscriptionBody = z.object({ expirationDateTime: dateTime });
const presencesByUserIdBody = z.object({ ids: z.array(z.string().min(1)) });
const setPresenceBody = z.object({ availability: z.enum(availabilities), activity: z.string().min(1).optional() });
const faultBody = z.object({
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  count: z.number().int().positive(),
  retryAfterInSeconds: z.number().int().nonnegative().optional(),
});

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A local Microsoft Graph for Teams presence: getPresencesByUserId, GET presence, and presence
 * change-notification subscriptions with the validationToken handshake, renewal, deletion and
 * expiry. Presence comes from the shared TeamsUserDirectory, so a user the Call Automation emulator
 * puts in a call turns Busy / InACall here too and subscribers are notified.
 */
export async function startGraphEmulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
  const host = options.host ?? '127.0.0.1';
  let clock = options.clock ?? { now: () => new Date() };
  const logger = options.logger ?? pino({ level: 'silent' });
  const tenantId = options.tenantId ?? localTenantId;
  const validationTimeoutInMs = options.validationTimeoutInMs ?? defaultValidationTimeoutInMs;
  const resourceDataMode = options.notificationResourceData ?? 'presence';
  const teams = options.teams;
  const subscriptions = new Map<string, Subscription>();
  const inFlight = new Set<Promise<unknown>>();
  let fault: { status: number; remaining: number; retryAfterInSeconds: number | undefined } | undefined;
  let origin = '';

  const isActive = (subscription: Subscription) => subscription.expiresAt.getTime() > clock.now().getTime();

  /** Expired subscriptions are gone, as in Graph: they neither notify nor can be renewed. */
  function activeSubscription(id: string): Subscription | undefined {
    const subscription = subscriptions.get(id);
    if (subscription && !isActive(subscription)) {
      subscriptions.delete(id);
      logger.info({ subscriptionId: id }, 'graph subscription expired');
      return undefined;
    }
    return subscription;
  }

  function activeSubscriptions(): Subscription[] {
    return [...subscriptions.keys()].flatMap((id) => activeSubscription(id) ?? []);
  }

  function presenceOf(userId: string) {
    const presence = teams.presenceOf(userId);
    return {
      id: userId,
      availability: presence?.availability ?? 'PresenceUnknown',
      activity: presence?.activity ?? 'PresenceUnknown',
    };
  }

  function subscriptionJson(subscription: Subscription) {
    return {
      '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`,
      id: subscription.id,
      resource: subscription.resource,
      applicationId: localApplicationId,
      changeType: subscription.changeType,
      clientState: subscription.clientState ?? null,
      notificationUrl: subscription.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
      expirationDateTime: subscription.expiresAt.toISOString(),
      creatorId: localApplicationId,
      includeResourceData: subscription.includeResourceData,
      latestSupportedTlsVersion: subscription.latestSupportedTlsVersion,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  function checkExpiry(requested: string): Date {
    const expiresAt = new Date(requested);
    const now = clock.now().getTime();
    if (expiresAt.getTime() <= now) {
      throw new GraphError(400, 'ExtensionError', 'Subscription expiration must be in the future.');
    }
    if (expiresAt.getTime() - now > maxPresenceSubscriptionLifetimeInMs) {
      throw new GraphError(400, 'ExtensionError', 'Subscription expiration can only be 60 minutes in the future.');
    }
    return expiresAt;
  }

  /** Graph's handshake: POST {url}?validationToken=... and expect the token back, 200, text/plain, within 10 s. */
  async function validateEndpoint(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    let response: Response;
    try {
      response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(validationTimeoutInMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      logger.warn({ url, timedOut, err: error }, 'graph subscription validation request failed');
      throw new GraphError(400, 'ValidationError', timedOut
        ? 'Subscription validation request timed out.'
        : 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    }
    const body = await response.text().catch(() => '');
    if (response.status !== 200) {
      logger.warn({ url, status: response.status }, 'graph subscription validation refused');
      throw new GraphError(400, 'ValidationError',
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.');
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('text/plain') || body !== token) {
      logger.warn({ url, contentType }, 'graph subscription validation response did not echo the token');
      throw new GraphError(400, 'ValidationError',
        'Subscription validation request failed. Response must exactly match validationToken query parameter.');
    }
  }

  function track<T>(delivery: Promise<T>): Promise<T> {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery)).catch(() => undefined);
    return delivery;
  }

  async function post(url: string, payload: unknown): Promise<number> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(notificationTimeoutInMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  }

  function notify(subscription: Subscription, presence: PresenceView): void {
    const resource = `communications/presences('${presence.id}')`;
    const resourceData = {
      '@odata.type': '#Microsoft.Graph.presence',
      '@odata.id': resource,
      id: presence.id,
      ...(resourceDataMode === 'presence' ? { availability: presence.availability, activity: presence.activity } : {}),
    };
    const payload = {
      value: [{
        subscriptionId: subscription.id,
        clientState: subscription.clientState ?? null,
        changeType: 'updated',
        resource,
        subscriptionExpirationDateTime: subscription.expiresAt.toISOString(),
        resourceData,
        tenantId,
      }],
    };
    const fields = { subscriptionId: subscription.id, pii: { userId: presence.id } };
    track(post(subscription.notificationUrl, payload).then(
      (status) => {
        if (status >= 200 && status < 300) logger.debug({ ...fields, status }, 'graph change notification delivered');
        else logger.warn({ ...fields, status }, 'graph change notification rejected by receiver');
      },
      (error: unknown) => logger.warn({ ...fields, err: error }, 'graph change notification delivery failed'),
    ));
  }

  function onPresenceChanged(presence: PresenceView): void {
    for (const subscription of activeSubscriptions()) {
      if (subscription.userIds.has(presence.id)) notify(subscription, presence);
    }
  }
  teams.on('presenceChanged', onPresenceChanged);

  async function createSubscription(body: unknown): Promise<[number, unknown]> {
    const request = parseBody(createSubscriptionBody, body);
    const userIds = parsePresenceResource(request.resource);
    if (!userIds) {
      throw new GraphError(400, 'InvalidRequest',
        `Resource '${request.resource}' is not supported; expected communications/presences/{id} or /communications/presences?$filter=id in ('{id}', ...).`);
    }
    if (userIds.length > maxPresenceIdsPerRequest) {
      throw new GraphError(400, 'InvalidRequest', `A presence subscription supports at most ${maxPresenceIdsPerRequest} user ids.`);
    }
    if (request.changeType.split(',').map((t) => t.trim()).some((t) => t !== 'updated')) {
      throw new GraphError(400, 'InvalidRequest', `ChangeType '${request.changeType}' is not supported for presence; use 'updated'.`);
    }
    const expiresAt = checkExpiry(request.expirationDateTime);
    await validateEndpoint(request.notificationUrl);
    if (request.lifecycleNotificationUrl) await validateEndpoint(request.lifecycleNotificationUrl);
    const subscription: Subscription = {
      id: randomUUID(),
      resource: request.resource,
      userIds: new Set(userIds),
      changeType: request.changeType,
      clientState: request.clientState,
      notificationUrl: request.notificationUrl,
      lifecycleNotificationUrl: request.lifecycleNotificationUrl,
      includeResourceData: request.includeResourceData ?? false,
      latestSupportedTlsVersion: request.latestSupportedTlsVersion ?? 'v1_2',
      expiresAt,
    };
    subscriptions.set(subscription.id, subscription);
    logger.info({ subscriptionId: subscription.id, userCount: userIds.length, expiresAt }, 'graph subscription created');
    return [201, subscriptionJson(subscription)];
  }

  function requireSubscription(id: string): Subscription {
    const subscription = activeSubscription(id);
    if (!subscription) throw new GraphError(404, 'ResourceNotFound', `The subscription '${id}' was not found.`);
    return subscription;
  }

  function getPresencesByUserId(body: unknown): [number, unknown] {
    const { ids } = parseBody(presencesByUserIdBody, body);
    if (ids.length === 0) throw new GraphError(400, 'BadRequest', 'The ids parameter must contain at least one user id.');
    if (ids.length > maxPresenceIdsPerRequest) {
      throw new GraphError(400, 'BadRequest', `At most ${maxPresenceIdsPerRequest} user ids are supported per request.`);
    }
    // Graph answers PresenceUnknown for a well-formed id it has no presence for; ids that are not
    // object ids (GUIDs) are refused, except the simulated users' own ids, whatever their shape.
    const invalid = ids.find((id) => !guid.test(id) && !teams.get(id));
    if (invalid !== undefined) throw new GraphError(400, 'BadRequest', `Invalid user id '${invalid}'.`);
    return [200, {
      '@odata.context': `${origin}/v1.0/$metadata#Collection(microsoft.graph.presence)`,
      value: ids.map((id) => ({ '@odata.type': '#microsoft.graph.presence', ...presenceOf(id) })),
    }];
  }

  function getPresence(userId: string): [number, unknown] {
    if (!teams.get(userId)) {
      throw new GraphError(404, 'Request_ResourceNotFound',
        `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
    }
    return [200, {
      '@odata.context': `${origin}/v1.0/$metadata#users('${userId}')/presence/$entity`,
      ...presenceOf(userId),
    }];
  }

  async function routeGraph(method: string, segments: string[], body: () => Promise<unknown>): Promise<[number, unknown]> {
    const [first, second, third, ...rest] = segments;
    if (first === 'communications' && second === 'getPresencesByUserId' && third === undefined) {
      return method === 'POST' ? getPresencesByUserId(await body()) : methodNotAllowed(method);
    }
    if (first === 'users' && second !== undefined && third === 'presence' && rest.length === 0) {
      return method === 'GET' ? getPresence(second) : methodNotAllowed(method);
    }
    if (first === 'communications' && second === 'presences' && third !== undefined && rest.length === 0) {
      return method === 'GET' ? getPresence(third) : methodNotAllowed(method);
    }
    if (first === 'subscriptions' && second === undefined) {
      if (method === 'POST') return createSubscription(await body());
      if (method === 'GET') return [200, { value: activeSubscriptions().map(subscriptionJson) }];
      return methodNotAllowed(method);
    }
    if (first === 'subscriptions' && second !== undefined && third === undefined) {
      switch (method) {
        case 'GET':
          return [200, subscriptionJson(requireSubscription(second))];
        case 'PATCH': {
          const subscription = requireSubscription(second);
          const request = parseBody(updateSubscriptionBody, await body());
          subscription.expiresAt = checkExpiry(request.expirationDateTime);
          logger.info({ subscriptionId: subscription.id, expiresAt: subscription.expiresAt }, 'graph subscription renewed');
          return [200, subscriptionJson(subscription)];
        }
        case 'DELETE':
          requireSubscription(second);
          subscriptions.delete(second);
          logger.info({ subscriptionId: second }, 'graph subscription deleted');
          return [204, undefined];
        default:
          return methodNotAllowed(method);
      }
    }
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segments.at(-1) ?? ''}'.`);
  }

  async function routeSimulator(method: string, segments: string[], body: () => Promise<unknown>): Promise<[number, unknown]> {
    const [first, second, third] = segments;
    if (first === 'teams-users' && second === undefined && method === 'GET') {
      return [200, { value: teams.list().map((user) => ({ ...presenceOf(user.userId), displayName: user.displayName })) }];
    }
    if (first === 'teams-users' && second !== undefined && third === 'presence' && segments.length === 3 && method === 'PUT') {
      if (!teams.get(second)) throw new GraphError(404, 'NotFound', `No simulated Teams user '${second}'.`);
      const request = parseBody(setPresenceBody, await body());
      teams.setPresence(second, request.availability, request.activity ?? request.availability);
      return [200, presenceOf(second)];
    }
    if (first === 'faults' && second === undefined && method === 'POST') {
      const request = parseBody(faultBody, await body());
      fault = { status: request.status, remaining: request.count, retryAfterInSeconds: request.retryAfterInSeconds };
      return [204, undefined];
    }
    throw new GraphError(404, 'NotFound', `No simulator route ${method} /simulator/${segments.join('/')}.`);
  }

  function injectedFault(): GraphError | undefined {
    if (!fault || fault.remaining <= 0) return undefined;
    fault.remaining -= 1;
    const headers: Record<string, string> = fault.retryAfterInSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterInSeconds) };
    return fault.status === 429
      ? new GraphError(429, 'TooManyRequests', 'Too many requests; retry after the interval in the Retry-After header.', headers)
      : new GraphError(fault.status, 'ServiceUnavailable', 'The service is temporarily unavailable.', headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const clientRequestId = headerValue(req.headers['client-request-id']) ?? requestId;
    res.setHeader('request-id', requestId);
    res.setHeader('client-request-id', clientRequestId);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const segments = url.pathname.split('/').filter(Boolean).map((s) => safeDecode(s));
    const body = () => readJson(req);
    try {
      let result: [number, unknown];
      if (segments[0] === 'v1.0') {
        const token = /^Bearer\s+(\S.*)$/i.exec(headerValue(req.headers.authorization) ?? '')?.[1]?.trim();
        if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
        const failure = injectedFault();
        if (failure) throw failure;
        result = await routeGraph(method, segments.slice(1), body);
      } else if (segments[0] === 'simulator') {
        result = await routeSimulator(method, segments.slice(1), body);
      } else {
        throw new GraphError(404, 'NotFound', `Unknown path ${url.pathname}; Graph is served under /v1.0.`);
      }
      send(res, result[0], result[1]);
    } catch (error) {
      if (error instanceof GraphError) {
        if (error.status >= 500 || error.status === 429) logger.info({ status: error.status, path: url.pathname }, 'graph emulator injected fault');
        else logger.debug({ status: error.status, code: error.code, path: url.pathname }, 'graph request refused');
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        send(res, error.status, {
          error: {
            code: error.code,
            message: error.message,
            innerError: { date: clock.now().toISOString(), 'request-id': requestId, 'client-request-id': clientRequestId },
          },
        });
        return;
      }
      logger.error({ err: error, path: url.pathname }, 'graph emulator failed a request');
      send(res, 500, { error: { code: 'generalException', message: 'The local Graph emulator failed; see its log.' } });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ baseUrl: `${origin}/v1.0` }, 'graph emulator listening');

  return {
    useClock: (next) => {
      clock = next;
    },
    baseUrl: `${origin}/v1.0`,
    simulatorUrl: `${origin}/simulator`,
    tenantId,
    listSubscriptions: () =>
      activeSubscriptions().map((s) => ({
        id: s.id,
        userIds: [...s.userIds],
        notificationUrl: s.notificationUrl,
        lifecycleNotificationUrl: s.lifecycleNotificationUrl,
        expirationDateTime: s.expiresAt.toISOString(),
      })),
    failNextRequests: (next) => {
      fault = { status: next.status, remaining: next.count, retryAfterInSeconds: next.retryAfterInSeconds };
    },
    sendLifecycleNotification: (subscriptionId, lifecycleEvent) => {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) return Promise.reject(new Error(`No subscription ${subscriptionId}`));
      if (!subscription.lifecycleNotificationUrl) {
        return Promise.reject(new Error(`Subscription ${subscriptionId} has no lifecycleNotificationUrl`));
      }
      return track(post(subscription.lifecycleNotificationUrl, {
        value: [{
          subscriptionId,
          subscriptionExpirationDateTime: subscription.expiresAt.toISOString(),
          tenantId,
          clientState: subscription.clientState ?? null,
          lifecycleEvent,
        }],
      }));
    },
    whenIdle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      teams.off('presenceChanged', onPresenceChanged);
      await Promise.allSettled([...inFlight]);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function methodNotAllowed(method: string): never {
  throw new GraphError(405, 'BadRequest', `The HTTP method '${method}' is not allowed for this resource.`);
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  throw new GraphError(400, 'BadRequest', `Invalid request body: ${problems.join('; ')}`);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new GraphError(413, 'RequestEntityTooLarge', `The request body exceeds ${maxBodyBytes} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GraphError(400, 'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
