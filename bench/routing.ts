// `npm run bench -- routing [--quick]`: (1) the routing decision's cost with 1k, 10k and 100k agents
// and 1k waiting calls, per agent-selection rule, with the growth factor from 1k to 100k agents;
// (2) a contact center simulated on a virtual clock through the real decider: single-skill service
// level against Erlang C and, with impatient callers, Erlang A, over a range of staffing; and a
// multi-skill center comparing the three selection rules. Writes
// bench/results/routing-<timestamp>.json and bench/results/routing-sl-vs-staffing.svg.
// --quick runs a tenth of the calls (for trying the bench out, not for its figures).
import { newAgent } from '../bot/routing/new-agent.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSeededRandom, simulateContactCenter, type SimulationResult, type SimulationScenario } from '../bot/routing/contact-center-simulation.js';
import { decideRouting } from '../bot/routing/decide-routing.js';
import { erlangAPerformance, erlangCPerformance, type QueueLoad } from '../bot/routing/erlang.js';
import { createQueueState } from '../bot/routing/queue-state.js';
import { parseQueueDefinition, type RoutingMessage } from '../bot/routing/routing-messages.js';
import { routingSchemaVersion, type Agent, type AgentSelection, type QueueDefinition, type QueueState, type RoutingContext } from '../bot/routing/routing-types.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');
const policies: AgentSelection[] = ['longestIdle', 'mostSkilled', 'roundRobin'];

// ---------------------------------------------------------------- decision cost

const skillNames = Array.from({ length: 20 }, (_, i) => `skill${i}`);
const context: RoutingContext = {
  intent: 'billing',
  confidence: 0.9,
  language: 'en-GB',
  reason: 'intent needs an agent',
  pii: { callerId: '+441632960000', transcript: ['I have a question about my bill'], slots: { accountType: 'business' } },
};

interface CostRow {
  agents: number;
  policy: AgentSelection;
  waitingCalls: number;
  indexedAgents: number;
  decisions: number;
  decisionsPerSecond: number;
  meanMicros: number;
  /** Median over batches of 1,000 decisions of the batch mean: robust to GC pauses and noisy neighbours. */
  medianBatchMicros: number;
  p99Micros: number;
  perKindMicros: Record<string, number>;
  queueDocumentBytes: number;
  /** Where the document's bytes go. */
  documentBytesBy: { waitingCalls: number; members: number; agentIndex: number; other: number };
  /** What the shell pays per message for this document: JSON.parse + JSON.stringify. */
  documentParseAndStringifyMs: number | null;
}

/**
 * One queue with every agent a member: half of them free (in the queue's index), half on calls,
 * and 1k callers waiting for a rare skill that only busy agents have. `run` then cycles through
 * what a live queue sees: calls that find an agent at once (index search), answers, declines (the
 * next agent at once), agents freed by finished calls (a walk of the 1k waiting calls), callers
 * joining and leaving the waiting list, and position announcements. Only decideRouting is timed.
 */
class CostRig {
  readonly queue: QueueState;
  readonly samples: number[] = [];
  readonly perKind = new Map<string, { total: number; count: number }>();
  private readonly def: QueueDefinition;
  private readonly random: () => number;
  private nowMs = Date.parse('2025-03-03T09:00:00.000Z');
  private ids = 0;
  private cycle = 0;
  private readonly agentFree = new Map<string, Agent>();
  private readonly cycling: Agent[] = [];
  private readonly rareWaiting: string[] = [];

  constructor(
    readonly agentCount: number,
    readonly policy: AgentSelection,
    seed: number,
  ) {
    this.random = createSeededRandom(seed);
    this.def = parseQueueDefinition({
      queueId: 'bench',
      name: 'Bench',
      agentSelection: policy,
      relaxationSteps: [{ afterSeconds: 60, minProficiency: 2 }],
      announcementIntervalInSeconds: 60,
      callbackOfferThresholdInSeconds: 600,
    });
    this.queue = createQueueState(this.def);
    for (let i = 0; i < agentCount; i++) {
      const skills: Record<string, number> = {};
      while (Object.keys(skills).length < 3) skills[skillNames[Math.floor(this.random() * skillNames.length)]!] = 1 + Math.floor(this.random() * 5);
      const busy = i % 2 === 1;
      if (busy && i % 100 === 1) skills['rare'] = 5;
      const agent: Agent = {
        agentId: `agent-${i}`,
        teamsUserId: `teams-${i}`,
        displayName: `Agent ${i}`,
        skills,
        queueIds: ['bench'],
        capacity: 1,
        state: 'ready',
        notReadyReason: null,
        presence: busy ? { availability: 'Busy', activity: 'InACall' } : { availability: 'Available', activity: 'Available' },
        activeCallIds: busy ? [`setup-${i}`] : [],
        offer: null,
        lastCallEndedAt: this.iso(this.nowMs - Math.floor(this.random() * 3_600_000)),
        consecutiveMisses: 0,
        wrapUp: null,
      };
      // Agents who will come free during the run: on a call, without the rare skill.
      if (!busy) this.agentFree.set(agent.agentId, agent);
      else if (skills['rare'] === undefined) this.cycling.push(agent);
      this.decide({ ...this.envelope(), kind: busy ? 'AgentBecameUnavailable' : 'AgentBecameAvailable', agentId: agent.agentId, agent });
    }
    for (let i = 0; i < 1000; i++) {
      this.nowMs += 600;
      const callId = `rare-${this.ids++}`;
      this.decide(this.callQueued(callId, [{ skill: 'rare', minProficiency: 4 }], this.random() < 0.2 ? 1 : 0));
      this.rareWaiting.push(callId);
    }
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private envelope(): { schemaVersion: 1; queueId: string; messageId: string; occurredAt: string } {
    return { schemaVersion: routingSchemaVersion, queueId: 'bench', messageId: `m${this.ids++}`, occurredAt: this.iso(this.nowMs) };
  }

  private callQueued(callId: string, requiredSkills: Array<{ skill: string; minProficiency: number }>, priority = 0): RoutingMessage {
    return { ...this.envelope(), kind: 'CallQueued', callId, callConnectionId: `conn-${callId}`, priority, requiredSkills, context };
  }

  private decide(message: RoutingMessage, agents: Agent[] = []) {
    return decideRouting({ queue: this.queue, queueDef: this.def, agents }, message, new Date(this.nowMs));
  }

  private timed(message: RoutingMessage, agents: Agent[] = []): void {
    const started = performance.now();
    this.decide(message, agents);
    const micros = (performance.now() - started) * 1000;
    this.samples.push(micros);
    const kind = this.perKind.get(message.kind) ?? { total: 0, count: 0 };
    kind.total += micros;
    kind.count++;
    this.perKind.set(message.kind, kind);
  }

  /** The offer just made for the call: the newest call of its priority sits at the end of the list. */
  private offerOf(callId: string): { offerId: string; agentId: string } | null {
    for (let i = this.queue.waiting.length - 1; i >= 0; i--) {
      const call = this.queue.waiting[i]!;
      if (call.callId === callId) return call.offer;
      if (call.priority === 0) return null;
    }
    return null;
  }

  private takeCycling(): Agent {
    const index = Math.floor(this.random() * this.cycling.length);
    const agent = this.cycling[index]!;
    this.cycling[index] = this.cycling[this.cycling.length - 1]!;
    this.cycling.pop();
    return agent;
  }

  run(decisions: number): void {
    const target = this.samples.length + decisions;
    const random = this.random;
    while (this.samples.length < target) {
      this.cycle++;
      this.nowMs += 50;
      // A call any of many free agents can take.
      const requiredSkills = [{ skill: skillNames[Math.floor(random() * skillNames.length)]!, minProficiency: 1 + Math.floor(random() * 3) }];
      if (random() < 0.3) requiredSkills.push({ skill: skillNames[Math.floor(random() * skillNames.length)]!, minProficiency: 1 });
      const callId = `call-${this.ids++}`;
      this.timed(this.callQueued(callId, requiredSkills));
      let offer = this.offerOf(callId);
      if (offer !== null && this.cycle % 4 === 0) {
        const declined = this.agentFree.get(offer.agentId);
        this.timed(
          { ...this.envelope(), kind: 'OfferDeclined', callId, agentId: offer.agentId, offerId: offer.offerId, reason: 'declined' },
          declined === undefined ? [] : [declined],
        );
        offer = this.offerOf(callId);
      }
      if (offer !== null) {
        this.timed({ ...this.envelope(), kind: 'OfferAccepted', callId, agentId: offer.agentId, offerId: offer.offerId });
        const agent = this.agentFree.get(offer.agentId);
        if (agent !== undefined) {
          this.agentFree.delete(offer.agentId);
          this.cycling.push({ ...agent, activeCallIds: [callId], presence: { availability: 'Busy', activity: 'InACall' } });
        }
      } else {
        this.timed({ ...this.envelope(), kind: 'CallLeftQueue', callId, reason: 'abandoned' });
      }
      // An agent's call ends: they walk the 1k waiting calls (none fits) and join the index.
      const freed = this.takeCycling();
      const free: Agent = { ...freed, activeCallIds: [], presence: { availability: 'Available', activity: 'Available' }, lastCallEndedAt: this.iso(this.nowMs) };
      this.agentFree.set(free.agentId, free);
      this.timed({ ...this.envelope(), kind: 'AgentBecameAvailable', agentId: free.agentId, agent: free });
      // The waiting list turns over: one caller joins, the one who waited longest hangs up.
      if (this.cycle % 2 === 0) {
        const rareId = `rare-${this.ids++}`;
        this.timed(this.callQueued(rareId, [{ skill: 'rare', minProficiency: 4 }]));
        this.rareWaiting.push(rareId);
        this.timed({ ...this.envelope(), kind: 'CallLeftQueue', callId: this.rareWaiting.shift()!, reason: 'abandoned' });
      } else {
        const call = this.queue.waiting[Math.floor(random() * this.queue.waiting.length)]!;
        this.timed({ ...this.envelope(), kind: 'AnnouncementTick', callId: call.callId, sequence: call.announcementCount + 1 });
      }
    }
  }

  result(measureDocument: boolean): CostRow {
    const measured = this.samples;
    const total = measured.reduce((s, x) => s + x, 0);
    const sorted = [...measured].sort((a, b) => a - b);
    const batchMeans: number[] = [];
    for (let i = 0; i + 1000 <= measured.length; i += 1000) batchMeans.push(measured.slice(i, i + 1000).reduce((s, x) => s + x, 0) / 1000);
    batchMeans.sort((a, b) => a - b);
    const json = JSON.stringify(this.queue);
    const part = (value: unknown): number => JSON.stringify(value).length;
    let parseAndStringify: number | null = null;
    if (measureDocument) {
      const started = performance.now();
      JSON.stringify(JSON.parse(json) as QueueState);
      parseAndStringify = round(performance.now() - started, 1);
    }
    const byKind = [...this.perKind].map(([kind, k]) => [kind, round(k.total / k.count, 2)] as const);
    return {
      agents: this.agentCount,
      policy: this.policy,
      waitingCalls: this.queue.waiting.length,
      indexedAgents: this.queue.idleAgents.size,
      decisions: measured.length,
      decisionsPerSecond: Math.round((measured.length / total) * 1e6),
      meanMicros: round(total / measured.length, 2),
      medianBatchMicros: round(batchMeans[Math.floor(batchMeans.length / 2)] ?? Number.NaN, 2),
      p99Micros: round(sorted[Math.floor(sorted.length * 0.99)]!, 1),
      perKindMicros: Object.fromEntries(byKind),
      queueDocumentBytes: json.length,
      documentBytesBy: {
        waitingCalls: part(this.queue.waiting),
        members: part(this.queue.members),
        agentIndex: part(this.queue.idleAgents),
        other: json.length - part(this.queue.waiting) - part(this.queue.members) - part(this.queue.idleAgents),
      },
      documentParseAndStringifyMs: parseAndStringify,
    };
  }
}

/** The three sizes of one policy measured in interleaved rounds, so drift and neighbours hit all alike. */
function measurePolicy(policy: AgentSelection, decisionsPerSize: number): CostRow[] {
  const rigs = [1_000, 10_000, 100_000].map((agents) => new CostRig(agents, policy, 17));
  for (const rig of rigs) rig.run(2000); // warm-up, discarded
  for (const rig of rigs) {
    rig.samples.length = 0;
    rig.perKind.clear();
  }
  const rounds = 8;
  for (let round = 0; round < rounds; round++) for (const rig of rigs) rig.run(Math.ceil(decisionsPerSize / rounds));
  return rigs.map((rig) => rig.result(policy === 'longestIdle'));
}

// ---------------------------------------------------------------- simulation

const singleLoad: QueueLoad = { arrivalRatePerSecond: 100 / 1800, averageHandleTimeInSeconds: 180 };
const targetSeconds = 20;

function singleSkillScenario(agents: number, calls: number, seed: number, patience: number | null): SimulationScenario {
  return {
    queues: [parseQueueDefinition({ queueId: 'single', name: 'Single skill', announcementIntervalInSeconds: 0 })],
    agents: Array.from({ length: agents }, (_, i) => simAgent(`a${i}`, {}, ['single'])),
    callTypes: [{ name: 'all', queueId: 'single', arrivalRatePerSecond: singleLoad.arrivalRatePerSecond, requiredSkills: [], averageHandleTimeInSeconds: singleLoad.averageHandleTimeInSeconds }],
    calls,
    warmupCalls: 5000,
    seed,
    targetAnswerTimeInSeconds: targetSeconds,
    averagePatienceInSeconds: patience,
    batches: 20,
  };
}

function simAgent(agentId: string, skills: Record<string, number>, queueIds: string[]): Agent {
  return newAgent({ agentId, teamsUserId: `teams-${agentId}`, displayName: agentId, skills, queueIds, presence: { availability: 'Available', activity: 'Available' } });
}

interface StaffingRow {
  model: 'Erlang C' | 'Erlang A';
  agents: number;
  calls: number;
  theory: number;
  simulated: number;
  ci95: number;
  differencePoints: number;
  theoryAbandonment?: number;
  simulatedAbandonment?: number;
  theoryAsaSeconds: number;
  simulatedAsaSeconds: number;
  decisionsPerSecond: number;
}

function staffingRow(model: StaffingRow['model'], agents: number, calls: number, seed: number, patience: number | null): StaffingRow {
  const started = performance.now();
  const sim = simulateContactCenter(singleSkillScenario(agents, calls, seed, patience));
  const seconds = (performance.now() - started) / 1000;
  const row: StaffingRow = {
    model,
    agents,
    calls: sim.offered,
    theory: 0,
    simulated: sim.serviceLevel.value,
    ci95: sim.serviceLevel.ci95,
    differencePoints: 0,
    theoryAsaSeconds: 0,
    simulatedAsaSeconds: sim.averageSpeedOfAnswerInSeconds.value,
    decisionsPerSecond: Math.round(sim.decisions / seconds),
  };
  if (patience === null) {
    const theory = erlangCPerformance(singleLoad, agents, targetSeconds);
    row.theory = theory.serviceLevel;
    row.theoryAsaSeconds = theory.averageSpeedOfAnswerInSeconds;
  } else {
    const theory = erlangAPerformance(singleLoad, agents, { averagePatienceInSeconds: patience, targetAnswerTimeInSeconds: targetSeconds });
    row.theory = theory.serviceLevel;
    row.theoryAsaSeconds = theory.averageSpeedOfAnswerInSeconds;
    row.theoryAbandonment = theory.probabilityOfAbandonment;
    row.simulatedAbandonment = sim.abandonmentRate.value;
  }
  row.differencePoints = (row.simulated - row.theory) * 100;
  return row;
}

interface PolicyRow {
  policy: AgentSelection;
  calls: number;
  serviceLevel: number;
  serviceLevelBilling: number;
  serviceLevelTech: number;
  averageSpeedOfAnswerInSeconds: number;
  abandonmentRate: number;
  averageProficiency: number;
  averageHandleTimeInSeconds: number;
  occupancy: number;
  callsPerAgentCv: number;
  reservationsRefused: number;
  agentsMadeNotReady: number;
  decisionsPerSecond: number;
}

/**
 * Two queues (billing, tech) sharing 40 agents of mixed proficiency; experts handle calls faster
 * (handle time x (1.4 - 0.1 x proficiency)); skills relax after 30 s (proficiency 1) and 90 s (any
 * agent of the queue); callers have 3 minutes' patience on average; 2 % of offers ring out.
 */
function multiSkillScenario(policy: AgentSelection, calls: number, seed: number): SimulationScenario {
  const random = createSeededRandom(1234);
  const agents: Agent[] = [];
  for (let i = 0; i < 40; i++) {
    const skills: Record<string, number> = {};
    if (i % 4 !== 3) skills['billing'] = 1 + Math.floor(random() * 5);
    if (i % 4 !== 0) skills['tech'] = 1 + Math.floor(random() * 5);
    agents.push(simAgent(`m${i}`, skills, Object.keys(skills)));
  }
  const queue = (queueId: string): QueueDefinition =>
    parseQueueDefinition({
      queueId,
      name: queueId,
      agentSelection: policy,
      ringTimeInSeconds: 15,
      relaxationSteps: [
        { afterSeconds: 30, minProficiency: 1 },
        { afterSeconds: 90, minProficiency: 'anyAgentOfQueue' },
      ],
      announcementIntervalInSeconds: 60,
    });
  return {
    queues: [queue('billing'), queue('tech')],
    agents,
    callTypes: [
      { name: 'billing', queueId: 'billing', arrivalRatePerSecond: 0.07, requiredSkills: [{ skill: 'billing', minProficiency: 3 }], averageHandleTimeInSeconds: 240 },
      { name: 'tech', queueId: 'tech', arrivalRatePerSecond: 0.055, requiredSkills: [{ skill: 'tech', minProficiency: 3 }], averageHandleTimeInSeconds: 240 },
    ],
    calls,
    warmupCalls: 2000,
    seed,
    targetAnswerTimeInSeconds: targetSeconds,
    averagePatienceInSeconds: 180,
    answerProbability: 0.98,
    handleTimeFactor: (proficiency) => 1.4 - 0.1 * (proficiency ?? 1),
    notReadyForSeconds: 60,
  };
}

function policyRow(policy: AgentSelection, calls: number, seed: number): PolicyRow {
  const started = performance.now();
  const sim: SimulationResult = simulateContactCenter(multiSkillScenario(policy, calls, seed));
  const seconds = (performance.now() - started) / 1000;
  return {
    policy,
    calls: sim.offered,
    serviceLevel: sim.serviceLevel.value,
    serviceLevelBilling: sim.perCallType['billing']!.serviceLevel,
    serviceLevelTech: sim.perCallType['tech']!.serviceLevel,
    averageSpeedOfAnswerInSeconds: sim.averageSpeedOfAnswerInSeconds.value,
    abandonmentRate: sim.abandonmentRate.value,
    averageProficiency: sim.averageProficiency,
    averageHandleTimeInSeconds: sim.averageHandleTimeInSeconds,
    occupancy: sim.occupancy,
    callsPerAgentCv: sim.callsPerAgent.coefficientOfVariation,
    reservationsRefused: sim.reservationsRefused,
    agentsMadeNotReady: sim.agentsMadeNotReady,
    decisionsPerSecond: Math.round(sim.decisions / seconds),
  };
}

// ---------------------------------------------------------------- plot

function staffingSvg(rows: StaffingRow[]): string {
  const width = 860;
  const height = 480;
  const left = 70;
  const right = 290;
  const top = 40;
  const bottom = 60;
  const agents = rows.map((r) => r.agents);
  const minAgents = Math.min(...agents) - 0.5;
  const maxAgents = Math.max(...agents) + 0.5;
  const x = (n: number): number => left + ((n - minAgents) / (maxAgents - minAgents)) * (width - left - right);
  const y = (sl: number): number => top + (1 - sl) * (height - top - bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">Service level (answered within ${targetSeconds} s) vs agents, 10 Erlangs, AHT 180 s</text>`);
  for (let sl = 0; sl <= 1.0001; sl += 0.1) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(sl)}" y2="${y(sl)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${left - 8}" y="${y(sl) + 4}" text-anchor="end">${Math.round(sl * 100)}%</text>`);
  }
  for (let n = Math.ceil(minAgents); n <= maxAgents; n++) {
    parts.push(`<line x1="${x(n)}" x2="${x(n)}" y1="${top}" y2="${height - bottom}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${x(n)}" y="${height - bottom + 18}" text-anchor="middle">${n}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 18}" text-anchor="middle">agents</text>`);
  parts.push(`<text transform="translate(18 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">service level</text>`);

  const series: Array<{ model: StaffingRow['model']; color: string; theory: (n: number) => number; label: string }> = [
    { model: 'Erlang C', color: '#1f77b4', theory: (n) => erlangCPerformance(singleLoad, n, targetSeconds).serviceLevel, label: 'Erlang C' },
    {
      model: 'Erlang A',
      color: '#d62728',
      theory: (n) => erlangAPerformance(singleLoad, n, { averagePatienceInSeconds: 120, targetAnswerTimeInSeconds: targetSeconds }).serviceLevel,
      label: 'Erlang A (patience 120 s)',
    },
  ];
  series.forEach((s, i) => {
    const own = rows.filter((r) => r.model === s.model);
    if (own.length === 0) return;
    const from = Math.min(...own.map((r) => r.agents));
    const to = Math.max(...own.map((r) => r.agents));
    const points = own.map((r) => `${x(r.agents).toFixed(1)},${y(s.theory(r.agents)).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const r of own) {
      const cx = x(r.agents) + (i === 0 ? -4 : 4);
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(Math.min(1, r.simulated + r.ci95))}" y2="${y(Math.max(0, r.simulated - r.ci95))}" stroke="${s.color}" stroke-width="1.5"/>`);
      parts.push(`<circle cx="${cx}" cy="${y(r.simulated)}" r="4" fill="white" stroke="${s.color}" stroke-width="2"/>`);
    }
    const legendY = top + 20 + i * 44;
    parts.push(`<line x1="${width - right + 16}" x2="${width - right + 44}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - right + 50}" y="${legendY + 4}">${s.label} (theory)</text>`);
    parts.push(`<circle cx="${width - right + 30}" cy="${legendY + 20}" r="4" fill="white" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${width - right + 50}" y="${legendY + 24}">simulated, 95% CI (${from}–${to})</text>`);
  });
  parts.push(`<text x="${width - right + 16}" y="${top + 120}" fill="#555">Simulation: Poisson arrivals,</text>`);
  parts.push(`<text x="${width - right + 16}" y="${top + 136}" fill="#555">exponential handle times,</text>`);
  parts.push(`<text x="${width - right + 16}" y="${top + 152}" fill="#555">every call routed by the</text>`);
  parts.push(`<text x="${width - right + 16}" y="${top + 168}" fill="#555">real decider.</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

// ---------------------------------------------------------------- output

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

function printTable(title: string, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  console.log(`\n${title}`);
  for (const [i, row] of cells.entries()) {
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export default async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const scale = quick ? 0.1 : 1;
  const started = performance.now();

  // 1. Decision cost.
  const costRows: CostRow[] = policies.flatMap((policy) => measurePolicy(policy, quick ? 16_000 : 40_000));
  printTable(
    'Routing decision cost, 1k waiting calls (mixed messages; per-decision time excludes the shell)',
    ['policy', 'agents', 'indexed', 'waiting', 'decisions/s', 'mean µs', 'median µs', 'p99 µs', 'growth', 'CallQueued µs', 'AgentAvail µs', 'doc MB', '(calls/members/index)', 'parse+stringify ms'],
    costRows.map((r) => {
      const base = costRows.find((b) => b.policy === r.policy && b.agents === 1_000)!;
      return [
        r.policy,
        r.agents,
        r.indexedAgents,
        r.waitingCalls,
        r.decisionsPerSecond,
        r.meanMicros,
        r.medianBatchMicros,
        r.p99Micros,
        `${(r.medianBatchMicros / base.medianBatchMicros).toFixed(2)}x (${(r.meanMicros / base.meanMicros).toFixed(2)}x)`,
        r.perKindMicros['CallQueued'] ?? '-',
        r.perKindMicros['AgentBecameAvailable'] ?? '-',
        (r.queueDocumentBytes / 1e6).toFixed(2),
        [r.documentBytesBy.waitingCalls, r.documentBytesBy.members, r.documentBytesBy.agentIndex].map((b) => (b / 1e6).toFixed(2)).join('/'),
        r.documentParseAndStringifyMs ?? '-',
      ];
    }),
  );
  const growth = Object.fromEntries(
    policies.map((p) => {
      const small = costRows.find((r) => r.policy === p && r.agents === 1_000)!;
      const large = costRows.find((r) => r.policy === p && r.agents === 100_000)!;
      return [p, { medianBatch: round(large.medianBatchMicros / small.medianBatchMicros, 2), mean: round(large.meanMicros / small.meanMicros, 2) }];
    }),
  );
  const slowest = Math.min(...costRows.map((r) => r.decisionsPerSecond));
  console.log(
    `Goal: >= 10,000 decisions/s (slowest here: ${slowest}) and <= 2x from 1k to 100k agents (median-batch growth, mean in brackets: ${Object.entries(growth)
      .map(([p, g]) => `${p} ${g.medianBatch}x (${g.mean}x)`)
      .join(', ')}).`,
  );

  const costSeconds = (performance.now() - started) / 1000;

  // 2. Single skill against Erlang C and Erlang A.
  const callsPerPoint = Math.round(200_000 * scale);
  const staffing: StaffingRow[] = [];
  for (const agents of [11, 12, 13, 14, 15, 16]) staffing.push(staffingRow('Erlang C', agents, callsPerPoint, 100 + agents, null));
  for (const agents of [9, 10, 11, 12, 13, 14]) staffing.push(staffingRow('Erlang A', agents, Math.round(callsPerPoint / 2), 200 + agents, 120));
  printTable(
    `Service level within ${targetSeconds} s, 10 Erlangs (100 calls / 30 min, AHT 180 s); simulated through the decider vs theory`,
    ['model', 'agents', 'calls', 'theory SL', 'simulated SL', '±95% CI', 'diff (pts)', 'theory ASA s', 'sim ASA s', 'theory aband.', 'sim aband.', 'decisions/s'],
    staffing.map((r) => [
      r.model,
      r.agents,
      r.calls,
      percent(r.theory, 2),
      percent(r.simulated, 2),
      (r.ci95 * 100).toFixed(2),
      r.differencePoints.toFixed(2),
      r.theoryAsaSeconds.toFixed(1),
      r.simulatedAsaSeconds.toFixed(1),
      r.theoryAbandonment === undefined ? '-' : percent(r.theoryAbandonment, 2),
      r.simulatedAbandonment === undefined ? '-' : percent(r.simulatedAbandonment, 2),
      r.decisionsPerSecond,
    ]),
  );
  const checked = staffing.filter((r) => r.ci95 <= 0.01);
  const within = checked.filter((r) => Math.abs(r.differencePoints) <= 1);
  console.log(
    `Within ±1 point of theory: ${within.length} of the ${checked.length} points whose 95% CI is at most ±1 point ` +
      `(${staffing.length - checked.length} heavier-load points have wider intervals and are shown for the curve).`,
  );

  const staffingSeconds = (performance.now() - started) / 1000 - costSeconds;

  // 3. Multi-skill: the selection rules compared.
  const policyRows = policies.map((p) => policyRow(p, Math.round(100_000 * scale), 99));
  printTable(
    'Multi-skill: 2 queues sharing 40 agents, experts faster, skills relax at 30 s / 90 s, patience 180 s, 2% of offers ring out',
    ['policy', 'calls', 'SL', 'SL billing', 'SL tech', 'ASA s', 'abandoned', 'proficiency', 'AHT s', 'occupancy', 'calls/agent CV', 'refused', 'not-ready', 'decisions/s'],
    policyRows.map((r) => [
      r.policy,
      r.calls,
      percent(r.serviceLevel),
      percent(r.serviceLevelBilling),
      percent(r.serviceLevelTech),
      r.averageSpeedOfAnswerInSeconds.toFixed(1),
      percent(r.abandonmentRate, 2),
      r.averageProficiency.toFixed(2),
      r.averageHandleTimeInSeconds.toFixed(0),
      percent(r.occupancy),
      r.callsPerAgentCv.toFixed(2),
      r.reservationsRefused,
      r.agentsMadeNotReady,
      r.decisionsPerSecond,
    ]),
  );

  mkdirSync(resultsDir, { recursive: true });
  const svgPath = join(resultsDir, 'routing-sl-vs-staffing.svg');
  writeFileSync(svgPath, staffingSvg(staffing));
  const jsonPath = join(resultsDir, `routing-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        bench: 'routing',
        quick,
        node: process.version,
        decisionCost: costRows,
        growthFrom1kTo100kAgents: growth,
        staffing,
        withinOnePoint: { checked: checked.length, within: within.length },
        multiSkill: policyRows,
        runSeconds: round((performance.now() - started) / 1000, 1),
      },
      null,
      2,
    ),
  );
  const totalSeconds = (performance.now() - started) / 1000;
  console.log(
    `\nWrote ${jsonPath} and ${svgPath} (${totalSeconds.toFixed(0)} s: decision cost ${costSeconds.toFixed(0)} s, ` +
      `staffing ${staffingSeconds.toFixed(0)} s, multi-skill ${(totalSeconds - costSeconds - staffingSeconds).toFixed(0)} s).`,
  );
}
