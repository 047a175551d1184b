/**
 * The emulator's pending timers, so `close()` can drop them all and a call that ends can drop its
 * own. A delay of 0 runs on the next turn of the event loop, after the current HTTP response.
 */
export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  schedule(delayInMs: number, action: () => void): () => void {
    if (this.closed) return () => undefined;
    if (delayInMs <= 0) {
      const immediate = setImmediate(() => {
        this.immediates.delete(immediate);
        action();
      });
      this.immediates.add(immediate);
      return () => {
        clearImmediate(immediate);
        this.immediates.delete(immediate);
      };
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayInMs);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Resolves after the delay unless the set is closed first (then it resolves at close). */
  wait(delayInMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      this.schedule(delayInMs, done);
    });
  }

  clearAll(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const immediate of this.immediates) clearImmediate(immediate);
    this.timers.clear();
    this.immediates.clear();
    for (const done of [...this.waiters]) done();
  }
}
