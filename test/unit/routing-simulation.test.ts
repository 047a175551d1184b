import { createSeededRandom, simulateContactCenter, type SimulationScenario } from '../../bot/routing/contact-center-simulation.js';
import { erlangCPerformance } from '../../bot/routing/erlang.js';
import { agent, queueDefinition } from './routing-given.js';

function singleSkill(agents: number, calls: number, seed = 7): SimulationScenario {
  return {
    queues: [queueDefinition()],
    agents: Array.from({ length: agents }, (_, i) => agent(`a${i}`)),
    callTypes: [{ name: 'all', queueId: 'sales', arrivalRatePerSecond: 2 / 180, requiredSkills: [], averageHandleTimeInSeconds: 180 }],
    calls,
    warmupCalls: 500,
    seed,
    targetAnswerTimeInSeconds: 20,
  };
}

describe('contact-center simulation through the real decider', () => {
  it('the seeded generator is deterministic and uniform enough', () => {
    const a = createSeededRandom(1);
    const b = createSeededRandom(1);
    const draws = Array.from({ length: 100_000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('reproduces Erlang C within its confidence interval (2 Erlangs, 4 agents)', () => {
    const result = simulateContactCenter(singleSkill(4, 30_000));
    const theory = erlangCPerformance({ arrivalRatePerSecond: 2 / 180, averageHandleTimeInSeconds: 180 }, 4, 20);
    expect(Math.abs(result.serviceLevel.value - theory.serviceLevel)).toBeLessThan(Math.max(2 * result.serviceLevel.ci95, 0.01));
    expect(Math.abs(result.probabilityOfWaiting.value - theory.probabilityOfWaiting)).toBeLessThan(Math.max(2 * result.probabilityOfWaiting.ci95, 0.01));
    expect(result.answered).toBe(result.offered);
  });

  it('is deterministic for a seed', () => {
    expect(simulateContactCenter(singleSkill(3, 2000, 11))).toEqual(simulateContactCenter(singleSkill(3, 2000, 11)));
  });

  it('two queues sharing agents, with missed offers and impatient callers: every call is accounted for and no agent exceeds capacity', () => {
    const shared = (id: string, skills: Record<string, number>) => agent(id, { skills, queueIds: ['billing', 'tech'] });
    const result = simulateContactCenter({
      queues: [
        queueDefinition({ queueId: 'billing', agentSelection: 'mostSkilled' }),
        queueDefinition({ queueId: 'tech', agentSelection: 'roundRobin', relaxationSteps: [{ afterSeconds: 30, minProficiency: 'anyAgentOfQueue' }] }),
      ],
      agents: [shared('a', { billing: 5, tech: 1 }), shared('b', { billing: 2, tech: 5 }), shared('c', { billing: 3, tech: 3 }), agent('d', { skills: { tech: 4 }, queueIds: ['tech'] })],
      callTypes: [
        { name: 'billing', queueId: 'billing', arrivalRatePerSecond: 1 / 120, requiredSkills: [{ skill: 'billing', minProficiency: 3 }], averageHandleTimeInSeconds: 150 },
        { name: 'tech', queueId: 'tech', arrivalRatePerSecond: 1 / 100, requiredSkills: [{ skill: 'tech', minProficiency: 3 }], averageHandleTimeInSeconds: 150 },
      ],
      calls: 4000,
      warmupCalls: 200,
      seed: 3,
      targetAnswerTimeInSeconds: 20,
      averagePatienceInSeconds: 120,
      answerProbability: 0.9,
    });
    expect(result.answered + result.abandoned + result.overflowed).toBe(result.offered);
    expect(result.perCallType['billing']!.averageProficiency).toBeGreaterThanOrEqual(3);
    expect(result.reservationsRefused).toBeGreaterThan(0);
    expect(result.agentsMadeNotReady).toBeGreaterThan(0);
  });
});
