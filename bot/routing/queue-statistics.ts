/**
 * Live queue statistics, from the queue document alone: minute buckets of outcomes (an hour of
 * them) plus the waiting list and member counts. Service level counts answers within the
 * threshold against answered calls plus calls abandoned after the threshold (short abandons are
 * not the queue's fault), the common contact-center convention; with no abandonment it is the
 * Erlang C service level.
 */
import type { MemberStatus, OutcomeCounts, QueueCounters, QueueDefinition, QueueState, StatsBucket } from './routing-types.js';

const bucketSeconds = 60;
const maxBuckets = 60;
/** Window over which the observed answer rate drives the expected wait. */
const expectedWaitWindowInSeconds = 15 * 60;
/** Fewer answers than this in the window and the rate is too noisy: estimate from handle time and staffing. */
const minAnswersForRate = 10;

export function createQueueCounters(): QueueCounters {
  return { bucketSeconds, maxBuckets, buckets: [], totals: { entered: 0, answered: 0, abandoned: 0, overflowed: 0 } };
}

export type QueueOutcome =
  | { kind: 'entered' }
  | { kind: 'answered'; waitedMs: number; thresholdInSeconds: number }
  | { kind: 'abandoned'; waitedMs: number; thresholdInSeconds: number }
  | { kind: 'overflowed' }
  | { kind: 'handled'; handleMs: number }
  | { kind: 'dispositioned'; disposition: string };

export function recordQueueOutcome(counters: QueueCounters, nowMs: number, outcome: QueueOutcome): void {
  const bucket = currentBucket(counters, nowMs);
  switch (outcome.kind) {
    case 'entered':
      bucket.entered++;
      counters.totals.entered++;
      return;
    case 'answered':
      bucket.answered++;
      bucket.answeredWaitSumMs += outcome.waitedMs;
      if (outcome.waitedMs <= outcome.thresholdInSeconds * 1000) bucket.answeredWithinThreshold++;
      counters.totals.answered++;
      return;
    case 'abandoned':
      bucket.abandoned++;
      if (outcome.waitedMs <= outcome.thresholdInSeconds * 1000) bucket.abandonedWithinThreshold++;
      counters.totals.abandoned++;
      return;
    case 'overflowed':
      bucket.overflowed++;
      counters.totals.overflowed++;
      return;
    case 'handled':
      bucket.handled++;
      bucket.handleSumMs += outcome.handleMs;
      return;
    case 'dispositioned':
      bucket.dispositions = { ...bucket.dispositions, [outcome.disposition]: (bucket.dispositions?.[outcome.disposition] ?? 0) + 1 };
      return;
  }
}

function currentBucket(counters: QueueCounters, nowMs: number): StatsBucket {
  const startMs = Math.floor(nowMs / (counters.bucketSeconds * 1000)) * counters.bucketSeconds * 1000;
  const last = counters.buckets[counters.buckets.length - 1];
  // A late message (older than the newest bucket) is counted in the newest bucket rather than lost.
  if (last !== undefined && last.startMs >= startMs) return last;
  const bucket: StatsBucket = { startMs, ...noOutcomes() };
  counters.buckets.push(bucket);
  const oldestKeptMs = startMs - (counters.maxBuckets - 1) * counters.bucketSeconds * 1000;
  let drop = 0;
  while (drop < counters.buckets.length && counters.buckets[drop]!.startMs < oldestKeptMs) drop++;
  if (drop > 0) counters.buckets.splice(0, drop);
  return bucket;
}

interface WindowTotals extends OutcomeCounts {
  spanInSeconds: number;
  dispositions: Record<string, number>;
}

const outcomeKeys = ['entered', 'answered', 'answeredWithinThreshold', 'abandoned', 'abandonedWithinThreshold', 'overflowed', 'answeredWaitSumMs', 'handleSumMs', 'handled'] as const satisfies readonly (keyof OutcomeCounts)[];

function noOutcomes(): OutcomeCounts {
  return Object.fromEntries(outcomeKeys.map((k) => [k, 0])) as unknown as OutcomeCounts;
}

function sumWindow(counters: QueueCounters, nowMs: number, windowInSeconds: number): WindowTotals {
  const fromMs = nowMs - windowInSeconds * 1000;
  const totals: WindowTotals = { spanInSeconds: 0, dispositions: {}, ...noOutcomes() };
  let earliestMs = nowMs;
  for (let i = counters.buckets.length - 1; i >= 0; i--) {
    const bucket = counters.buckets[i]!;
    if (bucket.startMs + counters.bucketSeconds * 1000 <= fromMs) break;
    earliestMs = Math.min(earliestMs, Math.max(bucket.startMs, fromMs));
    for (const key of outcomeKeys) totals[key] += bucket[key];
    for (const [code, count] of Object.entries(bucket.dispositions ?? {})) totals.dispositions[code] = (totals.dispositions[code] ?? 0) + count;
  }
  totals.spanInSeconds = Math.max(1, (nowMs - earliestMs) / 1000);
  return totals;
}

/** Agents working the queue right now: they are the ones who will free up for waiting callers. */
function staffedAgents(queue: QueueState): number {
  return queue.memberCounts.idle + queue.memberCounts.reserved + queue.memberCounts.onCall + (queue.memberCounts.wrapUp ?? 0);
}

/**
 * Expected wait for the caller at `position` (1-based): position over the answer rate observed
 * in the last 15 minutes; until there are enough answers, position times the average handle time
 * (measured, else the queue's default) divided by the agents working the queue.
 */
export function estimateWaitInSeconds(queue: QueueState, definition: QueueDefinition, position: number, nowMs: number): number {
  const window = sumWindow(queue.stats, nowMs, expectedWaitWindowInSeconds);
  if (window.answered >= minAnswersForRate) {
    return Math.round(position / (window.answered / window.spanInSeconds));
  }
  const handleSeconds = window.handled > 0 ? window.handleSumMs / window.handled / 1000 : definition.defaultHandleTimeInSeconds;
  return Math.round((position * handleSeconds) / Math.max(1, staffedAgents(queue)));
}

export interface QueueStatistics {
  queueId: string;
  at: string;
  /** Calls in the queue, callers on the line and callbacks keeping their place. */
  waiting: number;
  waitingCallbacks: number;
  /** Of the waiting calls, those ringing an agent right now. */
  offering: number;
  longestWaitInSeconds: number;
  /** For a caller joining now. */
  expectedWaitInSeconds: number;
  window: {
    windowInSeconds: number;
    entered: number;
    answered: number;
    abandoned: number;
    overflowed: number;
    serviceLevelThresholdInSeconds: number;
    /** Null until a call has been answered or abandoned after the threshold in the window. */
    serviceLevel: number | null;
    averageSpeedOfAnswerInSeconds: number | null;
    averageHandleTimeInSeconds: number | null;
    /** How agents said the window's calls went, by disposition code. */
    dispositions: Record<string, number>;
  };
  agents: Record<MemberStatus, number> & { loggedIn: number };
  totals: QueueCounters['totals'];
}

export function getQueueStatistics(
  queue: QueueState,
  definition: QueueDefinition,
  now: Date,
  options: { windowInSeconds?: number } = {},
): QueueStatistics {
  const nowMs = now.getTime();
  const windowInSeconds = Math.min(options.windowInSeconds ?? 30 * 60, queue.stats.bucketSeconds * queue.stats.maxBuckets);
  const window = sumWindow(queue.stats, nowMs, windowInSeconds);
  let longestWaitMs = 0;
  let callbacks = 0;
  let offering = 0;
  for (const call of queue.waiting) {
    longestWaitMs = Math.max(longestWaitMs, nowMs - call.enqueuedAtMs);
    if (call.callback !== null) callbacks++;
    if (call.offer !== null) offering++;
  }
  const slDenominator = window.answered + window.abandoned - window.abandonedWithinThreshold;
  return {
    queueId: queue.queueId,
    at: now.toISOString(),
    waiting: queue.waiting.length,
    waitingCallbacks: callbacks,
    offering,
    longestWaitInSeconds: Math.round(longestWaitMs / 1000),
    expectedWaitInSeconds: estimateWaitInSeconds(queue, definition, queue.waiting.length + 1, nowMs),
    window: {
      windowInSeconds,
      entered: window.entered,
      answered: window.answered,
      abandoned: window.abandoned,
      overflowed: window.overflowed,
      serviceLevelThresholdInSeconds: definition.serviceLevelThresholdInSeconds,
      serviceLevel: slDenominator > 0 ? window.answeredWithinThreshold / slDenominator : null,
      averageSpeedOfAnswerInSeconds: window.answered > 0 ? window.answeredWaitSumMs / window.answered / 1000 : null,
      averageHandleTimeInSeconds: window.handled > 0 ? window.handleSumMs / window.handled / 1000 : null,
      dispositions: window.dispositions,
    },
    // A queue document saved before wrap-ups existed has no count for them.
    agents: { ...queue.memberCounts, wrapUp: queue.memberCounts.wrapUp ?? 0 },
    totals: { ...queue.stats.totals },
  };
}
