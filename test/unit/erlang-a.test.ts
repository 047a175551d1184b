import { agentsNeededErlangA, erlangAPerformance, erlangCPerformance } from '../../bot/routing/erlang.js';

const load = { arrivalRatePerSecond: 100 / 1800, averageHandleTimeInSeconds: 180 };

/** Poisson(mean) probabilities 0..max, computed directly. */
function poisson(mean: number, max: number): number[] {
  const p = [Math.exp(-mean)];
  for (let k = 1; k <= max; k++) p.push((p[k - 1]! * mean) / k);
  return p;
}

describe('Erlang A', () => {
  it('with patience far longer than any wait, equals Erlang C (the limit theta -> 0)', () => {
    for (const agents of [11, 14, 20]) {
      const a = erlangAPerformance(load, agents, { averagePatienceInSeconds: 1e9, targetAnswerTimeInSeconds: 20 });
      const c = erlangCPerformance(load, agents, 20);
      expect(a.probabilityOfWaiting).toBeCloseTo(c.probabilityOfWaiting, 6);
      expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 6);
      expect(a.averageSpeedOfAnswerInSeconds / c.averageSpeedOfAnswerInSeconds).toBeCloseTo(1, 5);
      expect(a.probabilityOfAbandonment).toBeLessThan(1e-6);
    }
  });

  it('with patience equal to the handle time, matches the exact Poisson solution (people in the system ~ Poisson(A))', () => {
    // When theta = mu every person present leaves at the same rate, so the count is Poisson(A).
    const agents = 14;
    const a = erlangAPerformance(load, agents, { averagePatienceInSeconds: 180, targetAnswerTimeInSeconds: 20 });
    const p = poisson(10, 200);
    const waiting = p.slice(agents).reduce((s, x) => s + x, 0);
    const queued = p.reduce((s, x, k) => s + Math.max(0, k - agents) * x, 0);
    expect(a.probabilityOfWaiting).toBeCloseTo(waiting, 10);
    expect(a.averageQueueLength).toBeCloseTo(queued, 10);
    // Abandonment rate = theta E[queue] / lambda.
    expect(a.probabilityOfAbandonment).toBeCloseTo(((1 / 180) * queued) / (100 / 1800), 10);
  });

  it('service level agrees with an independent integration of the waiting-time equations', () => {
    const agents = 11;
    const patience = 60;
    const target = 20;
    const a = erlangAPerformance(load, agents, { averagePatienceInSeconds: patience, targetAnswerTimeInSeconds: target });

    // Stationary distribution from scratch, states 0..400.
    const lambda = 100 / 1800;
    const mu = 1 / 180;
    const theta = 1 / patience;
    const weights = [1];
    for (let k = 1; k <= 400; k++) weights.push((weights[k - 1]! * lambda) / (Math.min(k, agents) * mu + Math.max(0, k - agents) * theta));
    const total = weights.reduce((s, x) => s + x, 0);
    const pi = weights.map((x) => x / total);
    // x[i]: probability of callers with i others still ahead, who will be answered; RK4 in time.
    const rate = (i: number): number => agents * mu + (i + 1) * theta;
    let x = pi.slice(agents).map((p, j) => (p * agents * mu) / (agents * mu + (j + 1) * theta));
    const derivative = (v: number[]): number[] => v.map((value, i) => -rate(i) * value + (i + 1 < v.length ? rate(i + 1) * v[i + 1]! : 0));
    let answered = 0;
    const dt = 0.002;
    for (let t = 0; t < target - 1e-9; t += dt) {
      const k1 = derivative(x);
      const k2 = derivative(x.map((v, i) => v + (dt / 2) * k1[i]!));
      const k3 = derivative(x.map((v, i) => v + (dt / 2) * k2[i]!));
      const k4 = derivative(x.map((v, i) => v + dt * k3[i]!));
      const flow = (v: number[]): number => rate(0) * v[0]!;
      answered += (dt / 6) * (flow(x) + 2 * flow(x.map((v, i) => v + (dt / 2) * k1[i]!)) + 2 * flow(x.map((v, i) => v + (dt / 2) * k2[i]!)) + flow(x.map((v, i) => v + dt * k3[i]!)));
      x = x.map((v, i) => v + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
    }
    const immediate = pi.slice(0, agents).reduce((s, p) => s + p, 0);
    expect(a.serviceLevel).toBeCloseTo(immediate + answered, 6);
  });

  it('abandonment seen two ways agrees: 1 - P(answered) = theta E[queue] / lambda', () => {
    for (const [agents, patience] of [[9, 30], [11, 120], [13, 600]] as const) {
      const a = erlangAPerformance(load, agents, { averagePatienceInSeconds: patience, targetAnswerTimeInSeconds: 20 });
      expect(a.probabilityOfAbandonment).toBeCloseTo(((1 / patience) * a.averageQueueLength) / (100 / 1800), 9);
    }
  });

  it('stays defined when there are fewer agents than Erlangs (callers leave, so the queue is bounded)', () => {
    const a = erlangAPerformance(load, 8, { averagePatienceInSeconds: 120, targetAnswerTimeInSeconds: 20 });
    expect(a.probabilityOfAbandonment).toBeGreaterThan(0.1);
    expect(a.occupancy).toBeLessThanOrEqual(1);
    expect(a.serviceLevel).toBeGreaterThan(0);
  });

  it('needs fewer agents than Erlang C for the same target, since impatient callers leave', () => {
    const target = { targetServiceLevel: 0.8, targetAnswerTimeInSeconds: 20 };
    expect(agentsNeededErlangA(load, 120, target)).toBe(12);
    expect(agentsNeededErlangA(load, 120, { ...target, maxAbandonmentRate: 0.01 })).toBeGreaterThan(12);
  });
});
