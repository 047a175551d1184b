import { pino } from 'pino';
import { DeferredOutboxClears, outboxLeaseInMs } from '../../bot/deferred-outbox-clears.js';

/** Waits that never end by themselves: only an abort (or the test) ends them. */
const endless = (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
/** Waits that are over at once: every held clear is written by its timer. */
const instant = async () => undefined;
const silent = pino({ level: 'silent' });
const written = (into: string[], name: string, conflicts = 0) => async () => {
  into.push(name);
  return { conflicts };
};

describe('held-back outbox clears', () => {
  it('writes every removal still held when the process stops, and nothing twice', async () => {
    const clears = new DeferredOutboxClears({ delay: endless, logger: silent });
    const writes: string[] = [];
    clears.hold('a', 3, 20_000, written(writes, 'a:3'));
    clears.hold('a', 5, 20_000, written(writes, 'a:5'));
    clears.hold('b', 2, 20_000, written(writes, 'b:2'));
    clears.dropped('a', [3]);
    await clears.flushAll();
    expect(writes.sort()).toEqual(['a:5', 'b:2']);
    expect(clears.size).toBe(0);
    expect(clears.counts).toEqual({ droppedBySave: 1, writtenAlone: 2, writtenAfterConflict: 0 });
    await clears.flushAll();
    expect(writes).toHaveLength(2);
  });

  it('keeps a removal whose write failed, so the call\'s next save or the next flush still makes it', async () => {
    const clears = new DeferredOutboxClears({ delay: endless, logger: silent });
    let fail = true;
    const writes: string[] = [];
    clears.hold('c', 7, 20_000, async () => {
      if (fail) throw new Error('Cosmos is unreachable');
      return written(writes, 'c:7')();
    });
    await clears.flushAll();
    expect(clears.has('c', 7)).toBe(true);
    fail = false;
    await clears.flushAll();
    expect(writes).toEqual(['c:7']);
    expect(clears.has('c', 7)).toBe(false);
  });

  it('waits no less than nothing, and refuses a wait as long as the lease (another instance would send the commands again)', async () => {
    const asked: number[] = [];
    const clears = new DeferredOutboxClears({ delay: async (ms) => void asked.push(ms), logger: silent });
    clears.hold('d', 1, -4_000, written([], 'd:1'));
    await clears.settled();
    expect(asked).toEqual([0]);
    expect(clears.counts.writtenAlone).toBe(1);
    expect(() => new DeferredOutboxClears({ delay: endless, logger: silent, clearWithinInMs: outboxLeaseInMs })).toThrow(/under the outbox lease/);
  });

  it('clears at once, probing one entry in eight, while the calls\' next callbacks mostly go to other instances; holds again once holding pays', async () => {
    const lines: string[] = [];
    const clears = new DeferredOutboxClears({ delay: instant, logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }) });
    const writes: string[] = [];
    // Each held entry's call was saved by another instance meanwhile: its own write met a failed ETag.
    let step = 0;
    while (clears.shouldHold()) {
      clears.hold('e', ++step, 20_000, written(writes, `e:${step}`, 1));
      await clears.settled();
    }
    expect(step).toBeGreaterThan(10);
    expect(clears.paidShare).toBeLessThan(0.6);
    expect(Array.from({ length: 16 }, () => clears.shouldHold()).filter(Boolean)).toHaveLength(2);

    // After a scale-in the next callbacks come here again: saves drop the probes.
    let probes = 0;
    for (let i = 0; i < 1000 && clears.paidShare < 0.6; i++) {
      if (!clears.shouldHold()) continue;
      probes++;
      clears.hold('f', i, 20_000, written(writes, `f:${i}`));
      clears.dropped('f', [i]);
    }
    await clears.settled();
    expect(probes).toBeGreaterThan(0);
    expect(probes).toBeLessThan(20);
    expect(clears.shouldHold()).toBe(true);
    expect(writes.filter((w) => w.startsWith('f:'))).toEqual([]);
    // Operations are told of each switch, once.
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      "outbox clears are written at once: most calls' next callbacks go to other instances",
      'outbox clears ride on the next save again',
    ]);
  });

  it('does not count a write alone that met no other save against holding: the call just had no callback in time', async () => {
    const clears = new DeferredOutboxClears({ delay: instant, logger: silent });
    for (let step = 1; step <= 100; step++) {
      clears.hold('g', step, 20_000, written([], `g:${step}`));
      await clears.settled();
    }
    expect(clears.paidShare).toBe(1);
    expect(clears.shouldHold()).toBe(true);
  });
});
