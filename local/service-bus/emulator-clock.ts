/** A timer the emulator can cancel. */
export interface EmulatorTimer {
  cancel(): void;
}

/**
 * Time as the Service Bus emulator sees it: lock expiry, scheduled enqueue times, session locks and
 * duplicate-detection windows all read `now()` and wait with `setTimer`.
 */
export interface EmulatorClock {
  now(): number;
  setTimer(callback: () => void, delayInMs: number): EmulatorTimer;
  /**
   * Fires at `dueAtMs` on this clock. Timers due at the same time fire in the order they were set:
   * two messages scheduled for one instant are enqueued in the order they were scheduled (a delay
   * computed from a second reading of the clock could put them a millisecond apart, either way).
   */
  setTimerAt(callback: () => void, dueAtMs: number): EmulatorTimer;
}

export const systemEmulatorClock: EmulatorClock = {
  now: () => Date.now(),
  setTimer(callback, delayInMs) {
    const handle = setTimeout(callback, Math.max(0, delayInMs));
    return { cancel: () => clearTimeout(handle) };
  },
  setTimerAt(callback, dueAtMs) {
    return systemEmulatorClock.setTimer(callback, dueAtMs - Date.now());
  },
};

interface PendingTimer {
  readonly dueAtMs: number;
  readonly callback: () => void;
  handle: NodeJS.Timeout;
}

/**
 * Real time that a test can move forward. `advanceBy` jumps the clock and fires every timer that
 * became due, synchronously and in due order, so a test can expire a lock or release a scheduled
 * message without waiting. The emulator's clock then runs ahead of `Date.now()`; the SDK only reads
 * the emulator's times to plan lock renewals, which a jump ahead makes later, never earlier.
 */
export class AdjustableClock implements EmulatorClock {
  private offsetInMs = 0;
  private readonly pending = new Set<PendingTimer>();

  now(): number {
    return Date.now() + this.offsetInMs;
  }

  setTimer(callback: () => void, delayInMs: number): EmulatorTimer {
    return this.setTimerAt(callback, this.now() + Math.max(0, delayInMs));
  }

  setTimerAt(callback: () => void, dueAtMs: number): EmulatorTimer {
    const timer: PendingTimer = {
      dueAtMs,
      callback,
      handle: setTimeout(() => this.fire(timer), Math.max(0, dueAtMs - this.now())),
    };
    this.pending.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer.handle);
        this.pending.delete(timer);
      },
    };
  }

  advanceBy(durationInMs: number): void {
    this.offsetInMs += durationInMs;
    const now = this.now();
    const due = [...this.pending].filter((t) => t.dueAtMs <= now).sort((a, b) => a.dueAtMs - b.dueAtMs);
    for (const timer of due) this.fire(timer);
    // Timers not yet due keep their real-time handle but must now wait less.
    for (const timer of this.pending) {
      clearTimeout(timer.handle);
      timer.handle = setTimeout(() => this.fire(timer), Math.max(0, timer.dueAtMs - now));
    }
  }

  private fire(timer: PendingTimer): void {
    if (!this.pending.delete(timer)) return;
    clearTimeout(timer.handle);
    timer.callback();
  }
}
