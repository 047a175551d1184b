import type { RingBehaviour } from './teams/teams-user-directory.js';

/** The agents `npm start` signs in: simulated Teams users who answer after a ring or two. */
export interface SampleAgent {
  readonly agentId: string;
  readonly teamsUserId: string;
  readonly displayName: string;
  readonly skills: Readonly<Record<string, number>>;
  readonly queueIds: readonly string[];
  readonly ringBehaviour: RingBehaviour;
}

export const sampleAgents: readonly SampleAgent[] = [
  { agentId: 'ava', teamsUserId: '6a1f0d2c-0001-4000-8000-000000000001', displayName: 'Ava Patel', skills: { billing: 5, retention: 3, spanish: 2 }, queueIds: ['billing', 'retention'], ringBehaviour: { kind: 'accept', afterMs: 1500 } },
  { agentId: 'ben', teamsUserId: '6a1f0d2c-0002-4000-8000-000000000002', displayName: 'Ben Okafor', skills: { 'technical-support': 4 }, queueIds: ['tech-support'], ringBehaviour: { kind: 'accept', afterMs: 1500 } },
  { agentId: 'carmen', teamsUserId: '6a1f0d2c-0003-4000-8000-000000000003', displayName: 'Carmen Díaz', skills: { 'technical-support': 3, billing: 2, spanish: 5 }, queueIds: ['tech-support', 'billing'], ringBehaviour: { kind: 'accept', afterMs: 2500 } },
  { agentId: 'dev', teamsUserId: '6a1f0d2c-0004-4000-8000-000000000004', displayName: 'Dev Raman', skills: { sales: 4, moves: 3 }, queueIds: ['sales'], ringBehaviour: { kind: 'accept', afterMs: 1500 } },
  { agentId: 'erin', teamsUserId: '6a1f0d2c-0005-4000-8000-000000000005', displayName: 'Erin Walsh', skills: { retention: 5, complaints: 4, billing: 3 }, queueIds: ['retention', 'billing'], ringBehaviour: { kind: 'accept', afterMs: 2000 } },
];

/**
 * The sample agents who can work in a contact center: each keeps the queues of `queueIds` that exist
 * there, and one left with none is not signed in (`npm start` with your own config).
 */
export function sampleAgentsFor(queueIds: ReadonlySet<string>): { readonly agents: readonly SampleAgent[]; readonly left: readonly string[] } {
  const agents: SampleAgent[] = [];
  const left: string[] = [];
  for (const agent of sampleAgents) {
    const served = agent.queueIds.filter((q) => queueIds.has(q));
    if (served.length === 0) left.push(agent.agentId);
    else agents.push({ ...agent, queueIds: served });
  }
  return { agents, left };
}
