// The self-service actions of the sample config over real HTTP: against the sample backend the local
// stack ships, and against a backend that breaks its contract.
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
