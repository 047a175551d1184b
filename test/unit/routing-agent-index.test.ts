import {
  addToAgentIndex,
  createAgentIndex,
  findAgentInIndex,
  getIndexedAgent,
  indexOrderFor,
  meetsRequirements,
  removeFromAgentIndex,
  reorderAgentIndex,
  type IndexedAgent,
  type NewIndexedAgent,
} from '../../bot/routing/agent-index.js';
import { createSeededRandom } from '../../bot/routing/contact-center-simulation.js';
import type { AgentSelection, SkillRequirement } from '../../bot/routing/routing-types.js';

const skills = ['billing', 'tech', 'spanish', 'sales'];

/** The rule stated plainly, over every agent: the candidates in rank order and the ranking itself. */
function bruteForce(
  agents: Map<string, NewIndexedAgent>,
  requirements: SkillRequirement[],
  selection: AgentSelection,
  excluded: Set<string>,
): { ranked: NewIndexedAgent[]; compare: (a: NewIndexedAgent, b: NewIndexedAgent) => number } {
  const key = (a: NewIndexedAgent): number => (selection === 'roundRobin' ? a.lastOfferSeq : a.idleSinceMs);
  const primary = requirements[0]?.skill;
  const compare = (a: NewIndexedAgent, b: NewIndexedAgent): number => {
    if (selection === 'mostSkilled' && primary !== undefined) {
      const d = (b.skills[primary] ?? 0) - (a.skills[primary] ?? 0);
      if (d !== 0) return d;
    }
    return key(a) - key(b);
  };
  const ranked = [...agents.values()]
    .filter((a) => a.offerId === null && a.activeCallCount < a.capacity && meetsRequirements(a.skills, requirements) && !excluded.has(a.agentId))
    .sort(compare);
  return { ranked, compare };
}

describe('agent index', () => {
  it.each(['longestIdle', 'mostSkilled', 'roundRobin'] as const)(
    'agrees with a full scan through 20,000 random adds, removals, offers and searches (%s)',
    (selection) => {
      const random = createSeededRandom(42);
      const index = createAgentIndex(indexOrderFor(selection));
      const reference = new Map<string, NewIndexedAgent>();
      let clock = 0;
      const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      for (let op = 0; op < 20_000; op++) {
        const r = random();
        const agentId = `a${Math.floor(random() * 300)}`;
        if (r < 0.4) {
          const agentSkills: Record<string, number> = {};
          for (const skill of skills) if (random() < 0.5) agentSkills[skill] = 1 + Math.floor(random() * 5);
          // Keys mostly grow (agents become free in time order) but not always.
          clock += 1;
          const agent: NewIndexedAgent = {
            agentId,
            teamsUserId: agentId,
            skills: agentSkills,
            capacity: 1 + Math.floor(random() * 2),
            activeCallCount: random() < 0.2 ? 1 : 0,
            idleSinceMs: random() < 0.8 ? clock : Math.floor(random() * clock),
            lastOfferSeq: random() < 0.7 ? clock : Math.floor(random() * clock),
            offerId: null,
          };
          addToAgentIndex(index, agent);
          reference.set(agentId, { ...agent });
        } else if (r < 0.6) {
          expect(removeFromAgentIndex(index, agentId)).toBe(reference.delete(agentId));
        } else if (r < 0.7) {
          const entry = getIndexedAgent(index, agentId);
          const offerId = entry?.offerId === null ? `o${op}` : null;
          if (entry !== undefined) {
            entry.offerId = offerId;
            reference.get(agentId)!.offerId = offerId;
          }
        } else {
          const requirements: SkillRequirement[] = [];
          for (const skill of skills) if (random() < 0.3) requirements.push({ skill, minProficiency: 1 + Math.floor(random() * 5) });
          const excluded = new Set(random() < 0.3 ? [pick([...reference.keys(), 'none'])] : []);
          const found = findAgentInIndex(index, requirements, selection, (id) => excluded.has(id));
          const { ranked, compare } = bruteForce(reference, requirements, selection, excluded);
          if (ranked.length === 0) {
            expect(found).toBeUndefined();
          } else {
            // Agents that rank equal may come in either order; the pick must be one of the best.
            const pick = ranked.find((a) => a.agentId === found?.agentId);
            expect(pick).toBeDefined();
            expect(compare(pick!, ranked[0]!)).toBe(0);
          }
          expect(index.size).toBe(reference.size);
        }
      }
    },
  );

  it('stays compact when the longest idle agents keep leaving from the front', () => {
    const index = createAgentIndex('idleSince');
    for (let i = 0; i < 50; i++) addToAgentIndex(index, entry(`a${i}`, { idleSinceMs: i, skills: { billing: 3 } }));
    for (let i = 50; i < 20_000; i++) {
      const found = findAgentInIndex(index, [{ skill: 'billing', minProficiency: 1 }], 'longestIdle', () => false)!;
      expect(found.agentId).toBe(`a${i - 50}`);
      removeFromAgentIndex(index, found.agentId);
      addToAgentIndex(index, entry(`a${i}`, { idleSinceMs: i, skills: { billing: 3 } }));
    }
    for (const bucket of Object.values(index.buckets)) expect(bucket.keys.length).toBeLessThanOrEqual(2 * 50 + 40);
    expect(JSON.stringify(index).length).toBeLessThan(20_000);
  });

  it('keeps working after the ordering changes (round robin to longest idle)', () => {
    const index = createAgentIndex('lastOffer');
    addToAgentIndex(index, entry('a', { idleSinceMs: 10, lastOfferSeq: 5 }));
    addToAgentIndex(index, entry('b', { idleSinceMs: 20, lastOfferSeq: 1 }));
    expect(findAgentInIndex(index, [], 'roundRobin', () => false)?.agentId).toBe('b');
    reorderAgentIndex(index, 'idleSince');
    expect(findAgentInIndex(index, [], 'longestIdle', () => false)?.agentId).toBe('a');
  });

  it('compacts buckets as agents come and go, so stale slots do not pile up (the stored document stays small)', () => {
    const index = createAgentIndex('idleSince');
    for (let i = 0; i < 10_000; i++) {
      addToAgentIndex(index, entry(`a${i}`, { idleSinceMs: i, skills: { billing: 3 } }));
      if (i >= 100) removeFromAgentIndex(index, `a${i - 100}`);
    }
    const bucket = index.buckets['3:billing']!;
    expect(bucket.live).toBe(100);
    expect(bucket.keys.length).toBeLessThanOrEqual(2 * 100 + 40);
    expect(findAgentInIndex(index, [{ skill: 'billing', minProficiency: 2 }], 'longestIdle', () => false)?.agentId).toBe('a9900');
  });
});

function entry(agentId: string, overrides: Partial<IndexedAgent>): NewIndexedAgent {
  return {
    agentId,
    teamsUserId: agentId,
    skills: {},
    capacity: 1,
    activeCallCount: 0,
    idleSinceMs: 0,
    lastOfferSeq: 0,
    offerId: null,
    ...overrides,
  };
}
