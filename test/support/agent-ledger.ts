/** Agents taken for a call (offers, consults, reservations) and given back, as routing counts them. */
export class AgentLedger {
  private readonly taken = new Map<string, number>();
  private readonly released = new Map<string, number>();

  take(agentId: string): void {
    this.taken.set(agentId, (this.taken.get(agentId) ?? 0) + 1);
  }

  release(agentId: string): void {
    this.released.set(agentId, (this.released.get(agentId) ?? 0) + 1);
  }

  /** Times the agent was taken and not given back (negative: given back more often than taken). */
  holding(agentId: string): number {
    return (this.taken.get(agentId) ?? 0) - (this.released.get(agentId) ?? 0);
  }

  /** Every agent the ledger has heard of. */
  agents(): string[] {
    return [...new Set([...this.taken.keys(), ...this.released.keys()])];
  }

  /** Agents whose count is not balanced, with their count. */
  unbalanced(): Record<string, number> {
    return Object.fromEntries(this.agents().map((a) => [a, this.holding(a)]).filter(([, n]) => n !== 0));
  }
}
