// The local Functions host runs timer functions on their period and, like the Functions host, never
// runs one twice at once: a slow outbox sweep on a large local container must not pile up.
import { jest } from '@jest/globals';
import { pino } from 'pino';
import type { FunctionDefinition } from '../../functions/function-definition.js';
import { startLocalFunctionsHost } from '../../local/host/local-functions-host.js';

afterEach(() => {
  jest.useRealTimers();
});

describe('timer functions on the local host', () => {
  it('skips a tick while the previous run goes on, and runs again once it has finished', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    let started = 0;
    let finish: () => void = () => undefined;
    const slow: FunctionDefinition = {
      name: 'slow-timer',
      trigger: 'timer',
      schedule: '*/15 * * * * *',
      periodInMs: 15_000,
      handler: () => {
        started += 1;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    };
    const host = await startLocalFunctionsHost({ functions: [slow], logger: pino({ level: 'silent' }), port: 0 });
    try {
      host.startTimers();
      expect(started).toBe(1);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(started).toBe(1);
      finish();
      await jest.advanceTimersByTimeAsync(15_000);
      expect(started).toBe(2);
    } finally {
      finish();
      await host.close();
    }
  });
});
