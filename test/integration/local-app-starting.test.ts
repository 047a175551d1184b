// While `npm start` trains the app's classifiers, the local Functions host answers 503 (as a starting
// Functions host does) instead of failing calls, and `switchboard call` / `flow test` wait for it.
import { pino } from 'pino';
import { startLocalFunctionsHost, type LocalFunctionsHost } from '../../local/host/local-functions-host.js';
import { waitForLocalApp } from '../../local/cli/wait-for-app.js';

let host: LocalFunctionsHost;
let checks = 0;
let readyAfterChecks = Number.POSITIVE_INFINITY;

beforeAll(async () => {
  host = await startLocalFunctionsHost({ functions: [], logger: pino({ level: 'silent' }), port: 0, isReady: () => ++checks > readyAfterChecks });
});
afterAll(async () => {
  await host.close();
});
beforeEach(() => {
  checks = 0;
  readyAfterChecks = Number.POSITIVE_INFINITY;
});

describe('the local app while it starts', () => {
  it('answers health checks, functions and Event Grid deliveries with 503 and Retry-After until the app is ready', async () => {
    const health = await fetch(`${host.baseUrl}/api/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('1');
    expect(await health.json()).toEqual({ status: 'starting', error: 'the app is still starting' });
    expect((await fetch(`${host.baseUrl}/api/queues`)).status).toBe(503);
    expect((await fetch(`${host.eventGridUrl('incoming-call')}`, { method: 'POST', body: '[]' })).status).toBe(503);
    readyAfterChecks = 0;
    expect((await fetch(`${host.baseUrl}/api/health`)).status).toBe(200);
  });

  it('makes the CLI wait, saying so once, and go on when the app is ready', async () => {
    readyAfterChecks = 3;
    const said: string[] = [];
    expect(await waitForLocalApp({ functions: host.baseUrl, simulator: host.baseUrl }, (line) => said.push(line), { pollInMs: 0 })).toBe('ready');
    expect(checks).toBe(4);
    expect(said).toEqual(['The local stack is still starting; waiting for the app…']);
  });

  it('waits for a Functions host that is not listening yet while the local Call Automation is up; gives up after its time limit', async () => {
    const closed = await startLocalFunctionsHost({ functions: [], logger: pino({ level: 'silent' }), port: 0 });
    const notYet = closed.baseUrl;
    await closed.close();
    const said: string[] = [];
    expect(await waitForLocalApp({ functions: notYet, simulator: `${host.baseUrl}/` }, (line) => said.push(line), { timeoutInMs: 0, pollInMs: 0 })).toBe('stillStarting');
    expect(said).toEqual([]);
    expect(await waitForLocalApp({ functions: host.baseUrl, simulator: host.baseUrl }, () => undefined, { timeoutInMs: 0, pollInMs: 0 })).toBe('stillStarting');
  });

  it('does not wait for a stack that is not there', async () => {
    const closed = await startLocalFunctionsHost({ functions: [], logger: pino({ level: 'silent' }), port: 0 });
    const url = closed.baseUrl;
    await closed.close();
    expect(await waitForLocalApp({ functions: url, simulator: url }, () => undefined, { pollInMs: 0 })).toBe('notReachable');
  });
});
