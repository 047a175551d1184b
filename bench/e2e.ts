// `npm run bench -- e2e [--calls N] [--agents M] [--rate R[,R2...]] [--handle-ms H] [--answer-ms A]`
// (defaults 200 calls, 20 agents, 4 calls/s, 1000 ms, 0 ms): the whole contact center end to end on
// the local Azure, in this process. N simulated PSTN callers arrive at R calls per second, talk to
// the assistant and escalate to the billing queue; M simulated Teams agents answer A ms after their
// Teams client rings and hang up after a handle time of H ms, so they become free again. The bench
// plays the agents' hands (their ring behaviour is noAnswer and the bench accepts), which is how it
// sees the moment each one rings. Measured: calls per second answered, errors (error logs,
// abandoned or dead-lettered routing messages, calls not answered, an agent rung while on a call
// or left with a stale document), and the time from escalation (the CallQueued message reaching
// Service Bus) to the agent's Teams ringing (the invitation appearing in Call Automation). Several
// rates (`--rate 2,4,8`) run one after the other, each on a fresh stack.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { ActionRunner } from '../bot/ports.js';
import { parseQueueDefinition } from '../bot/routing/routing-messages.js';
import type { Agent } from '../bot/routing/routing-types.js';
import { ephemeralPorts, startLocalStack, type LocalStack } from '../local/local-stack.js';
import type { SampleAgent } from '../local/sample-agents.js';
import { settled } from '../test/support/stack-settled.js';
import { sure, testFlow } from '../test/support/test-assistant-flow.js';

interface RunParameters {
  readonly calls: number;
  readonly agents: number;
  readonly ratePerSecond: number;
  readonly handleTimeInMs: number;
  readonly answerAfterInMs: number;
}

interface RunResult extends RunParameters {
  /** Calls whose agent was rung and answered. */
  readonly answered: number;
  readonly errors: number;
  /** Up to ten error descriptions, for the reader. */
  readonly errorSamples: string[];
  readonly warnings: number;
  /** Arrival rate actually achieved by the bench's own scheduler. */
  readonly offeredPerSecond: number;
  /** Answered calls per second, over the span from the first to the last ring. */
  readonly answeredPerSecond: number;
  readonly escalationToRingInMs: Percentiles;
  /** Only calls that escalated while at least one agent was idle (no queueing behind busy agents). */
  readonly escalationToRingWithIdleAgentInMs: Percentiles;
  /** p50 of the first and second half of the calls (by arrival): growth means the stack fell behind. */
  readonly p50FirstHalfInMs: number;
  readonly p50SecondHalfInMs: number;
  readonly routingMessagesPerCall: number;
  /** Agents whose document disagrees with Teams at the end (presence, calls or an offer left over), by why. */
  readonly strandedAgents: Record<string, number>;
  /** Time from a routing message being locked to its completion (the `route` invocation, all queues). */
  readonly routeInvocationInMs: Percentiles;
  /** Share of the busy span during which a `route` invocation ran: near 1 means the queue's session is saturated. */
  readonly routeSessionUtilization: number;
  readonly durationInSeconds: number;
  readonly endReasons: Record<string, number>;
  /**
   * The stack kept up with the arrival rate: no errors, every call answered, answered calls per
   * second at least 95% of arrivals, and the second half's median latency at most twice the first
   * half's plus 100 ms (a backlog that grows over the run fails this).
   */
  readonly keptUp: boolean;
}

interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const callerScript = [{ say: 'my bill is wrong' }];
const actions: ActionRunner = { run: async () => ({ status: 'failed', reason: 'not used' }) };

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
  return { count: sorted.length, p50: at(50), p99: at(99), max: round(sorted.at(-1) ?? NaN) };
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number, got ${value}`);
  return parsed;
}

/** Counts the app's warn and error logs (pino level 40 / 50+) and keeps a few error messages. */
function countingLogger() {
  const counts = { warnings: 0, errors: 0, samples: [] as string[] };
  const logger = pino({ level: 'warn' }, {
    write(line: string) {
      const entry = JSON.parse(line) as { level: number; msg?: string; component?: string; err?: { message?: string }; error?: string };
      if (entry.level >= 50) {
        counts.errors++;
        if (counts.samples.length < 10) counts.samples.push(`log: ${entry.component ?? 'app'}: ${entry.msg ?? ''} ${entry.err?.message ?? entry.error ?? ''}`.trim());
      } else if (entry.level >= 40) {
        counts.warnings++;
      }
    },
  });
  return { logger, counts };
}

async function runOnce(parameters: RunParameters): Promise<RunResult> {
  const { calls, agents: agentCount, ratePerSecond, handleTimeInMs, answerAfterInMs } = parameters;
  const { logger, counts } = countingLogger();
  const errors: string[] = [];
  const agents: SampleAgent[] = Array.from({ length: agentCount }, (_, i) => ({
    agentId: `agent-${i}`,
    teamsUserId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    displayName: `Agent ${i}`,
    skills: { billing: 5 },
    queueIds: ['billing'],
    // The bench plays the agents' hands: it sees each invitation ring, then accepts it.
    ringBehaviour: { kind: 'noAnswer' },
  }));
  const stack: LocalStack = await startLocalStack({
    ports: ephemeralPorts,
    stateFolder: mkdtempSync(join(tmpdir(), 'sb-bench-e2e-')),
    logger,
    overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }),
      actions,
      queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', requiredSkills: [{ skill: 'billing', minProficiency: 1 }], ringTimeInSeconds: 20, announcementIntervalInSeconds: 0 })],
    },
    agents,
  });

  const escalatedAt = new Map<string, number>();
  const lockedAt = new Map<number, number>();
  const handlerTimes: number[] = [];
  let firstLockAt: number | undefined;
  let lastCompleteAt = 0;
  const busyAgentsAtEscalation = new Map<string, number>();
  const rings: { serverCallId: string; at: number }[] = [];
  let routingMessages = 0;
  let busyAgents = 0;
  let stopped = false;
  const stopListening = stack.serviceBus.onEvent((event) => {
    if (event.entity !== 'routing') return;
    if (event.type === 'messageEnqueued') {
      routingMessages++;
      const queued = event.messageId.indexOf(':queued:');
      if (queued > 0) {
        const callId = event.messageId.slice(0, queued);
        escalatedAt.set(callId, performance.now());
        busyAgentsAtEscalation.set(callId, busyAgents);
      }
    } else if (event.type === 'messageLocked') {
      const now = performance.now();
      firstLockAt ??= now;
      lockedAt.set(event.sequenceNumber, now);
    } else if (event.type === 'messageCompleted') {
      const locked = lockedAt.get(event.sequenceNumber);
      lastCompleteAt = performance.now();
      if (locked !== undefined) handlerTimes.push(lastCompleteAt - locked);
      lockedAt.delete(event.sequenceNumber);
    } else if (event.type === 'messageDeadLettered' || event.type === 'messageAbandoned') {
      errors.push(`routing message ${event.type === 'messageDeadLettered' ? 'dead-lettered' : 'abandoned'}`);
    }
  });

  const agentLoop = async (agent: SampleAgent): Promise<void> => {
    for (;;) {
      const invitation = await stack.callAutomation.waitForInvitation(agent.teamsUserId);
      if (stopped) return;
      rings.push({ serverCallId: invitation.serverCallId, at: performance.now() });
      if ((stack.teams.get(agent.teamsUserId)?.activeCallIds.size ?? 0) > 0) errors.push(`${agent.agentId} was rung while on a call`);
      busyAgents++;
      try {
        if (answerAfterInMs > 0) await delay(answerAfterInMs);
        stack.callAutomation.acceptInvitation(agent.teamsUserId, invitation.invitationId);
        await delay(handleTimeInMs);
        if (stack.callAutomation.teamsUserHangUp(agent.teamsUserId) === 0) errors.push(`${agent.agentId} had no call to hang up`);
      } catch (error) {
        errors.push(`${agent.agentId}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        busyAgents--;
      }
    }
  };
  for (const agent of agents) void agentLoop(agent);

  const started = performance.now();
  const placed: { simulatedCallId: string; callId: string; serverCallId: string }[] = [];
  const ends: Promise<unknown>[] = [];
  const lastArrivalDeadlineInMs = 60_000;
  for (let i = 0; i < calls; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await delay(wait);
    try {
      const call = await stack.callAutomation.placeCall({ from: `+1425${String(5_000_000 + i).padStart(7, '0')}`, to: '+12125550100', script: callerScript, whenScriptEnds: 'wait' });
      const conversation = stack.callAutomation.getConversation(call.simulatedCallId)!;
      placed.push({ simulatedCallId: call.simulatedCallId, callId: conversation.correlationId, serverCallId: conversation.serverCallId });
      ends.push(stack.callAutomation.waitForCallEnd(call.simulatedCallId, lastArrivalDeadlineInMs + handleTimeInMs + (calls - i) * 1000 / ratePerSecond)
        .catch(() => errors.push(`call ${i} did not end in time`)));
    } catch (error) {
      errors.push(`call ${i} could not be placed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const arrivalsInMs = performance.now() - started;
  await Promise.all(ends);
  await stack.callAutomation.callbacksIdle();
  await stack.graph.whenIdle();
  const durationInMs = performance.now() - started;

  // Every call must have rung exactly one agent, once, and ended only after that agent hung up.
  const ringByServerCall = new Map<string, number>();
  for (const ring of rings) {
    if (ringByServerCall.has(ring.serverCallId)) errors.push('a call rang an agent twice');
    ringByServerCall.set(ring.serverCallId, ring.at);
  }
  const endReasons: Record<string, number> = {};
  const latencies: { index: number; inMs: number; idleAgent: boolean }[] = [];
  for (const [index, call] of placed.entries()) {
    const conversation = stack.callAutomation.getConversation(call.simulatedCallId);
    const reason = conversation?.endReason ?? conversation?.state ?? 'unknown';
    endReasons[reason] = (endReasons[reason] ?? 0) + 1;
    const ringAt = ringByServerCall.get(call.serverCallId);
    const escalated = escalatedAt.get(call.callId);
    if (escalated === undefined) errors.push(`call ${index} never escalated`);
    else if (ringAt === undefined) errors.push(`call ${index} never rang an agent`);
    else latencies.push({ index, inMs: ringAt - escalated, idleAgent: (busyAgentsAtEscalation.get(call.callId) ?? 0) < agentCount });
  }

  await settled(stack);
  const agentDocuments = ((await stack.switchboard.listAgents()).body as { value: Agent[] }).value;
  const strandedAgents: Record<string, number> = {};
  for (const a of agentDocuments) {
    const teams = stack.teams.presenceOf(a.teamsUserId);
    const why = [
      ...(a.activeCallIds.length > 0 ? ['call left on the agent'] : []),
      ...(a.offer !== null ? ['offer left on the agent'] : []),
      ...(a.presence.availability !== teams?.availability || a.presence.activity !== teams?.activity ? [`presence ${a.presence.availability}/${a.presence.activity}, Teams ${teams?.availability}/${teams?.activity}`] : []),
    ];
    for (const reason of why) strandedAgents[reason] = (strandedAgents[reason] ?? 0) + 1;
    if (why.length > 0) errors.push(`${a.agentId} stranded: ${why.join('; ')}`);
  }

  stopped = true;
  stopListening();
  await stack.close();

  const ringTimes = rings.map((r) => r.at).sort((a, b) => a - b);
  const ringSpanInMs = (ringTimes.at(-1) ?? 0) - (ringTimes[0] ?? 0);
  const half = Math.floor(calls / 2);
  errors.push(...counts.samples);
  const p50FirstHalfInMs = percentiles(latencies.filter((l) => l.index < half).map((l) => l.inMs)).p50;
  const p50SecondHalfInMs = percentiles(latencies.filter((l) => l.index >= half).map((l) => l.inMs)).p50;
  const errorCount = errors.length - counts.samples.length + counts.errors;
  const offeredPerSecond = round(((placed.length - 1) * 1000) / arrivalsInMs, 2);
  const answeredPerSecond = round(((latencies.length - 1) * 1000) / Math.max(1, ringSpanInMs), 2);
  return {
    ...parameters,
    answered: latencies.length,
    errors: errorCount,
    errorSamples: errors.slice(0, 10),
    warnings: counts.warnings,
    offeredPerSecond,
    answeredPerSecond,
    escalationToRingInMs: percentiles(latencies.map((l) => l.inMs)),
    escalationToRingWithIdleAgentInMs: percentiles(latencies.filter((l) => l.idleAgent).map((l) => l.inMs)),
    p50FirstHalfInMs,
    p50SecondHalfInMs,
    routingMessagesPerCall: round(routingMessages / Math.max(1, placed.length), 1),
    routeInvocationInMs: percentiles(handlerTimes),
    routeSessionUtilization: round(handlerTimes.reduce((a, b) => a + b, 0) / Math.max(1, lastCompleteAt - (firstLockAt ?? lastCompleteAt)), 2),
    strandedAgents,
    durationInSeconds: round(durationInMs / 1000, 1),
    endReasons,
    keptUp: errorCount === 0 && latencies.length === calls && answeredPerSecond >= 0.95 * offeredPerSecond && p50SecondHalfInMs <= 2 * p50FirstHalfInMs + 100,
  };
}

export default async function e2e(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      calls: { type: 'string' },
      agents: { type: 'string' },
      rate: { type: 'string' },
      'handle-ms': { type: 'string' },
      'answer-ms': { type: 'string' },
    },
  });
  const rates = (values.rate ?? '4').split(',').map((r) => positiveNumber('rate', r, 4)).filter((r) => r > 0);
  const base = {
    calls: Math.max(2, Math.floor(positiveNumber('calls', values.calls, 200))),
    agents: Math.max(1, Math.floor(positiveNumber('agents', values.agents, 20))),
    handleTimeInMs: positiveNumber('handle-ms', values['handle-ms'], 1000),
    answerAfterInMs: positiveNumber('answer-ms', values['answer-ms'], 0),
  };
  const results: RunResult[] = [];
  for (const ratePerSecond of rates) results.push(await runOnce({ ...base, ratePerSecond }));

  console.table(results.map((r) => ({
    'calls': r.calls,
    'agents': r.agents,
    'offered /s': r.offeredPerSecond,
    'answered /s': r.answeredPerSecond,
    'answered': r.answered,
    'errors': r.errors,
    'escalation->ring p50 ms': r.escalationToRingInMs.p50,
    'p99 ms': r.escalationToRingInMs.p99,
    'max ms': r.escalationToRingInMs.max,
    'p50 1st/2nd half ms': `${r.p50FirstHalfInMs} / ${r.p50SecondHalfInMs}`,
    'route ms p50/p99': `${r.routeInvocationInMs.p50} / ${r.routeInvocationInMs.p99}`,
    'session busy': r.routeSessionUtilization,
    'stranded agents': Object.values(r.strandedAgents).reduce((a, b) => a + b, 0),
    'kept up': r.keptUp,
    'run s': r.durationInSeconds,
  })));
  for (const r of results) {
    console.log(
      `rate ${r.ratePerSecond}/s: idle agent at escalation ${r.escalationToRingWithIdleAgentInMs.count} calls, p50 ${r.escalationToRingWithIdleAgentInMs.p50} ms, p99 ${r.escalationToRingWithIdleAgentInMs.p99} ms; ` +
        `routing messages per call ${r.routingMessagesPerCall}; warnings ${r.warnings}; end reasons ${JSON.stringify(r.endReasons)}; stranded ${JSON.stringify(r.strandedAgents)}`,
    );
    for (const sample of r.errorSamples) console.log(`  error: ${sample}`);
  }
  console.log(`handle time ${base.handleTimeInMs} ms, agents answer after ${base.answerAfterInMs} ms; ${availableParallelism()} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const folder = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `e2e-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = { bench: 'e2e', at: new Date().toISOString(), cpus: availableParallelism(), loadavg: loadavg(), node: process.version, results };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results: ${file}`);
}
