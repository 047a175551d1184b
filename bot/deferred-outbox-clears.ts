import type { Logger } from './logger.js';

/** An outbox entry older than this was left by an invocation that died; the next one finishes it. */
export const outboxLeaseInMs = 30_000;

/**
 * How long after an outbox entry was saved its removal may wait for the call's next save: well
 * inside the lease, after which another instance would carry the entry out again.
 */
export const defaultClearWithinInMs = 20_000;

/** How fast the share of held clears that paid follows new outcomes (a moving average). */
const shareWeight = 1 / 32;
/**
 * Below this share holding costs more than it saves: a dropped entry saves a write, one written
 * after another instance saved the call costs one or two requests more than a clear at once.
 */
const minimumPaidShare = 0.6;
/** While clears are written at once, one entry in this many is still held, to see whether it would pay again. */
const probeEvery = 8;

/** Removes a held entry by a write of its own; says how many failed ETags it met on the way. */
export type ClearWrite = () => Promise<{ readonly conflicts: number }>;

interface HeldClear {
  readonly timer: AbortController;
  readonly write: ClearWrite;
}

/**
 * Outbox entries this process has carried out in full whose removal is not written yet.
 *
 * Removing an entry on its own costs a Cosmos write. The call's next step writes the call anyway,
 * usually within seconds (the caller answers, a prompt ends), so that save drops the entry at no
 * cost. An entry whose call has no next step in time is removed by its own write, `clearWithinInMs`
 * after it was saved; `flushAll` removes the rest when the process stops. A process that dies
 * holding some leaves them to the lease, as a death between executing and clearing always did, only
 * for longer: the next callback after the lease finishes them, leaving out the plays and
 * recognitions the call has moved past (see `carryOut`).
 */
export class DeferredOutboxClears {
  private readonly held = new Map<string, Map<number, HeldClear>>();
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Entries dropped by a later save of their call; entries removed by a write of their own, and
   * how many of those met a failed ETag (another instance had saved the call).
   */
  readonly counts = { droppedBySave: 0, writtenAlone: 0, writtenAfterConflict: 0 };
  private share = 1;
  private holding = true;
  private sinceProbe = 0;

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

  /**
   * Whether to hold the next carried-out entry back. Holding pays when the call's next callback
   * comes to this process. With several instances behind a load balancer it often goes to another
   * one, which saves the call; the held entry's own write then meets a failed ETag and a re-read.
   * So while fewer than `minimumPaidShare` of the recent held entries that were settled either way
   * were dropped by a save, entries are cleared at once, except one in `probeEvery`, held to see
   * whether holding pays again. An entry written alone without a conflict (no callback came within
   * the wait) cost what a clear at once costs, and does not count.
   */
  shouldHold(): boolean {
    const holding = this.share >= minimumPaidShare;
    if (holding !== this.holding) {
      this.holding = holding;
      // Operations see when this instance's calls spread over others (a scale-out) and back.
      this.options.logger.info(
        { paidShare: Number(this.share.toFixed(2)), ...this.counts },
        holding ? 'outbox clears ride on the next save again' : "outbox clears are written at once: most calls' next callbacks go to other instances",
      );
    }
    if (holding) return true;
    this.sinceProbe = (this.sinceProbe + 1) % probeEvery;
    return this.sinceProbe === 0;
  }

  /** The moving share of settled held entries that a save of their call dropped (1 at start). */
  get paidShare(): number {
    return this.share;
  }

  /** Whether this process carried out the call's entry in full and only its removal is left. */
  has(callId: string, step: number): boolean {
    return this.held.get(callId)?.has(step) ?? false;
  }

  /** Holds back the removal of a carried-out entry; `write` removes it if no save has after `waitInMs`. */
  hold(callId: string, step: number, waitInMs: number, write: ClearWrite): void {
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
      this.share += shareWeight * (1 - this.share);
    }
    if (calls.size === 0) this.held.delete(callId);
  }

  /** Writes every removal still held back (the process is stopping). */
  async flushAll(): Promise<void> {
    const all = [...this.held].flatMap(([callId, calls]) => [...calls.keys()].map((step) => ({ callId, step })));
    for (const { callId, step } of all) this.held.get(callId)?.get(step)?.timer.abort();
    await Promise.all(all.map(({ callId, step }) => this.writeAlone(callId, step, { stopping: true })));
    await this.settled();
  }

  /** How many removals are held back now. */
  get size(): number {
    let size = 0;
    for (const calls of this.held.values()) size += calls.size;
    return size;
  }

  private async writeAlone(callId: string, step: number, options: { readonly stopping?: boolean } = {}): Promise<void> {
    const clear = this.held.get(callId)?.get(step);
    if (!clear) return;
    let conflicts: number;
    try {
      ({ conflicts } = await clear.write());
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
    // Another instance saved the call meanwhile (a process that stops says nothing about that).
    if (conflicts > 0 && !options.stopping) {
      this.counts.writtenAfterConflict++;
      this.share -= shareWeight * this.share;
    }
  }
}
