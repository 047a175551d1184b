/** A request as the local servers' fault injection sees it. */
export interface FaultedRequest {
  readonly method: string;
  readonly path: string;
}

/** What every injected fault says: how many matching requests get it, after how many pass. */
export interface FaultRule {
  readonly count: number;
  /** Matching requests served as usual before the fault starts. Default 0. */
  readonly skip?: number;
  /** Which requests (default: all). */
  readonly matches?: (request: FaultedRequest) => boolean;
}

/**
 * Faults injected into a local server (tests only), served in the order they were injected: the
 * first rule with faults left that matches a request decides it.
 */
export class FaultQueue<F extends FaultRule> {
  private readonly rules: { readonly fault: F; skip: number; left: number }[] = [];
  private servedCount = 0;

  constructor(private readonly server: string) {}

  inject(fault: F): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) throw new Error(`A ${this.server} fault needs a count of 1 or more, got ${fault.count}.`);
    this.rules.push({ fault, skip: fault.skip ?? 0, left: fault.count });
  }

  /** The fault to answer this request with, or undefined to serve it as usual. */
  take(request: FaultedRequest): F | undefined {
    const rule = this.rules.find((r) => r.left > 0 && (r.fault.matches?.(request) ?? true));
    if (!rule) return undefined;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return undefined;
    }
    rule.left -= 1;
    this.servedCount += 1;
    return rule.fault;
  }

  /** Faults injected and not yet served. */
  pending(): number {
    return this.rules.reduce((sum, r) => sum + r.left, 0);
  }

  /** Requests answered with an injected fault since the start. */
  served(): number {
    return this.servedCount;
  }

  /** Drops the faults not yet served. */
  clear(): void {
    this.rules.splice(0);
  }
}
