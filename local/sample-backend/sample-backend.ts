/**
 * A small self-service backend for the local stack: what a utility's order and billing systems
 * would answer. Routes:
 *   GET  /orders/{orderNumber}            -> 200 { orderNumber, status, date: YYYY-MM-DD } | 404
 *   POST /accounts/balance { callerId, accountNumber?, pin } -> 200 { amount, currency, dueDate: YYYY-MM-DD } | 403 { error: 'pinIncorrect' }
 * (the contract bot/adapters/http-action-runner.ts checks)
 * Orders and accounts are sample data dated from the backend's today (its clock; in the local stack the
 * app's settable clock), so that a call on any day hears a recent update and a due date still to come;
 * `delayInMs` makes it slow on purpose (filler tests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../bot/ports.js';

/** Each order's status and how many days before today it last changed. */
export const sampleOrders: Readonly<Record<string, { status: string; updatedDaysAgo: number }>> = {
  '12345678': { status: 'shipped', updatedDaysAgo: 1 },
  '23456789': { status: 'being prepared', updatedDaysAgo: 0 },
  '34567890': { status: 'delivered', updatedDaysAgo: 5 },
};

/** Each account's balance falls due on a day of the month: the next such day after today. */
export const sampleAccounts: readonly { callerId: string; accountNumber: string; pin: string; amount: number; currency: string; dueDayOfMonth: number }[] = [
  { callerId: '+14255550123', accountNumber: '1000000001', pin: '4321', amount: 42.5, currency: 'USD', dueDayOfMonth: 1 },
  { callerId: '+14255550199', accountNumber: '1000000002', pin: '1111', amount: 0, currency: 'USD', dueDayOfMonth: 15 },
];

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** The UTC day `days` before `now`. */
export function daysBefore(now: Date, days: number): string {
  return isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days)));
}

/** The first UTC day after `now` that is day `dayOfMonth` of its month (1-28). */
export function nextDayOfMonth(now: Date, dayOfMonth: number): string {
  const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), dayOfMonth);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return isoDay(new Date(thisMonth > today ? thisMonth : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, dayOfMonth)));
}

export interface SampleBackend {
  readonly url: string;
  setDelay(delayInMs: number): void;
  /** Dates the sample data from this clock's today from now on. */
  useClock(clock: Clock): void;
  close(): Promise<void>;
}

export async function startSampleBackend(options: { port?: number; host?: string; delayInMs?: number; clock?: Clock } = {}): Promise<SampleBackend> {
  let delayInMs = options.delayInMs ?? 0;
  let clock = options.clock ?? systemClock;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (delayInMs > 0) setTimeout(send, delayInMs).unref();
        else send();
      };
      const url = new URL(req.url ?? '/', 'http://localhost');
      const order = /^\/orders\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && order?.[1]) {
        const found = sampleOrders[decodeURIComponent(order[1])];
        return found
          ? reply(200, { orderNumber: order[1], status: found.status, date: daysBefore(clock.now(), found.updatedDaysAgo) })
          : reply(404, { error: 'notFound' });
      }
      if (req.method === 'POST' && url.pathname === '/accounts/balance') {
        let body: { callerId?: string; accountNumber?: string; pin?: string };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          return reply(400, { error: 'bad json' });
        }
        const account = sampleAccounts.find((a) => (body.accountNumber ? a.accountNumber === body.accountNumber : a.callerId === body.callerId));
        if (!account || account.pin !== body.pin) return reply(403, { error: 'pinIncorrect' });
        return reply(200, { amount: account.amount, currency: account.currency, dueDate: nextDayOfMonth(clock.now(), account.dueDayOfMonth) });
      }
      return reply(404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    setDelay: (ms) => (delayInMs = ms),
    useClock: (c) => (clock = c),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
