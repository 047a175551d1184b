import type { Agent } from './routing-types.js';

/** Who the agent is; everything routing keeps live (offers, calls, misses) starts empty. */
export type AgentProfile = Pick<Agent, 'agentId' | 'teamsUserId' | 'displayName' | 'skills' | 'queueIds'> & Partial<Agent>;

/** An agent document as it is before routing has offered them anything. */
export function newAgent(profile: AgentProfile): Agent {
  return {
    capacity: 1,
    state: 'ready',
    notReadyReason: null,
    presence: { availability: 'PresenceUnknown', activity: 'PresenceUnknown' },
    activeCallIds: [],
    offer: null,
    lastCallEndedAt: null,
    consecutiveMisses: 0,
    wrapUp: null,
    ...profile,
  };
}
