// Random contact centers played through the real routing decider (the simulation plays the shell:
// reservations, agent documents, missed offers, impatient callers): every call ends answered,
// abandoned or overflowed, no agent gets more calls than their capacity, and a queue without
// relaxation only ever connects callers to agents with the skills they need.
import fc from 'fast-check';
import { simulateContactCenter, type SimulatedCallType, type SimulationScenario } from '../../bot/routing/contact-center-simulation.js';
import type { Agent, QueueDefinition } from '../../bot/routing/routing-types.js';
import { agent, queueDefinition } from './routing-given.js';

const skills = ['billing', 'tech', 'sales'] as const;
const queueIds = ['q1', 'q2'] as const;

const proficiencies = fc.record({ billing: fc.integer({ min: 0, max: 5 }), tech: fc.integer({ min: 0, max: 5 }), sales: fc.integer({ min: 0, max: 5 }) }).map(
  (p) => Object.fromEntries(Object.entries(p).filter(([, level]) => level > 0)),
);

const agents = fc.array(
  fc.record({
    skills: proficiencies,
    queues: fc.subarray([...queueIds], { minLength: 1 }),
    capacity: fc.integer({ min: 1, max: 3 }),
  }),
  { minLength: 1, maxLength: 6 },
);

const queues = fc.tuple(
  ...queueIds.map((queueId) =>
    fc.record({
      agentSelection: fc.constantFrom('longestIdle' as const, 'mostSkilled' as const, 'roundRobin' as const),
      relax: fc.boolean(),
      maxWaitInSeconds: fc.option(fc.integer({ min: 30, max: 600 }), { nil: undefined }),
      maxQueueSize: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    }).map((q) => ({ queueId, ...q })),
  ),
);

const callTypes = fc.array(
  fc.record({
    queueId: fc.constantFrom(...queueIds),
    skill: fc.option(fc.constantFrom(...skills), { nil: undefined }),
    minProficiency: fc.integer({ min: 1, max: 5 }),
    priority: fc.integer({ min: 0, max: 2 }),
    callsPerHour: fc.integer({ min: 5, max: 120 }),
    handleSeconds: fc.integer({ min: 30, max: 600 }),
  }),
  { minLength: 1, maxLength: 4 },
);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const scenario = fc.record({
  agents,
  queues,
  callTypes,
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  // Callers hang up in the end: a call no agent can ever take is abandoned, not left waiting.
  patience: fc.integer({ min: 10, max: 300 }),
  answerProbability: fc.constantFrom(1, 0.9, 0.5),
});

function build(s: Scenario): SimulationScenario {
  const queueDefinitions: QueueDefinition[] = s.queues.map((q) =>
    queueDefinition({
      queueId: q.queueId,
      name: q.queueId,
      agentSelection: q.agentSelection,
      relaxationSteps: q.relax ? [{ afterSeconds: 60, minProficiency: 'anyAgentOfQueue' }] : [],
      overflow: {
        ...(q.maxWaitInSeconds === undefined ? {} : { maxWait: { maxWaitInSeconds: q.maxWaitInSeconds, action: { kind: 'disconnect', message: 'busy' } } }),
        ...(q.maxQueueSize === undefined ? {} : { maxQueueSize: { maxQueueSize: q.maxQueueSize, action: { kind: 'disconnect', message: 'busy' } } }),
      },
    }),
  );
  const people: Agent[] = s.agents.map((a, i) => agent(`a${i}`, { skills: a.skills, queueIds: a.queues, capacity: a.capacity }));
  const types: SimulatedCallType[] = s.callTypes.map((c, i) => ({
    name: `type${i}`,
    queueId: c.queueId,
    arrivalRatePerSecond: c.callsPerHour / 3600,
    requiredSkills: c.skill === undefined ? [] : [{ skill: c.skill, minProficiency: c.minProficiency }],
    priority: c.priority,
    averageHandleTimeInSeconds: c.handleSeconds,
  }));
  return {
    queues: queueDefinitions,
    agents: people,
    callTypes: types,
    calls: 150,
    warmupCalls: 0,
    seed: s.seed,
    targetAnswerTimeInSeconds: 20,
    averagePatienceInSeconds: s.patience,
    answerProbability: s.answerProbability,
    notReadyForSeconds: 120,
  };
}

describe('routing, for any contact center', () => {
  it('accounts for every call, keeps agents within capacity, and without relaxation connects only skilled agents', () => {
    let answered = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const built = build(s);
        // The simulation itself throws when an agent is given more calls than their capacity.
        const result = simulateContactCenter(built);
        expect(result.answered + result.abandoned + result.overflowed).toBe(result.offered);
        answered += result.answered;
        s.callTypes.forEach((c, i) => {
          const queue = s.queues.find((q) => q.queueId === c.queueId);
          const type = result.perCallType[`type${i}`];
          if (c.skill === undefined || queue?.relax !== false || type?.lowestProficiency === null || type === undefined) return;
          expect({ callType: i, lowestProficiency: type.lowestProficiency, needed: c.minProficiency }).toEqual({ callType: i, lowestProficiency: Math.max(type.lowestProficiency, c.minProficiency), needed: c.minProficiency });
        });
      }),
      { numRuns: 150, seed: 20261207 },
    );
    expect(answered).toBeGreaterThan(1000);
  });
});
