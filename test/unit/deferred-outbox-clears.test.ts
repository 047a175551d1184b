import { pino } from 'pino';
import { DeferredOutboxClears, outboxLeaseInMs } from '../../bot/deferred-outbox-clears.js';

/** Waits that never end by themselves: only an abort (or the test) ends them. */
const endless = (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
const silent = pino({ level: 'silent' });

describe('held-back outbox clears', () => {
  it('writes every removal still held when the process stops, and nothing twice', async () => {
    const clears = new DeferredOutboxClears({ delay: endless, logger: silent });
    const written: string[] = [];
    clears.hold('a', 3, 20_000, async () => void written.push('a:3'));
    clears.hold('a', 5, 20_000, async () => void written.push('a:5'));
    clears.hold('b', 2, 20_000, async () => void written.push('b:2'));
    clears.dropped('a', [3]);
    await clears.flushAll();
    expect(written.sort()).toEqual(['a:5', 'b:2']);
    expect(clears.size).toBe(0);
    expect(clears.counts).toEqual({ droppedBySave: 1, writtenAlone: 2 });
    await clears.flushAll();
    expect(written).toHaveLength(2);
  });

  it('keeps a removal whose write failed, so the call\'s next save or the next flush still makes it', async () => {
    const clears = new DeferredOutboxClears({ delay: endless, logger: silent });
    let fail = true;
    const written: number[] = [];
    clears.hold('c', 7, 20_000, async () => {
      if (fail) throw new Error('Cosmos is unreachable');
      written.push(7);
    });
    await clears.flushAll();
    expect(clears.has('c', 7)).toBe(true);
    fail = false;
    await clears.flushAll();
    expect(written).toEqual([7]);
    expect(clears.has('c', 7)).toBe(false);
  });

  it('waits no less than nothing, and refuses a wait as long as the lease (another instance would send the commands again)', async () => {
    const asked: number[] = [];
    const clears = new DeferredOutboxClears({ delay: async (ms) => void asked.push(ms), logger: silent });
    clears.hold('d', 1, -4_000, async () => undefined);
    await clears.settled();
    expect(asked).toEqual([0]);
    expect(clears.counts.writtenAlone).toBe(1);
    expect(() => new DeferredOutboxClears({ delay: endless, logger: silent, clearWithinInMs: outboxLeaseInMs })).toThrow(/under the outbox lease/);
  });
});
