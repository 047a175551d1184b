import { pino } from 'pino';
import { StoreUnavailable } from '../../bot/ports.js';
import { storeRetries } from '../../bot/store-retries.js';

const unavailable = new StoreUnavailable('save call', 'status 503');

function retries(startAt: number) {
  let now = startAt;
  const waits: number[] = [];
  const deps = {
    clock: { now: () => new Date(now) },
    delay: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    logger: pino({ level: 'silent' }),
  };
  return { tries: storeRetries(deps, { callId: 'c1', what: 'step' }), waits, pass: (ms: number) => (now += ms) };
}

describe('tries while the call store is unavailable', () => {
  it('waits 0.1, 0.2, 0.4, 0.8 and 1.6 s between tries, then gives up', async () => {
    const { tries, waits } = retries(0);
    const answers: boolean[] = [];
    for (let i = 0; i < 6; i++) answers.push(await tries.waited(unavailable));
    expect(answers).toEqual([true, true, true, true, true, false]);
    expect(waits).toEqual([100, 200, 400, 800, 1600]);
  });

  it('starts no try more than 6 s after the first, however long each try took (a throttled request waits up to 5 s)', async () => {
    const { tries, waits, pass } = retries(Date.parse('2026-12-07T10:00:00Z'));
    pass(5_000); // the first try waited out throttling
    expect(await tries.waited(unavailable)).toBe(true);
    pass(800); // the second one too, for a while
    expect(await tries.waited(unavailable)).toBe(false);
    expect(waits).toEqual([100]);
  });
});
