/**
 * Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M, exponential patience) for staffing and for
 * checking the router against theory. Numerically stable: no factorials or powers; Erlang B by
 * its recursion, Erlang C from Erlang B, Erlang A by its birth-death chain relative to state n.
 *
 * Conventions: traffic A = arrival rate x average handle time (Erlangs); service level = the
 * fraction of offered calls answered within the target time (for Erlang A, abandoned calls count
 * as not answered).
 */

export interface QueueLoad {
  arrivalRatePerSecond: number;
  averageHandleTimeInSeconds: number;
}

export function trafficInErlangs(load: QueueLoad): number {
  return load.arrivalRatePerSecond * load.averageHandleTimeInSeconds;
}

/** Blocking probability with `agents` servers and no queue: B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)). */
export function erlangB(agents: number, trafficInErlangs: number): number {
  assertAgents(agents);
  let blocking = 1;
  for (let k = 1; k <= agents; k++) blocking = (trafficInErlangs * blocking) / (k + trafficInErlangs * blocking);
  return blocking;
}

/** Probability that a call has to wait (M/M/n); 1 when agents <= traffic (the queue grows without bound). */
export function erlangC(agents: number, trafficInErlangs: number): number {
  assertAgents(agents);
  if (agents <= trafficInErlangs) return 1;
  const blocking = erlangB(agents, trafficInErlangs);
  return (agents * blocking) / (agents - trafficInErlangs * (1 - blocking));
}

export interface ErlangCPerformance {
  agents: number;
  trafficInErlangs: number;
  occupancy: number;
  probabilityOfWaiting: number;
  /** Fraction of calls answered within the target: 1 - C e^{-(n - A) t / AHT}. */
  serviceLevel: number;
  /** Mean wait over all calls: C AHT / (n - A). */
  averageSpeedOfAnswerInSeconds: number;
  targetAnswerTimeInSeconds: number;
}

export function erlangCPerformance(load: QueueLoad, agents: number, targetAnswerTimeInSeconds: number): ErlangCPerformance {
  const traffic = trafficInErlangs(load);
  const aht = load.averageHandleTimeInSeconds;
  const waiting = erlangC(agents, traffic);
  const stable = agents > traffic;
  return {
    agents,
    trafficInErlangs: traffic,
    occupancy: Math.min(1, traffic / agents),
    probabilityOfWaiting: waiting,
    serviceLevel: stable ? 1 - waiting * Math.exp((-(agents - traffic) * targetAnswerTimeInSeconds) / aht) : 0,
    averageSpeedOfAnswerInSeconds: stable ? (waiting * aht) / (agents - traffic) : Number.POSITIVE_INFINITY,
    targetAnswerTimeInSeconds,
  };
}

export interface StaffingTarget {
  targetServiceLevel: number;
  targetAnswerTimeInSeconds: number;
  /** Optional further limits that also have to hold. */
  maxOccupancy?: number;
  maxAverageSpeedOfAnswerInSeconds?: number;
  /** Erlang A only. */
  maxAbandonmentRate?: number;
}

const maxStaffingSearch = 100_000;

/** The fewest agents meeting the target under Erlang C. */
export function agentsNeededErlangC(load: QueueLoad, target: StaffingTarget): number {
  let agents = Math.max(1, Math.floor(trafficInErlangs(load)) + 1);
  for (; agents < maxStaffingSearch; agents++) {
    const p = erlangCPerformance(load, agents, target.targetAnswerTimeInSeconds);
    if (p.serviceLevel < target.targetServiceLevel) continue;
    if (target.maxOccupancy !== undefined && p.occupancy > target.maxOccupancy) continue;
    if (target.maxAverageSpeedOfAnswerInSeconds !== undefined && p.averageSpeedOfAnswerInSeconds > target.maxAverageSpeedOfAnswerInSeconds) continue;
    return agents;
  }
  throw new RangeError('Staffing search did not converge');
}

export interface ErlangAPerformance {
  agents: number;
  trafficInErlangs: number;
  /** Fraction of agent time busy: answered traffic over agents. */
  occupancy: number;
  probabilityOfWaiting: number;
  probabilityOfAbandonment: number;
  /** Answered within the target over all offered calls. */
  serviceLevel: number;
  /** Mean wait of the calls that are answered. */
  averageSpeedOfAnswerInSeconds: number;
  /** Mean time in queue over all calls, abandoning ones included (Little's law). */
  averageWaitInSeconds: number;
  averageQueueLength: number;
  targetAnswerTimeInSeconds: number;
}

/** Queue states kept beyond this much relative probability are negligible. */
const tailEpsilon = 1e-15;
const maxQueueStates = 200_000;

/**
 * Erlang A: callers abandon after an exponential patience with the given mean. The stationary
 * distribution is computed relative to state n (all agents busy, nobody queued): below n it is the
 * Erlang B system, above it each step multiplies by lambda / (n mu + j theta).
 *
 * A caller who finds j others queued is answered with probability n mu / (n mu + (j + 1) theta),
 * and then after a hypoexponential wait with rates n mu + i theta (i = 1..j+1); the service level
 * sums those waits' distribution functions, evaluated by uniformization.
 */
export function erlangAPerformance(
  load: QueueLoad,
  agents: number,
  options: { averagePatienceInSeconds: number; targetAnswerTimeInSeconds: number },
): ErlangAPerformance {
  assertAgents(agents);
  const lambda = load.arrivalRatePerSecond;
  const mu = 1 / load.averageHandleTimeInSeconds;
  const theta = 1 / options.averagePatienceInSeconds;
  const traffic = lambda / mu;
  const t = options.targetAnswerTimeInSeconds;
  if (!(theta > 0) || !Number.isFinite(theta)) throw new RangeError('Erlang A needs a positive, finite average patience');
  const serviceRate = agents * mu;

  // Relative probabilities of j callers queued (j >= 0), r_0 = 1 for state n.
  const relative: number[] = [1];
  let sumRelative = 1;
  for (let j = 1; j < maxQueueStates; j++) {
    const next = (relative[j - 1]! * lambda) / (serviceRate + j * theta);
    relative.push(next);
    sumRelative += next;
    if (next < tailEpsilon * sumRelative && lambda < serviceRate + j * theta) break;
  }
  const stateN = 1 / (1 / erlangB(agents, traffic) - 1 + sumRelative);

  let probabilityOfWaiting = 0;
  let queueLength = 0;
  let answeredAfterWait = 0;
  let answeredWaitSum = 0;
  let waitSumOfAnswered = 0;
  for (let j = 0; j < relative.length; j++) {
    const p = stateN * relative[j]!;
    probabilityOfWaiting += p;
    queueLength += j * p;
    const answered = serviceRate / (serviceRate + (j + 1) * theta);
    answeredAfterWait += p * answered;
    waitSumOfAnswered += 1 / (serviceRate + (j + 1) * theta);
    answeredWaitSum += p * answered * waitSumOfAnswered;
  }
  const answeredWithin = answeredWithinTarget(relative, stateN, serviceRate, theta, t);
  const probabilityOfAnswer = 1 - probabilityOfWaiting + answeredAfterWait;
  return {
    agents,
    trafficInErlangs: traffic,
    occupancy: (lambda * probabilityOfAnswer) / serviceRate,
    probabilityOfWaiting,
    probabilityOfAbandonment: 1 - probabilityOfAnswer,
    serviceLevel: 1 - probabilityOfWaiting + answeredWithin,
    averageSpeedOfAnswerInSeconds: answeredWaitSum / probabilityOfAnswer,
    averageWaitInSeconds: queueLength / lambda,
    averageQueueLength: queueLength,
    targetAnswerTimeInSeconds: t,
  };
}

/**
 * Sum over j of P(j queued) x P(answered within t | j). Given it is answered, the wait of a
 * caller who found j queued is a sum of exponentials with rates s_i = n mu + (i + 1) theta,
 * i = 0..j. Uniformized at rate s_J (the largest), u_k[i] = P(done within k steps | i steps
 * left) follows u_{k+1}[i] = (s_i/L) u_k[i-1] + (1 - s_i/L) u_k[i], weighted by Poisson(L t).
 */
function answeredWithinTarget(relative: readonly number[], stateN: number, serviceRate: number, theta: number, t: number): number {
  if (t <= 0) return 0;
  const states = relative.length;
  const rates = Float64Array.from({ length: states }, (_, i) => serviceRate + (i + 1) * theta);
  const uniform = rates[states - 1]!;
  const mean = uniform * t;
  const steps = Math.ceil(mean + 10 * Math.sqrt(mean) + 20);
  let u = new Float64Array(states);
  let next = new Float64Array(states);
  // Poisson weights by recursion from the mode keep every factor representable for large means.
  const weights = poissonWeights(mean, steps);
  const cdf = new Float64Array(states);
  for (let k = 0; k <= steps; k++) {
    const w = weights[k]!;
    if (w > 0) for (let i = 0; i < states; i++) cdf[i] = cdf[i]! + w * u[i]!;
    for (let i = 0; i < states; i++) {
      const move = rates[i]! / uniform;
      next[i] = move * (i === 0 ? 1 : u[i - 1]!) + (1 - move) * u[i]!;
    }
    [u, next] = [next, u];
  }
  let total = 0;
  for (let j = 0; j < states; j++) total += stateN * relative[j]! * (serviceRate / rates[j]!) * cdf[j]!;
  return total;
}

function poissonWeights(mean: number, last: number): Float64Array {
  const weights = new Float64Array(last + 1);
  const mode = Math.min(last, Math.floor(mean));
  weights[mode] = 1;
  for (let k = mode + 1; k <= last; k++) weights[k] = (weights[k - 1]! * mean) / k;
  for (let k = mode - 1; k >= 0; k--) weights[k] = (weights[k + 1]! * (k + 1)) / mean;
  let sum = 0;
  for (const w of weights) sum += w;
  for (let k = 0; k <= last; k++) weights[k] = weights[k]! / sum;
  return weights;
}

/** The fewest agents meeting the target under Erlang A (always stable: callers leave). */
export function agentsNeededErlangA(load: QueueLoad, averagePatienceInSeconds: number, target: StaffingTarget): number {
  for (let agents = 1; agents < maxStaffingSearch; agents++) {
    const p = erlangAPerformance(load, agents, { averagePatienceInSeconds, targetAnswerTimeInSeconds: target.targetAnswerTimeInSeconds });
    if (p.serviceLevel < target.targetServiceLevel) continue;
    if (target.maxOccupancy !== undefined && p.occupancy > target.maxOccupancy) continue;
    if (target.maxAverageSpeedOfAnswerInSeconds !== undefined && p.averageSpeedOfAnswerInSeconds > target.maxAverageSpeedOfAnswerInSeconds) continue;
    if (target.maxAbandonmentRate !== undefined && p.probabilityOfAbandonment > target.maxAbandonmentRate) continue;
    return agents;
  }
  throw new RangeError('Staffing search did not converge');
}

function assertAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 1) throw new RangeError(`agents must be a positive integer, got ${agents}`);
}
