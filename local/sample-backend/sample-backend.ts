/**
 * A small self-service backend for the local stack: what a utility's order and billing systems
 * would answer. Routes:
 *   GET  /orders/{orderNumber}            -> 200 { orderNumber, status, date: YYYY-MM-DD } | 404
 *   POST /accounts/balance { callerId, accountNumber?, pin } -> 200 { amount, currency, dueDate: YYYY-MM-DD } | 403 { error: 'pinIncorrect' }
 * (the contract bot/adapters/http-action-runner.ts checks)
 * Orders and accounts are fixed sample data; `delayInMs` makes it slow on purpose (filler tests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const sampleOrders: Readonly<Record<string, { status: string; date: string }>> = {
  '12345678': { status: 'shipped', date: '2026-11-24' },
  '23456789': { status: 'being prepared', date: '2026-11-27' },
  '34567890': { status: 'delivered', date: '2026-11-20' },
};

export const sampleAccounts: readonly { callerId: string; accountNumber: string; pin: string; amount: number; currency: string; dueDate: string }[] = [
  { callerId: '+14255550123', accountNumber: '1000000001', pin: '4321', amount: 42.5, currency: 'USD', dueDate: '2026-12-01' },
  { callerId: '+14255550199', accountNumber: '1000000002', pin: '1111', amount: 0, currency: 'USD', dueDate: '2026-12-15' },
];

export interface SampleBackend {
  readonly url: string;
  setDelay(delayInMs: number): void;
  close(): Promise<void>;
}

export async function startSampleBackend(options: { port?: number; host?: string; delayInMs?: number } = {}): Promise<SampleBackend> {
  let delayInMs = options.delayInMs ?? 0;
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
        return found ? reply(200, { orderNumber: order[1], ...found }) : reply(404, { error: 'notFound' });
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
        return reply(200, { amount: account.amount, currency: account.currency, dueDate: account.dueDate });
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
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
