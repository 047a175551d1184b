import { sampleAgents, sampleAgentsFor } from '../../local/sample-agents.js';

describe('the sample agents npm start signs in', () => {
  it('serve every sample queue they know in the sample contact center', () => {
    const { agents, left } = sampleAgentsFor(new Set(['billing', 'tech-support', 'sales', 'retention']));
    expect(agents).toEqual(sampleAgents);
    expect(left).toEqual([]);
  });

  it('in another contact center keep only its queues, and one with none of them is left out', () => {
    const { agents, left } = sampleAgentsFor(new Set(['billing', 'shop']));
    expect(agents.map((a) => [a.agentId, a.queueIds])).toEqual([
      ['ava', ['billing']],
      ['carmen', ['billing']],
      ['erin', ['billing']],
    ]);
    expect(left).toEqual(['ben', 'dev']);
  });
});
