/**
 * A contact center on a virtual clock, driven through the real routing decider: Poisson arrivals,
 * exponential handle times, optional exponential patience (abandonment), agents who may miss
 * offers. The simulator plays the shell exactly as the contract asks (agent documents changed only
 * through applyAgentCommand, reservations refused when the agent is taken, agent changes fanned
 * out to every queue of the agent), so what it measures is the decider's behaviour. Pure and
 * deterministic for a given seed.
 */
import { isAgentEligible } from './agent-eligibility.js';
import { applyAgentCommand, endAgentCall, isAgentCommand } from './apply-agent-command.js';
import { decideRouting } from './decide-routing.js';
import { createQueueState } from './queue-state.js';
import type { RoutingCommand } from './routing-commands.js';
import type { RoutingMessage } from './routing-messages.js';
import { routingSchemaVersion, type Agent, type QueueDefinition, type QueueState, type RoutingContext, type SkillRequirement } from './routing-types.js';

/** xoshiro128** seeded through splitmix32: uniform numbers in [0, 1). */
export function createSeededRandom(seed: number): () => number {
  let state = seed | 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state ^ (state >>> 16);
    z = Math.imul(z, 0x21f0aaad);
    z ^= z >>> 15;
    z = Math.imul(z, 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return (result >>> 0) / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function sampleExponential(random: () => number, mean: number): number {
  return -mean * Math.log(1 - random());
}

export interface SimulatedCallType {
  name: string;
  queueId: string;
  arrivalRatePerSecond: number;
  requiredSkills: SkillRequirement[];
  priority?: number;
  averageHandleTimeInSeconds: number;
}

export interface SimulationScenario {
  queues: QueueDefinition[];
  agents: Agent[];
  callTypes: SimulatedCallType[];
  /** Calls counted after the warm-up; the run stops once this many have arrived. */
  calls: number;
  warmupCalls: number;
  seed: number;
  /** Service level target used for the simulation's own measurement. */
  targetAnswerTimeInSeconds: number;
  /** Mean caller patience; null or absent: callers never hang up. */
  averagePatienceInSeconds?: number | null;
  /** Chance that an agent answers an offer (else it rings out); 1 by default. */
  answerProbability?: number;
  answerDelayInSeconds?: number;
  /** Handle time multiplier by the answering agent's proficiency in the call's first skill. */
  handleTimeFactor?: (proficiency: number | undefined) => number;
  /** An agent made not ready for missed offers is back after this long. */
  notReadyForSeconds?: number;
  /** Batches for the batch-means confidence interval. */
  batches?: number;
}

export interface Estimate {
  value: number;
  /** Half width of the 95 % confidence interval from batch means. */
  ci95: number;
}

export interface CallTypeResult {
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number;
  averageSpeedOfAnswerInSeconds: number;
  averageProficiency: number;
  /**
   * The lowest proficiency in the call's first required skill among the agents who answered it
   * (0 for an agent without the skill); null when no call with a required skill was answered.
   */
  lowestProficiency: number | null;
}

export interface SimulationResult {
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  /** Answered within the target over all offered calls (abandoned ones included). */
  serviceLevel: Estimate;
  probabilityOfWaiting: Estimate;
  averageSpeedOfAnswerInSeconds: Estimate;
  abandonmentRate: Estimate;
  occupancy: number;
  averageHandleTimeInSeconds: number;
  /** Calls answered per agent: mean and coefficient of variation (fairness). */
  callsPerAgent: { mean: number; coefficientOfVariation: number };
  /** Proficiency of the answering agent in the call's first required skill. */
  averageProficiency: number;
  perCallType: Record<string, CallTypeResult>;
  decisions: number;
  reservationsRefused: number;
  agentsMadeNotReady: number;
  simulatedSeconds: number;
}

interface SimCall {
  index: number;
  type: SimulatedCallType;
  queueId: string;
  arrivedMs: number;
  answeredMs: number | null;
  outcome: 'waiting' | 'answered' | 'abandoned' | 'overflowed';
  proficiency: number | undefined;
  /** The answering agent's level in the call's first required skill, 0 without it; undefined when none is required. */
  answeringLevel: number | undefined;
}

type SimEvent =
  | { kind: 'arrival'; typeIndex: number }
  | { kind: 'deliver'; message: RoutingMessage }
  | { kind: 'callEnd'; agentId: string; callId: string }
  | { kind: 'abandon'; callId: string }
  | { kind: 'backToReady'; agentId: string };

const simulationContext: RoutingContext = { language: 'en-GB', reason: 'simulated', pii: { callerId: '+441632960000', transcript: [], slots: {} } };

/** Binary min-heap of events by time, then insertion order (equal times keep their order). */
class EventHeap {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly events: SimEvent[] = [];
  private seq = 0;

  push(atMs: number, event: SimEvent): void {
    let i = this.times.length;
    this.times.push(atMs);
    this.seqs.push(this.seq++);
    this.events.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(parent, i);
      i = parent;
    }
  }

  pop(): { atMs: number; event: SimEvent } | undefined {
    const size = this.times.length;
    if (size === 0) return undefined;
    const top = { atMs: this.times[0]!, event: this.events[0]! };
    this.swap(0, size - 1);
    this.times.pop();
    this.seqs.pop();
    this.events.pop();
    const length = size - 1;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < length && this.less(left, smallest)) smallest = left;
      if (right < length && this.less(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    return ta < tb || (ta === tb && this.seqs[a]! < this.seqs[b]!);
  }

  private swap(a: number, b: number): void {
    const time = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = time;
    const order = this.seqs[a]!;
    this.seqs[a] = this.seqs[b]!;
    this.seqs[b] = order;
    const event = this.events[a]!;
    this.events[a] = this.events[b]!;
    this.events[b] = event;
  }
}

/** Student t quantile (0.975) for small batch counts; 1.96 beyond. */
function t975(degreesOfFreedom: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  return table[degreesOfFreedom - 1] ?? 1.96;
}

export function simulateContactCenter(scenario: SimulationScenario): SimulationResult {
  const random = createSeededRandom(scenario.seed);
  const answerProbability = scenario.answerProbability ?? 1;
  const answerDelayMs = (scenario.answerDelayInSeconds ?? 0) * 1000;
  const patience = scenario.averagePatienceInSeconds ?? null;
  const factor = scenario.handleTimeFactor ?? (() => 1);
  const targetMs = scenario.targetAnswerTimeInSeconds * 1000;
  const totalCalls = scenario.warmupCalls + scenario.calls;
  const batches = scenario.batches ?? 20;

  const definitions = new Map(scenario.queues.map((q) => [q.queueId, q]));
  const queues = new Map<string, QueueState>(scenario.queues.map((q) => [q.queueId, createQueueState(q)]));
  const agents = new Map(scenario.agents.map((a) => [a.agentId, a]));
  const calls = new Map<string, SimCall>();
  const callList: SimCall[] = [];
  const answeredBy = new Map<string, number>();
  const busySinceMs = new Map<string, number>();
  const refusedOffers = new Set<string>();
  const totalRate = scenario.callTypes.reduce((sum, t) => sum + t.arrivalRatePerSecond, 0);

  const heap = new EventHeap();
  const push = (atMs: number, event: SimEvent): void => heap.push(atMs, event);
  const pop = (): { atMs: number; event: SimEvent } | undefined => heap.pop();

  let messageCounter = 0;
  // Messages are built as whole literals (no spread) so that they keep one fast object shape.
  const nextId = (): string => `sim-${++messageCounter}`;
  const iso = (atMs: number): string => new Date(atMs).toISOString();
  const v = routingSchemaVersion;
  const fanOut = (agent: Agent, atMs: number, exceptQueueId?: string): void => {
    const kind = isAgentEligible(agent) ? 'AgentBecameAvailable' : 'AgentBecameUnavailable';
    for (const queueId of agent.queueIds) {
      if (queueId === exceptQueueId || !queues.has(queueId)) continue;
      push(atMs, { kind: 'deliver', message: { kind, schemaVersion: v, messageId: nextId(), queueId, occurredAt: iso(atMs), agentId: agent.agentId, agent } });
    }
  };

  let decisions = 0;
  let reservationsRefused = 0;
  let agentsMadeNotReady = 0;
  let overflowed = 0;
  let handleSumMs = 0;
  let handled = 0;
  let busyMs = 0;
  let nowMs = 0;
  let unresolved = 0;

  const execute = (queueId: string, commands: readonly RoutingCommand[]): void => {
    const definition = definitions.get(queueId)!;
    for (const command of commands) {
      if ('offerId' in command && command.kind !== 'ReserveAgent' && refusedOffers.has(command.offerId)) continue;
      if (command.kind === 'ScheduleMessage' && command.message.kind === 'OfferTimedOut' && refusedOffers.has(command.message.offerId)) continue;
      if (isAgentCommand(command)) {
        const before = agents.get(command.agentId)!;
        const update = applyAgentCommand(before, command);
        if (update.outcome === 'rejected') {
          if (command.kind !== 'ReserveAgent') continue;
          reservationsRefused++;
          refusedOffers.add(command.offerId);
          push(nowMs, {
            kind: 'deliver',
            message: {
              kind: 'ReservationFailed',
              schemaVersion: v,
              messageId: nextId(),
              queueId,
              occurredAt: iso(nowMs),
              callId: command.offer.callId,
              agentId: command.agentId,
              offerId: command.offerId,
              reason: 'agentNotEligible',
            },
          });
          continue;
        }
        const agent = update.agent;
        if (agent.activeCallIds.length > agent.capacity) throw new Error(`Agent ${agent.agentId} was given more calls than their capacity`);
        agents.set(agent.agentId, agent);
        switch (command.kind) {
          case 'ReserveAgent':
            fanOut(agent, nowMs, queueId);
            break;
          case 'ReleaseAgent':
            if (update.outcome === 'applied') fanOut(agent, nowMs);
            break;
          case 'MarkAgentNotReady':
            if (update.outcome === 'applied') {
              agentsMadeNotReady++;
              fanOut(agent, nowMs);
              push(nowMs + (scenario.notReadyForSeconds ?? 60) * 1000, { kind: 'backToReady', agentId: agent.agentId });
            }
            break;
          case 'AssignCallToAgent': {
            const call = calls.get(command.callId)!;
            call.answeredMs = nowMs;
            const skill = call.type.requiredSkills[0]?.skill;
            call.proficiency = skill === undefined ? undefined : agent.skills[skill];
            call.answeringLevel = skill === undefined ? undefined : (agent.skills[skill] ?? 0);
            answeredBy.set(agent.agentId, (answeredBy.get(agent.agentId) ?? 0) + 1);
            if (agent.activeCallIds.length === 1) busySinceMs.set(agent.agentId, nowMs);
            if (call.outcome === 'waiting') unresolved--;
            call.outcome = 'answered';
            const handleMs = sampleExponential(random, call.type.averageHandleTimeInSeconds * 1000 * factor(call.proficiency));
            push(nowMs + handleMs, { kind: 'callEnd', agentId: agent.agentId, callId: call.index.toString() });
            // With capacity left the other queues may offer another call; otherwise the reservation already told them.
            if (isAgentEligible(agent)) fanOut(agent, nowMs, queueId);
            break;
          }
        }
        continue;
      }
      switch (command.kind) {
        case 'OfferCallToAgent':
        case 'PlaceCallback':
          if (random() < answerProbability) {
            push(nowMs + answerDelayMs, {
              kind: 'deliver',
              message: {
                kind: 'OfferAccepted',
                schemaVersion: v,
                messageId: nextId(),
                queueId,
                occurredAt: iso(nowMs + answerDelayMs),
                callId: command.callId,
                agentId: command.agentId,
                offerId: command.offerId,
              },
            });
          } else {
            const atMs = nowMs + definition.ringTimeInSeconds * 1000;
            push(atMs, {
              kind: 'deliver',
              message: {
                kind: 'OfferDeclined',
                schemaVersion: v,
                messageId: nextId(),
                queueId,
                occurredAt: iso(atMs),
                callId: command.callId,
                agentId: command.agentId,
                offerId: command.offerId,
                reason: 'noAnswer',
              },
            });
          }
          break;
        case 'ScheduleMessage':
          push(Date.parse(command.at), { kind: 'deliver', message: command.message });
          break;
        case 'Overflow': {
          const call = calls.get(command.callId);
          if (command.action.kind === 'queue' && queues.has(command.action.queueId) && call !== undefined) {
            call.queueId = command.action.queueId;
            push(nowMs, { kind: 'deliver', message: callQueued(call, command.action.queueId, nowMs) });
          } else if (command.action.kind !== 'callback' && call !== undefined && call.outcome === 'waiting') {
            call.outcome = 'overflowed';
            unresolved--;
            overflowed++;
          }
          break;
        }
        case 'CancelOffer':
        case 'AnnounceQueuePosition':
        case 'OfferCallback':
        case 'RecordRoutingDecision':
          break;
      }
    }
  };

  const callQueued = (call: SimCall, queueId: string, atMs: number): RoutingMessage => ({
    kind: 'CallQueued',
    schemaVersion: v,
    messageId: nextId(),
    queueId,
    occurredAt: iso(atMs),
    callId: call.index.toString(),
    callConnectionId: `conn-${call.index}`,
    priority: call.type.priority ?? 0,
    requiredSkills: call.type.requiredSkills,
    context: simulationContext,
  });

  const deliver = (message: RoutingMessage): void => {
    const queue = queues.get(message.queueId);
    if (queue === undefined) return;
    const named = 'agentId' in message ? agents.get(message.agentId) : undefined;
    const decision = decideRouting(
      { queue, queueDef: definitions.get(message.queueId)!, agents: named === undefined ? [] : [named] },
      message,
      new Date(nowMs),
    );
    decisions++;
    execute(message.queueId, decision.commands);
  };

  for (const agent of scenario.agents) fanOut(agent, 0);
  let arrivals = 0;
  const scheduleArrival = (fromMs: number): void => {
    if (arrivals >= totalCalls) return;
    let pick = random() * totalRate;
    let typeIndex = 0;
    while (typeIndex < scenario.callTypes.length - 1 && pick >= scenario.callTypes[typeIndex]!.arrivalRatePerSecond) {
      pick -= scenario.callTypes[typeIndex]!.arrivalRatePerSecond;
      typeIndex++;
    }
    push(fromMs + sampleExponential(random, 1000 / totalRate), { kind: 'arrival', typeIndex });
  };
  scheduleArrival(0);

  for (let next = pop(); next !== undefined; next = pop()) {
    nowMs = next.atMs;
    const event = next.event;
    switch (event.kind) {
      case 'arrival': {
        const type = scenario.callTypes[event.typeIndex]!;
        const call: SimCall = { index: arrivals++, type, queueId: type.queueId, arrivedMs: nowMs, answeredMs: null, outcome: 'waiting', proficiency: undefined, answeringLevel: undefined };
        calls.set(call.index.toString(), call);
        callList.push(call);
        unresolved++;
        if (patience !== null) push(nowMs + sampleExponential(random, patience * 1000), { kind: 'abandon', callId: call.index.toString() });
        deliver(callQueued(call, type.queueId, nowMs));
        scheduleArrival(nowMs);
        break;
      }
      case 'deliver':
        deliver(event.message);
        break;
      case 'callEnd': {
        const update = endAgentCall(agents.get(event.agentId)!, event.callId, new Date(nowMs));
        agents.set(event.agentId, update.agent);
        const call = calls.get(event.callId)!;
        handleSumMs += nowMs - call.answeredMs!;
        handled++;
        if (update.agent.activeCallIds.length === 0) busyMs += nowMs - (busySinceMs.get(event.agentId) ?? nowMs);
        fanOut(update.agent, nowMs);
        break;
      }
      case 'abandon': {
        const call = calls.get(event.callId);
        if (call === undefined || call.outcome !== 'waiting') break;
        call.outcome = 'abandoned';
        unresolved--;
        push(nowMs, {
          kind: 'deliver',
          message: { kind: 'CallLeftQueue', schemaVersion: v, messageId: nextId(), queueId: call.queueId, occurredAt: iso(nowMs), callId: event.callId, reason: 'abandoned' },
        });
        break;
      }
      case 'backToReady': {
        const agent = { ...agents.get(event.agentId)!, state: 'ready' as const, notReadyReason: null };
        agents.set(event.agentId, agent);
        fanOut(agent, nowMs);
        break;
      }
    }
    if (arrivals >= totalCalls && unresolved === 0) break;
  }

  const measured = callList.slice(scenario.warmupCalls);
  const batchSize = Math.max(1, Math.floor(measured.length / batches));
  const perBatch = (metric: (calls: SimCall[]) => number): Estimate => {
    const values: number[] = [];
    for (let b = 0; b + batchSize <= measured.length && values.length < batches; b += batchSize) values.push(metric(measured.slice(b, b + batchSize)));
    const value = metric(measured);
    if (values.length < 2) return { value, ci95: Number.NaN };
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
    return { value, ci95: t975(values.length - 1) * Math.sqrt(variance / values.length) };
  };
  const serviceLevel = (set: SimCall[]): number => set.filter((c) => c.answeredMs !== null && c.answeredMs - c.arrivedMs <= targetMs).length / set.length;
  const answeredCalls = (set: SimCall[]): SimCall[] => set.filter((c) => c.answeredMs !== null);
  const asa = (set: SimCall[]): number => {
    const answered = answeredCalls(set);
    return answered.reduce((s, c) => s + (c.answeredMs! - c.arrivedMs), 0) / Math.max(1, answered.length) / 1000;
  };
  const proficiency = (set: SimCall[]): number => {
    const rated = answeredCalls(set).filter((c) => c.proficiency !== undefined);
    return rated.reduce((s, c) => s + c.proficiency!, 0) / Math.max(1, rated.length);
  };

  const lowest = (set: SimCall[]): number | null => {
    const levels = answeredCalls(set).flatMap((c) => (c.answeringLevel === undefined ? [] : [c.answeringLevel]));
    return levels.length === 0 ? null : Math.min(...levels);
  };

  const perCallType: Record<string, CallTypeResult> = {};
  for (const type of scenario.callTypes) {
    const set = measured.filter((c) => c.type === type);
    perCallType[type.name] = {
      offered: set.length,
      answered: answeredCalls(set).length,
      abandoned: set.filter((c) => c.outcome === 'abandoned').length,
      serviceLevel: set.length === 0 ? 0 : serviceLevel(set),
      averageSpeedOfAnswerInSeconds: asa(set),
      averageProficiency: proficiency(set),
      lowestProficiency: lowest(set),
    };
  }
  const counts = scenario.agents.map((a) => answeredBy.get(a.agentId) ?? 0);
  const meanCount = counts.reduce((s, c) => s + c, 0) / Math.max(1, counts.length);
  const sdCount = Math.sqrt(counts.reduce((s, c) => s + (c - meanCount) ** 2, 0) / Math.max(1, counts.length));
  const capacity = scenario.agents.length * nowMs;
  return {
    offered: measured.length,
    answered: answeredCalls(measured).length,
    abandoned: measured.filter((c) => c.outcome === 'abandoned').length,
    overflowed,
    serviceLevel: perBatch(serviceLevel),
    probabilityOfWaiting: perBatch((set) => set.filter((c) => c.answeredMs === null || c.answeredMs > c.arrivedMs).length / set.length),
    averageSpeedOfAnswerInSeconds: perBatch(asa),
    abandonmentRate: perBatch((set) => set.filter((c) => c.outcome === 'abandoned').length / set.length),
    occupancy: capacity > 0 ? busyMs / capacity : 0,
    averageHandleTimeInSeconds: handled > 0 ? handleSumMs / handled / 1000 : 0,
    callsPerAgent: { mean: meanCount, coefficientOfVariation: meanCount > 0 ? sdCount / meanCount : 0 },
    averageProficiency: proficiency(measured),
    perCallType,
    decisions,
    reservationsRefused,
    agentsMadeNotReady,
    simulatedSeconds: nowMs / 1000,
  };
}
