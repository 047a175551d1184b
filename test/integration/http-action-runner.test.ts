// The self-service actions of the sample config over real HTTP: against the sample backend the local
// stack ships, and against a backend that breaks its contract.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HttpActionRunner } from '../../bot/adapters/http-action-runner.js';
import { parseContactCenterConfig, type ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import { startSampleBackend, type SampleBackend } from '../../local/sample-backend/sample-backend.js';

const sampleFile = join(import.meta.dirname, '..', '..', 'config', 'contact-center.yaml');
const parsed = parseContactCenterConfig(readFileSync(sampleFile, 'utf8'), sampleFile);
if (!parsed.ok) throw new Error('the sample config does not parse');
const config: ContactCenterConfig = parsed.config;
const setting = (name: string): string => {
  const action = config.actions.find((a) => a.name === name);
  if (!action) throw new Error(`no action ${name} in the sample config`);
  return action.backendUrlSetting;
};

/** A backend that answers every request with this status and body text. */
async function startBrokenBackend(status: number, body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const request = (slots: Record<string, string>, language = 'en-US') => ({ slots, language, callerId: '+14255550123', signal: new AbortController().signal });

describe('self-service actions against the sample backend', () => {
  let backend: SampleBackend;
  let runner: HttpActionRunner;
  beforeAll(async () => {
    backend = await startSampleBackend({ clock: { now: () => new Date('2026-11-25T15:00:00Z') } });
    runner = new HttpActionRunner(config, () => backend.url);
  });
  afterAll(() => backend.close());

  it("reads an order's status with its date spoken as month and day, in the caller's language", async () => {
    await expect(runner.run('order-status', request({ orderNumber: '12345678' }))).resolves.toEqual({
      status: 'succeeded',
      say: { prompt: 'orderStatusFound', values: { orderNumber: '1 2 3 4, 5 6 7 8', status: 'shipped', date: 'November 24' } },
    });
    const spanish = await runner.run('order-status', request({ orderNumber: '12345678' }, 'es-ES'));
    expect(spanish).toMatchObject({ say: { values: { status: 'enviado', date: '24 de noviembre' } } });
  });

  it('says a status the config does not map as the backend wrote it', async () => {
    const other = await startBrokenBackend(200, JSON.stringify({ orderNumber: '12345678', status: 'held at customs', date: '2026-11-20' }));
    try {
      const result = await new HttpActionRunner(config, () => other.url).run('order-status', request({ orderNumber: '12345678' }, 'es-ES'));
      expect(result).toMatchObject({ status: 'succeeded', say: { values: { status: 'held at customs' } } });
    } finally {
      await other.close();
    }
  });

  it('asks for an unknown order number again where the action allows more lookups, else says it is not found', async () => {
    const values = { orderNumber: '9 9 9 9, 9 9 9 9' };
    await expect(runner.run('order-status', request({ orderNumber: '99999999' }))).resolves.toEqual({
      status: 'retry',
      say: { prompt: 'orderNotFoundTryAgain', values },
      slot: 'orderNumber',
      maxAttempts: 2,
      lockedSay: { prompt: 'orderNotFound', values },
    });
    const oneLookup: ContactCenterConfig = { ...config, actions: config.actions.map((a) => (a.handler === 'orderStatus' ? { ...a, maxLookups: 1 } : a)) };
    await expect(new HttpActionRunner(oneLookup, () => backend.url).run('order-status', request({ orderNumber: '99999999' }))).resolves.toEqual({
      status: 'notFound',
      say: { prompt: 'orderNotFound', values },
    });
  });

  it('reads a balance as money, and asks again for a wrong PIN', async () => {
    const right = await runner.run('account-balance', request({ accountNumber: '1000000001', pin: '4321' }));
    expect(right).toEqual({ status: 'succeeded', say: { prompt: 'balanceResult', values: { amount: '$42.50', dueDate: 'December 1' } } });
    const spanish = await runner.run('account-balance', request({ accountNumber: '1000000001', pin: '4321' }, 'es-ES'));
    expect(spanish).toMatchObject({ say: { values: { amount: '42,50 US$', dueDate: '1 de diciembre' } } });
    const wrong = await runner.run('account-balance', request({ accountNumber: '1000000001', pin: '1111' }));
    expect(wrong).toMatchObject({ status: 'retry', say: { prompt: 'pinIncorrect' }, slot: 'pin', lockedSay: { prompt: 'pinLocked' } });
  });

  it('dates its sample data from its own today: an update of yesterday, a due date still to come', async () => {
    backend.useClock({ now: () => new Date('2026-12-31T23:00:00Z') });
    try {
      expect(await runner.run('order-status', request({ orderNumber: '12345678' }))).toMatchObject({ say: { values: { date: 'December 30' } } });
      expect(await runner.run('account-balance', request({ accountNumber: '1000000001', pin: '4321' }))).toMatchObject({ say: { values: { dueDate: 'January 1' } } });
      const second = await runner.run('account-balance', { ...request({ accountNumber: '1000000002', pin: '1111' }), callerId: '+14255550199' });
      expect(second).toMatchObject({ say: { values: { dueDate: 'January 15' } } });
    } finally {
      backend.useClock({ now: () => new Date('2026-11-25T15:00:00Z') });
    }
  });
});

describe('a backend that breaks the contract fails the action, so the caller goes to a person', () => {
  it.each([
    ['an order without a status', 'order-status', '{"date":"2026-11-24"}', /order backend answered an unexpected body: .*status/],
    ['an order dated 30 February', 'order-status', '{"status":"shipped","date":"2026-02-30"}', /not a calendar day/],
    ['a balance in no known currency', 'account-balance', '{"amount":12,"currency":"dollars","dueDate":"2026-12-01"}', /ISO 4217/],
    ['a body that is not JSON', 'account-balance', '<html>502 Bad Gateway</html>', /account backend answered an unexpected body/],
  ])('%s', async (_case, action, body, reason) => {
    const broken = await startBrokenBackend(200, body);
    try {
      const runner = new HttpActionRunner(config, (name) => (name === setting(action) ? broken.url : undefined));
      const result = await runner.run(action, request({ orderNumber: '12345678', accountNumber: '1000000001', pin: '4321' }));
      expect(result).toEqual({ status: 'failed', reason: expect.stringMatching(reason) });
    } finally {
      await broken.close();
    }
  });
});

describe("dates a backend gives", () => {
  it("are said with their year when half a year or more from the caller's today", async () => {
    const backend = await startBrokenBackend(200, JSON.stringify({ amount: 42.5, currency: 'USD', dueDate: '2027-08-01' }));
    try {
      const runner = new HttpActionRunner(config, () => backend.url);
      const slots = { accountNumber: '1000000001', pin: '1234' };
      await expect(runner.run('account-balance', { ...request(slots), today: '2026-11-25' })).resolves.toMatchObject({ say: { values: { dueDate: 'August 1, 2027' } } });
      await expect(runner.run('account-balance', { ...request(slots), today: '2027-07-20' })).resolves.toMatchObject({ say: { values: { dueDate: 'August 1' } } });
    } finally {
      await backend.close();
    }
  });
});

describe('whatever a backend answers', () => {
  it('the action ends as one the call flow knows, with one of its own prompts and words for values', async () => {
    let reply = { status: 200, body: '' };
    const server: Server = createServer((_req, res) => {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const runner = new HttpActionRunner(config, () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const promptsOf = new Map(config.actions.map((a) => [a.name, new Set(Object.values(a.prompts as Record<string, string>))]));
    const field = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constant('2026-11-20'), fc.constant('shipped'), fc.constant('USD'), fc.constant(42.5));
    const body = fc.oneof(
      fc.json({ maxDepth: 2 }),
      fc.string({ maxLength: 40 }),
      fc.record({ orderNumber: field, status: field, date: field }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ balance: field, amount: field, currency: field, dueDate: field, pinValid: fc.oneof(fc.boolean(), field), attemptsLeft: field }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    );
    const seen = new Set<string>();
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 423, 429, 500, 503), body, fc.constantFrom('order-status', 'account-balance'), fc.constantFrom('en-US', 'es-ES'), async (status, text, action, language) => {
          reply = { status, body: text };
          const result = await runner.run(action, request({ orderNumber: '12345678', accountNumber: '1000000001', pin: '1234' }, language));
          expect(['succeeded', 'notFound', 'retry', 'failed', 'timedOut']).toContain(result.status);
          seen.add(result.status);
          if (result.status === 'succeeded' || result.status === 'notFound' || result.status === 'retry') {
            expect(promptsOf.get(action)?.has(result.say.prompt)).toBe(true);
            for (const value of Object.values(result.say.values ?? {})) expect(typeof value).toBe('string');
          }
        }),
        { numRuns: 300, seed: 20261207 },
      );
      // Backends that answered well, not at all, and wrongly were all among them.
      expect([...seen]).toEqual(expect.arrayContaining(['failed', 'retry', 'succeeded']));
    } finally {
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    }
  });
});
