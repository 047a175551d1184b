import { chooseConsultAgent } from '../../bot/routing/choose-consult-agent.js';
import { agent, at, t0 } from './routing-given.js';

describe('choosing an SME for a consult by skill and presence', () => {
  const billing = [{ skill: 'billing', minProficiency: 3 }];

  it('chooses the most proficient available SME, whatever their queues', () => {
    const candidates = [
      agent('good', { skills: { billing: 4 }, queueIds: [] }),
      agent('expert', { skills: { billing: 5 }, queueIds: ['support'] }),
      agent('weak', { skills: { billing: 2 } }),
    ];
    expect(chooseConsultAgent(candidates, { requiredSkills: billing })?.agentId).toBe('expert');
  });

  it('follows the offer rules: never an SME on a call, ringing, away, not ready, or the asking agent', () => {
    const candidates = [
      agent('asking', { skills: { billing: 5 } }),
      agent('on-call', { skills: { billing: 5 }, activeCallIds: ['c9'], presence: { availability: 'Busy', activity: 'InACall' } }),
      agent('ringing', { skills: { billing: 5 }, offer: { offerId: 'o', callId: 'c8', queueId: 'sales', offeredAt: t0.toISOString() } }),
      agent('away', { skills: { billing: 5 }, presence: { availability: 'Away', activity: 'Away' } }),
      agent('break', { skills: { billing: 5 }, state: 'notReady' }),
      agent('free', { skills: { billing: 3 } }),
    ];
    expect(chooseConsultAgent(candidates, { requiredSkills: billing, excludeAgentIds: ['asking'] })?.agentId).toBe('free');
  });

  it('breaks ties by total proficiency, then by who has been idle longest', () => {
    const candidates = [
      agent('recent', { skills: { billing: 4, spanish: 3 }, lastCallEndedAt: at(-10).toISOString() }),
      agent('idle', { skills: { billing: 4, spanish: 3 }, lastCallEndedAt: at(-600).toISOString() }),
      agent('narrow', { skills: { billing: 4, spanish: 2 }, lastCallEndedAt: at(-900).toISOString() }),
    ];
    expect(chooseConsultAgent(candidates, { requiredSkills: [...billing, { skill: 'spanish', minProficiency: 1 }] })?.agentId).toBe('idle');
  });

  it('returns null when nobody qualifies', () => {
    expect(chooseConsultAgent([agent('x', { skills: { sales: 5 } })], { requiredSkills: billing })).toBeNull();
  });
});
