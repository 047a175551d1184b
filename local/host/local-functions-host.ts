/**
 * The local stand-in for the Azure Functions host (Core Tools cannot be installed here). It serves
 * the app's function table with the host's route shapes:
 *   POST|GET /api/<route>                                   HTTP triggers
 *   POST /runtime/webhooks/eventgrid?functionName=<name>     Event Grid triggers (with the
 *                                                            SubscriptionValidation handshake)
 *   GET|PUT /local/clock  { at: ISO time | null }             the app's clock (local only: a flow
 *                                                            scenario calling after hours)
 *   GET /api/health                                          200 once the app has started; until
 *                                                            then it and every function answer 503,
 *                                                            as a Functions host that is starting does
 * Service Bus triggers run in local/service-bus's trigger runner.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import functionsRuntime, { type EventGridEvent, type HttpResponseInit, type InvocationContext as Context } from '@azure/functions';
import { z } from 'zod';
import type { Logger } from '../../bot/logger.js';
import type { FunctionDefinition } from '../../functions/function-definition.js';
import type { SettableClock } from './settable-clock.js';

export interface LocalFunctionsHost {
  readonly baseUrl: string;
  readonly port: number;
  eventGridUrl(functionName: string): string;
  /** Runs timer-triggered functions now and on their period (npm start, once the app is ready). */
  startTimers(): void;
  close(): Promise<void>;
}

type HttpFunction = Extract<FunctionDefinition, { trigger: 'http' }>;
type EventGridFunction = Extract<FunctionDefinition, { trigger: 'eventGrid' }>;

/** Functions' default request size limit is far higher; local bodies never need more. */
const maxBodyBytes = 4 * 1024 * 1024;
// @azure/functions is CommonJS: Node's ESM loader only sees its default export.
const { HttpRequest, InvocationContext } = functionsRuntime;

export async function startLocalFunctionsHost(options: {
  readonly functions: readonly FunctionDefinition[];
  readonly logger: Logger;
  readonly port?: number;
  readonly host?: string;
  /** The app's clock, served at /local/clock. */
  readonly clock?: SettableClock;
  /** False while the app is starting (it trains its classifiers first); absent: always ready. */
  readonly isReady?: () => boolean;
}): Promise<LocalFunctionsHost> {
  const routes = options.functions
    .filter((f): f is HttpFunction => f.trigger === 'http')
    .map((f) => ({ fn: f, pattern: routePattern(f.route) }));
  const eventGrid = new Map(
    options.functions.filter((f): f is EventGridFunction => f.trigger === 'eventGrid').map((f) => [f.name.toLowerCase(), f]),
  );
  const log = options.logger.child({ component: 'local-functions-host' });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ error: String(error), url: req.url }, 'function invocation failed');
      if (!res.headersSent) send(res, 500, { error: 'function invocation failed' });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: 'request body too large' });
    const starting = options.isReady !== undefined && !options.isReady();
    if (starting && (url.pathname === '/runtime/webhooks/eventgrid' || url.pathname === '/' || url.pathname.startsWith('/api/'))) {
      res.setHeader('retry-after', '1');
      return send(res, 503, { status: 'starting', error: 'the app is still starting' });
    }
    if (url.pathname === '/runtime/webhooks/eventgrid') {
      return invokeEventGrid(url, req, res, body);
    }
    if (url.pathname === '/' || url.pathname === '/api/health') return send(res, 200, { status: 'ok' });
    if (url.pathname === '/local/clock' && options.clock) return serveClock(options.clock, req.method ?? 'GET', body, res);
    if (!url.pathname.startsWith('/api/')) return send(res, 404, { error: 'not found' });
    const path = url.pathname.slice('/api/'.length);
    for (const { fn, pattern } of routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (!fn.methods.includes((req.method ?? 'GET') as never)) continue;
      const request = new HttpRequest({
        method: req.method ?? 'GET',
        url: url.toString(),
        headers: headersOf(req),
        query: Object.fromEntries(url.searchParams),
        params: Object.fromEntries(Object.entries(match.groups ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, decodeURIComponent(v)])),
        ...(body.length > 0 ? { body: { string: body.toString('utf8') } } : {}),
      });
      const response = await fn.handler(request, invocationContext(fn.name));
      return writeResponse(res, response);
    }
    return send(res, 404, { error: `no function for ${req.method} ${url.pathname}` });
  }

  async function invokeEventGrid(url: URL, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const fn = eventGrid.get((url.searchParams.get('functionName') ?? '').toLowerCase());
    if (!fn) return send(res, 404, { error: `no Event Grid function ${url.searchParams.get('functionName')}` });
    let events: EventGridEvent[];
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      events = (Array.isArray(parsed) ? parsed : [parsed]) as EventGridEvent[];
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      const code = (events[0]?.data as { validationCode?: string } | undefined)?.validationCode;
      if (!code) return send(res, 400, { error: 'no validationCode' });
      return send(res, 200, { validationResponse: code });
    }
    for (const event of events) await fn.handler(event, invocationContext(fn.name));
    return send(res, 200, {});
  }

  function invocationContext(functionName: string): Context {
    const invocationId = randomUUID();
    return new InvocationContext({
      functionName,
      invocationId,
      logHandler: (level, ...args) => log[level === 'information' ? 'info' : level === 'warning' ? 'warn' : level === 'critical' ? 'fatal' : level === 'trace' ? 'trace' : level === 'debug' ? 'debug' : 'error']({ functionName, invocationId }, args.map(String).join(' ')),
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const timers: NodeJS.Timeout[] = [];
  const startTimers = () => {
    if (timers.length > 0) return;
    for (const fn of options.functions) {
      if (fn.trigger !== 'timer') continue;
      // Like the Functions host, a timer function never runs twice at once: a tick due while the
      // previous run goes on is skipped.
      let running = false;
      const tick = async () => {
        if (running) return;
        running = true;
        try {
          await fn.handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } }, invocationContext(fn.name));
        } catch (error) {
          log.error({ functionName: fn.name, error: String(error) }, 'timer function failed');
        } finally {
          running = false;
        }
      };
      void tick();
      timers.push(setInterval(tick, fn.periodInMs));
    }
  };
  server.keepAliveTimeout = 30_000;
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    baseUrl,
    port,
    eventGridUrl: (name) => `${baseUrl}/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(name)}`,
    startTimers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `calls/{callId}/events` → /^calls\/(?<callId>[^/]+)\/events$/; `{name?}` may be absent. */
function routePattern(route: string): RegExp {
  let source = '';
  for (const [i, segment] of route.split('/').entries()) {
    const param = /^\{(\w+)(\?)?\}$/.exec(segment);
    const separator = i === 0 ? '' : '/';
    if (param?.[2]) source += `(?:${separator}(?<${param[1]}>[^/]+))?`;
    else if (param) source += `${separator}(?<${param[1]}>[^/]+)`;
    else source += separator + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}/?$`, 'i');
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const clockBody = z.object({ at: z.iso.datetime({ offset: true }).nullable() });

function serveClock(clock: SettableClock, method: string, body: Buffer, res: ServerResponse): void {
  if (method === 'PUT') {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { error: 'body is not JSON' });
    }
    const parsed = clockBody.safeParse(json);
    if (!parsed.success) return send(res, 400, { error: 'expected { "at": "2026-11-26T22:00:00-05:00" } or { "at": null }' });
    clock.set(parsed.data.at === null ? undefined : new Date(parsed.data.at));
  } else if (method !== 'GET') {
    return send(res, 405, { error: 'GET or PUT' });
  }
  send(res, 200, { now: clock.now().toISOString(), set: clock.isSet });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function writeResponse(res: ServerResponse, response: HttpResponseInit): void {
  const headers: Record<string, string> = {};
  new Headers(response.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
  if (response.jsonBody !== undefined) {
    res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(response.jsonBody));
    return;
  }
  const body = response.body;
  // Bytes (the hold tone) go out as they are, with their length, as the Functions host sends them.
  const bytes = body instanceof Uint8Array ? body : body instanceof ArrayBuffer ? new Uint8Array(body) : undefined;
  if (bytes) {
    res.writeHead(response.status ?? 200, { ...headers, 'content-length': String(bytes.byteLength) });
    res.end(bytes);
    return;
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(typeof body === 'string' ? body : body === undefined || body === null ? undefined : String(body));
}
