import { agentIneligibility, idleSinceMs, isAgentEligible, memberStatusOf } from '../../bot/routing/agent-eligibility.js';
import { applyAgentCommand, endAgentCall, endWrapUp } from '../../bot/routing/apply-agent-command.js';
import { agent, at, t0 } from './routing-given.js';

const offer = { offerId: 'o1', callId: 'c1', queueId: 'sales', offeredAt: t0.toISOString() };

describe('agent document transitions (applied by the shell under the agent’s ETag)', () => {
  it('reserving writes the offer on a free agent', () => {
    const update = applyAgentCommand(agent('a1'), { kind: 'ReserveAgent', agentId: 'a1', offerId: 'o1', offer });
    expect(update).toMatchObject({ outcome: 'applied', agent: { offer } });
  });

  it('reserving again with the same offer is a no-op (a retried command)', () => {
    const reserved = agent('a1', { offer });
    expect(applyAgentCommand(reserved, { kind: 'ReserveAgent', agentId: 'a1', offerId: 'o1', offer }).outcome).toBe('unchanged');
  });

  it.each([
    ['holding another queue’s offer', { offer: { ...offer, offerId: 'other', queueId: 'support' } }, 'holdingOffer'],
    ['on a call at capacity', { activeCallIds: ['c0'] }, 'atCapacity'],
    ['not ready', { state: 'notReady' as const }, 'notReady'],
    ['Busy in a meeting', { presence: { availability: 'Busy' as const, activity: 'InAMeeting' } }, 'presence'],
    ['no longer in the queue', { queueIds: ['support'] }, 'notInQueue'],
  ])('refuses to reserve an agent %s, so two queues can never take the same agent', (_, overrides, reason) => {
    const update = applyAgentCommand(agent('a1', overrides), { kind: 'ReserveAgent', agentId: 'a1', offerId: 'o1', offer });
    expect(update).toMatchObject({ outcome: 'rejected', reason });
  });

  it('releasing after a miss counts the miss once, however often it is retried', () => {
    const reserved = agent('a1', { offer, consecutiveMisses: 1 });
    const released = applyAgentCommand(reserved, { kind: 'ReleaseAgent', agentId: 'a1', offerId: 'o1', outcome: 'noAnswer' });
    expect(released).toMatchObject({ outcome: 'applied', agent: { offer: null, consecutiveMisses: 2 } });
    expect(applyAgentCommand(released.agent, { kind: 'ReleaseAgent', agentId: 'a1', offerId: 'o1', outcome: 'noAnswer' }).outcome).toBe('unchanged');
  });

  it('a cancelled offer (caller hung up) is not the agent’s miss', () => {
    const released = applyAgentCommand(agent('a1', { offer }), { kind: 'ReleaseAgent', agentId: 'a1', offerId: 'o1', outcome: 'cancelled' });
    expect(released.agent.consecutiveMisses).toBe(0);
  });

  it('releasing never clears a newer offer from another queue', () => {
    const other = agent('a1', { offer: { ...offer, offerId: 'o2', queueId: 'support' } });
    expect(applyAgentCommand(other, { kind: 'ReleaseAgent', agentId: 'a1', offerId: 'o1', outcome: 'declined' })).toMatchObject({
      outcome: 'unchanged',
      agent: { offer: { offerId: 'o2' } },
    });
  });

  it('answering assigns the call, clears the offer and resets the misses', () => {
    const update = applyAgentCommand(agent('a1', { offer, consecutiveMisses: 1 }), { kind: 'AssignCallToAgent', agentId: 'a1', offerId: 'o1', callId: 'c1' });
    expect(update.agent).toMatchObject({ activeCallIds: ['c1'], offer: null, consecutiveMisses: 0 });
  });

  it('marking not ready records the reason', () => {
    expect(applyAgentCommand(agent('a1'), { kind: 'MarkAgentNotReady', agentId: 'a1', reason: 'missedOffers' }).agent).toMatchObject({
      state: 'notReady',
      notReadyReason: 'missedOffers',
    });
  });

  it('the end of a call frees capacity and starts the idle time', () => {
    const ended = endAgentCall(agent('a1', { activeCallIds: ['c1'] }), 'c1', at(90));
    expect(ended.agent).toMatchObject({ activeCallIds: [], lastCallEndedAt: at(90).toISOString() });
    expect(isAgentEligible(ended.agent, 'sales')).toBe(true);
    expect(endAgentCall(ended.agent, 'c1', at(95)).outcome).toBe('unchanged');
  });

  it('with after-call work the agent wraps up first: no call is offered until its end, or until they say they are ready', () => {
    const ended = endAgentCall(agent('a1', { activeCallIds: ['c1'] }), 'c1', at(90), 30);
    expect(ended.agent).toMatchObject({ activeCallIds: [], lastCallEndedAt: at(90).toISOString(), wrapUp: { callId: 'c1', until: at(120).toISOString() } });
    expect(agentIneligibility(ended.agent, 'sales')).toBe('wrappingUp');
    expect(memberStatusOf(ended.agent)).toBe('wrapUp');
    // The scheduled end of an earlier call's wrap-up leaves this one alone.
    expect(endWrapUp(ended.agent, at(100), { callId: 'c0' }).outcome).toBe('unchanged');
    // Nor does the end of an earlier wrap-up for the same call (the agent took it again).
    expect(endWrapUp(ended.agent, at(100), { callId: 'c1', until: at(60).toISOString() }).outcome).toBe('unchanged');
    const over = endWrapUp(ended.agent, at(120), { callId: 'c1', until: at(120).toISOString() });
    expect(over.agent.wrapUp).toBeNull();
    expect(isAgentEligible(over.agent, 'sales')).toBe(true);
    expect(endWrapUp(over.agent, at(125), { callId: 'c1' }).outcome).toBe('unchanged');
    // The agent ends it sooner: any wrap-up.
    expect(endWrapUp(ended.agent, at(100)).agent.wrapUp).toBeNull();
    // Idle time runs from the wrap-up's end, not the call's: longest-idle routing is fair to those who wrap up.
    expect(idleSinceMs(over.agent)).toBe(at(120).getTime());
    expect(idleSinceMs(ended.agent)).toBe(at(90).getTime());
  });

  it('a second call of an agent with capacity for two ends into its own wrap-up', () => {
    const first = endAgentCall(agent('a1', { capacity: 2, activeCallIds: ['c1', 'c2'] }), 'c1', at(90), 30).agent;
    const second = endAgentCall(first, 'c2', at(100), 30).agent;
    expect(second.wrapUp).toEqual({ callId: 'c2', until: at(130).toISOString() });
    expect(endWrapUp(second, at(140), { callId: 'c1' }).outcome).toBe('unchanged');
  });
});

describe('agent eligibility and status', () => {
  it('an agent with capacity for two is eligible while Busy in our call, not while Busy in a meeting', () => {
    const onCall = agent('a1', { capacity: 2, activeCallIds: ['c1'], presence: { availability: 'Busy', activity: 'InACall' } });
    expect(agentIneligibility(onCall)).toBeNull();
    expect(agentIneligibility({ ...onCall, presence: { availability: 'Busy', activity: 'InAMeeting' } })).toBe('presence');
  });

  it('counts agents for the supervisor by what they are doing', () => {
    expect(memberStatusOf(agent('a'))).toBe('idle');
    expect(memberStatusOf(agent('a', { offer }))).toBe('reserved');
    expect(memberStatusOf(agent('a', { activeCallIds: ['c'] }))).toBe('onCall');
    expect(memberStatusOf(agent('a', { presence: { availability: 'Away', activity: 'Away' } }))).toBe('away');
    expect(memberStatusOf(agent('a', { state: 'notReady' }))).toBe('notReady');
    expect(memberStatusOf(agent('a', { presence: { availability: 'Offline', activity: 'Offline' } }))).toBe('offline');
  });
});
