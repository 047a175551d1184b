import type { Logger } from './logger.js';

/** An outbox entry older than this was left by an invocation that died; the next one finishes it. */
export const outboxLeaseInMs = 30_000;

/**
 * How long after an outbox entry was saved its removal may wait for the call's next save: well
 * inside the lease, after which another instance would carry the entry out again.
 */
export const defaultClearWithinInMs = 20_000;

interface HeldClear {
  readonly timer: AbortController;
  readonly write: () => Promise<void>;
}

/**
 * Outbox entries this process has carried out in full whose removal is not written yet.
 *
 * Removing an entry on its own costs a Cosmos write. The call's next step writes the call anyway,
 * usually within seconds (the caller answers, a prompt ends), so that save drops the entry at no
 * cost. An entry whose call has no next step in time is removed by its own write, `clearWithinInMs`
 * after it was saved; `flushAll` removes the rest when the process stops. A process that dies
 * holding some leaves them to the lease, and their commands are sent again (the same as a death
 * between executing and clearing, only for longer).
 */
export class DeferredOutboxClears {
  private readonly held = new Map<string, Map<number, HeldClear>>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Entries dropped by a later save of their call, and entries removed by a write of their own. */
  readonly counts = { droppedBySave: 0, writtenAlone: 0 };

  constructor(
    private readonly options: {
      /** Resolves after `ms`, or at once when `signal` aborts. */
      readonly delay: (ms: number, signal: AbortSignal) => Promise<void>;
      readonly logger: Logger;
      readonly clearWithinInMs?: number;
    },
  ) {
    if (this.clearWithinInMs >= outboxLeaseInMs) throw new Error(`clearWithinInMs must be under the outbox lease (${outboxLeaseInMs} ms)`);
  }

  get clearWithinInMs(): number {
    return this.options.clearWithinInMs ?? defaultClearWithinInMs;
  }

  /** Whether this process carried out the call's entry in full and only its removal is left. */
  has(callId: string, step: number): boolean {
    return this.held.get(callId)?.has(step) ?? false;
  }

  /** Holds back the removal of a carried-out entry; `write` removes it if no save has after `waitInMs`. */
  hold(callId: string, step: number, waitInMs: number, write: () => Promise<void>): void {
    const timer = new AbortController();
    let calls = this.held.get(callId);
    if (!calls) this.held.set(callId, (calls = new Map()));
    calls.get(step)?.timer.abort();
    calls.set(step, { timer, write });
    const waited = this.options.delay(Math.max(0, waitInMs), timer.signal).then(() => (timer.signal.aborted ? undefined : this.writeAlone(callId, step)));
    this.inFlight.add(waited);
    void waited.finally(() => this.inFlight.delete(waited));
  }

  /** Resolves once every wait started so far has ended and its write, if any, is done. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** A save of the call left these entries out: there is nothing left to write for them. */
  dropped(callId: string, steps: readonly number[]): void {
    const calls = this.held.get(callId);
    if (!calls) return;
    for (const step of steps) {
      const clear = calls.get(step);
      if (!clear) continue;
      clear.timer.abort();
      calls.delete(step);
      this.counts.droppedBySave++;
    }
    if (calls.size === 0) this.held.delete(callId);
  }

  /** Writes every removal still held back (the process is stopping). */
  async flushAll(): Promise<void> {
    const all = [...this.held].flatMap(([callId, calls]) => [...calls.keys()].map((step) => ({ callId, step })));
    for (const { callId, step } of all) this.held.get(callId)?.get(step)?.timer.abort();
    await Promise.all(all.map(({ callId, step }) => this.writeAlone(callId, step)));
    await this.settled();
  }

  /** How many removals are held back now. */
  get size(): number {
    let size = 0;
    for (const calls of this.held.values()) size += calls.size;
    return size;
  }

  private async writeAlone(callId: string, step: number): Promise<void> {
    const clear = this.held.get(callId)?.get(step);
    if (!clear) return;
    try {
      await clear.write();
    } catch (error) {
      // Kept: the call's next save still drops it, or the next flush tries again.
      this.options.logger.warn({ callId, step, error: error instanceof Error ? error.message : String(error) }, 'could not clear a carried-out outbox entry');
      return;
    }
    const calls = this.held.get(callId);
    if (calls?.get(step) !== clear) return;
    calls.delete(step);
    if (calls.size === 0) this.held.delete(callId);
    this.counts.writtenAlone++;
  }
}
