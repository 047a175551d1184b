import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { PresenceReading, PresenceService, PresenceSubscription } from '../ports.js';

/** Graph answers at most this many user ids per getPresencesByUserId call and per presence subscription. */
export const maxGraphPresenceIdsPerRequest = 650;
export const graphScope = 'https://graph.microsoft.com/.default';

export type GraphAccessTokenSource =
  | { readonly kind: 'clientSecret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'managedIdentity'; readonly clientId?: string }
  /** The local Graph emulator accepts any non-empty bearer token. */
  | { readonly kind: 'fixed'; readonly token: string };

/** A token getter for Graph; the credential caches and refreshes tokens itself. */
export function createGraphAccessTokenProvider(source: GraphAccessTokenSource): () => Promise<string> {
  let credential: TokenCredential;
  switch (source.kind) {
    case 'fixed':
      return () => Promise.resolve(source.token);
    case 'clientSecret':
      credential = new ClientSecretCredential(source.tenantId, source.clientId, source.clientSecret);
      break;
    case 'managedIdentity':
      credential = source.clientId ? new ManagedIdentityCredential({ clientId: source.clientId }) : new ManagedIdentityCredential();
      break;
  }
  return async () => {
    const token = await credential.getToken(graphScope);
    if (!token) throw new Error(`No Microsoft Graph access token was issued for ${graphScope}`);
    return token.token;
  };
}

export interface GraphPresenceServiceOptions {
  /** e.g. https://graph.microsoft.com/v1.0 (GRAPH_BASE_URL). */
  readonly baseUrl: string;
  readonly getAccessToken: () => Promise<string>;
  readonly fetch?: typeof fetch;
  /** Waits between retries; tests pass one that records the delay and returns at once. */
  readonly sleep?: (delayInMs: number) => Promise<void>;
  /** Attempts per call, the first included, when Graph answers 429 or 503. Default 4. */
  readonly maxAttempts?: number;
  /** A Retry-After longer than this fails the call instead of holding the invocation. Default 60 s. */
  readonly maxRetryDelayInMs?: number;
  /** Ask Graph for lifecycle notifications (reauthorizationRequired, ...) on the notification URL. Default true. */
  readonly lifecycleNotifications?: boolean;
  readonly requestTimeoutInMs?: number;
}

/** A Graph call that failed; `status` and `code` are Graph's own (`code` is 'NetworkError' when no answer came). */
export class GraphRequestError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly code: string,
    readonly graphMessage: string,
    readonly requestId: string | undefined,
    readonly attempts: number,
  ) {
    super(
      `Microsoft Graph ${operation} failed${status === undefined ? '' : ` with ${status}`} ${code}: ${graphMessage}` +
        (attempts > 1 ? ` (after ${attempts} attempts)` : '') +
        (requestId ? ` [request-id ${requestId}]` : ''),
    );
    this.name = 'GraphRequestError';
  }
}

const graphErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });
const presenceJson = z.object({ id: z.string(), availability: z.string(), activity: z.string() });
const presenceCollection = z.object({ value: z.array(presenceJson) });
const subscriptionJson = z.object({ id: z.string(), expirationDateTime: z.string() });

const retryableStatuses = new Set([429, 503]);
const defaultBackoffInMs = 1_000;

/** The bulk presence subscription resource for these user ids (OData doubles a quote inside a literal). */
export function presenceSubscriptionResource(userIds: readonly string[]): string {
  return `/communications/presences?$filter=id in (${userIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(',')})`;
}

/** Retry-After is seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterInMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** PresenceService over Microsoft Graph v1.0 with plain fetch. */
export function createGraphPresenceService(options: GraphPresenceServiceOptions): PresenceService {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const maxRetryDelayInMs = options.maxRetryDelayInMs ?? 60_000;
  const requestTimeoutInMs = options.requestTimeoutInMs ?? 30_000;
  const lifecycleNotifications = options.lifecycleNotifications ?? true;

  function call<T>(operation: string, method: string, path: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
  function call(operation: string, method: string, path: string, body: unknown, schema: undefined): Promise<undefined>;
  async function call<T>(operation: string, method: string, path: string, body: unknown, schema: z.ZodType<T> | undefined): Promise<T | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const token = await options.getAccessToken();
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(requestTimeoutInMs),
        });
      } catch (error) {
        throw new GraphRequestError(operation, undefined, 'NetworkError', error instanceof Error ? error.message : String(error), undefined, attempt);
      }
      const requestId = response.headers.get('request-id') ?? undefined;
      if (response.ok) {
        if (schema === undefined) {
          await response.arrayBuffer();
          return undefined;
        }
        const parsed = schema.safeParse(await response.json().catch(() => undefined));
        if (!parsed.success) {
          throw new GraphRequestError(operation, response.status, 'UnexpectedResponse', `response body did not match: ${z.prettifyError(parsed.error)}`, requestId, attempt);
        }
        return parsed.data;
      }
      const text = await response.text().catch(() => '');
      const graphError = graphErrorBody.safeParse(safeJson(text));
      const code = graphError.success ? graphError.data.error.code : `Http${response.status}`;
      const message = graphError.success ? graphError.data.error.message ?? '' : text.slice(0, 200);
      if (retryableStatuses.has(response.status) && attempt < maxAttempts) {
        const delayInMs = retryAfterInMs(response.headers.get('retry-after'), new Date()) ?? defaultBackoffInMs * 2 ** (attempt - 1);
        if (delayInMs <= maxRetryDelayInMs) {
          await sleep(delayInMs);
          continue;
        }
      }
      throw new GraphRequestError(operation, response.status, code, message, requestId, attempt);
    }
  }

  function toSubscription(json: z.infer<typeof subscriptionJson>): PresenceSubscription {
    return { subscriptionId: json.id, expiresAt: new Date(json.expirationDateTime) };
  }

  return {
    async getPresences(userIds) {
      const unique = [...new Set(userIds)];
      const batches: string[][] = [];
      for (let i = 0; i < unique.length; i += maxGraphPresenceIdsPerRequest) {
        batches.push(unique.slice(i, i + maxGraphPresenceIdsPerRequest));
      }
      const results = await Promise.all(
        batches.map((ids) => call('getPresencesByUserId', 'POST', '/communications/getPresencesByUserId', { ids }, presenceCollection)),
      );
      return results.flatMap((result) =>
        result.value.map((p): PresenceReading => ({ userId: p.id, availability: p.availability, activity: p.activity })),
      );
    },

    async createSubscription({ userIds, notificationUrl, clientState, expiresAt }) {
      const unique = [...new Set(userIds)];
      if (unique.length === 0) throw new RangeError('A presence subscription needs at least one user id');
      if (unique.length > maxGraphPresenceIdsPerRequest) {
        throw new RangeError(`A presence subscription takes at most ${maxGraphPresenceIdsPerRequest} user ids, got ${unique.length}; split them across subscriptions`);
      }
      const json = await call('create subscription', 'POST', '/subscriptions', {
        changeType: 'updated',
        notificationUrl,
        ...(lifecycleNotifications ? { lifecycleNotificationUrl: notificationUrl } : {}),
        resource: presenceSubscriptionResource(unique),
        expirationDateTime: expiresAt.toISOString(),
        clientState,
      }, subscriptionJson);
      return toSubscription(json);
    },

    async renewSubscription(subscriptionId, expiresAt) {
      const json = await call('renew subscription', 'PATCH', `/subscriptions/${encodeURIComponent(subscriptionId)}`, {
        expirationDateTime: expiresAt.toISOString(),
      }, subscriptionJson);
      return toSubscription(json);
    },

    async deleteSubscription(subscriptionId) {
      try {
        await call('delete subscription', 'DELETE', `/subscriptions/${encodeURIComponent(subscriptionId)}`, undefined, undefined);
      } catch (error) {
        // Already expired or deleted: the goal of the call is met.
        if (error instanceof GraphRequestError && error.status === 404) return;
        throw error;
      }
    },
  };
}

/** True when Graph no longer knows the subscription (expired or deleted): create a new one instead of renewing. */
export function isSubscriptionGone(error: unknown): boolean {
  return error instanceof GraphRequestError && error.status === 404;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
