import { offerTimeoutGraceInSeconds } from '../../bot/routing/decide-routing.js';
import { agent, at, callQueued, given, message, ofKind, offers, queueDefinition, t0 } from './routing-given.js';

describe('routing decider: who may be offered a call', () => {
  it('offers a queued call to a free agent: reserve, ring with the queue ring time, arm the safety timeout', () => {
    const s = given(queueDefinition({ ringTimeInSeconds: 25 })).withAgents([agent('a1')]);
    const { commands } = s.when(callQueued('c1', { at: at(0) }));

    expect(commands.map((c) => c.kind)).toEqual([
      'RecordRoutingDecision',
      'ReserveAgent',
      'OfferCallToAgent',
      'ScheduleMessage',
      'RecordRoutingDecision',
    ]);
    const [reserve] = ofKind(commands, 'ReserveAgent');
    const [ring] = ofKind(commands, 'OfferCallToAgent');
    expect(reserve).toMatchObject({ agentId: 'a1', offer: { callId: 'c1', queueId: 'sales', offeredAt: at(0).toISOString() } });
    expect(ring).toMatchObject({
      agentId: 'a1',
      teamsUserId: 'teams-a1',
      callConnectionId: 'conn-c1',
      invitationTimeoutInSeconds: 25,
      offerId: reserve!.offerId,
      operationContext: reserve!.offerId,
    });
    expect(ring!.context.intent).toBe('buy');
    const [timeout] = ofKind(commands, 'ScheduleMessage');
    expect(timeout).toMatchObject({
      at: at(25 + offerTimeoutGraceInSeconds).toISOString(),
      message: { kind: 'OfferTimedOut', offerId: reserve!.offerId, agentId: 'a1', callId: 'c1' },
    });
  });

  it.each([
    ['not ready', { state: 'notReady' as const, notReadyReason: 'lunch' }],
    ['Away in Teams', { presence: { availability: 'Away' as const, activity: 'Away' } }],
    ['Busy in a meeting', { presence: { availability: 'Busy' as const, activity: 'InAMeeting' } }],
    ['Do not disturb', { presence: { availability: 'DoNotDisturb' as const, activity: 'Presenting' } }],
    ['Offline', { presence: { availability: 'Offline' as const, activity: 'Offline' } }],
    ['on a call at capacity', { activeCallIds: ['other-call'], presence: { availability: 'Busy' as const, activity: 'InACall' } }],
    ['holding an offer from another queue', { offer: { offerId: 'o9', callId: 'c9', queueId: 'support', offeredAt: t0.toISOString() } }],
    ['not a member of the queue', { queueIds: ['support'] }],
  ])('never offers a call to an agent who is %s', (_, overrides) => {
    const s = given().withAgents([agent('a1', overrides)]);
    const { commands } = s.when(callQueued('c1'));
    expect(offers(commands)).toEqual([]);
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['c1']);
  });

  it('offers to an agent who is AvailableIdle', () => {
    const s = given().withAgents([agent('a1', { presence: { availability: 'AvailableIdle', activity: 'Available' } })]);
    expect(offers(s.when(callQueued('c1')).commands)).toEqual([{ agentId: 'a1', callId: 'c1' }]);
  });

  it('offers a second call to an agent with capacity two who is Busy on our call', () => {
    const busy = agent('a1', { capacity: 2, activeCallIds: ['c0'], presence: { availability: 'Busy', activity: 'InACall' } });
    const s = given().withAgents([busy]);
    expect(offers(s.when(callQueued('c1')).commands)).toEqual([{ agentId: 'a1', callId: 'c1' }]);
  });

  it('never offers a second call to an agent still holding this queue’s offer', () => {
    const s = given().withAgents([agent('a1')]).withCalls(callQueued('c1', { at: at(0) }));
    const { commands } = s.when(callQueued('c2', { at: at(1) }));
    expect(offers(commands)).toEqual([]);
    expect(ofKind(commands, 'ScheduleMessage')).toEqual([]); // announcements are off in this queue
  });

  it('never offers a call to an agent whose call from this queue fills their capacity', () => {
    const s = given().withAgents([agent('a1')]).withCalls(callQueued('c1', { at: at(0) }));
    s.accept('c1', at(5));
    expect(offers(s.when(callQueued('c2', { at: at(6) })).commands)).toEqual([]);
  });

  it('stops offering to an agent who changes presence, and offers again when they are back', () => {
    const s = given().withAgents([agent('a1')]);
    s.agentChanged(agent('a1', { presence: { availability: 'BeRightBack', activity: 'BeRightBack' } }), at(1), 'AgentBecameUnavailable');
    expect(offers(s.when(callQueued('c1', { at: at(2) })).commands)).toEqual([]);
    const { commands } = s.agentChanged(agent('a1'), at(30));
    expect(offers(commands)).toEqual([{ agentId: 'a1', callId: 'c1' }]);
  });
});

describe('routing decider: queue order', () => {
  it('serves higher priority first, whatever the wait', () => {
    const s = given().withCalls(callQueued('old', { at: at(0) }), callQueued('vip', { at: at(50), priority: 5 }));
    const { commands } = s.agentChanged(agent('a1'), at(60));
    expect(offers(commands)).toEqual([{ agentId: 'a1', callId: 'vip' }]);
  });

  it('serves the longest waiting call first within a priority', () => {
    const s = given().withCalls(callQueued('second', { at: at(10) }), callQueued('first', { at: at(5) }));
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['first', 'second']);
    expect(offers(s.agentChanged(agent('a1'), at(60)).commands)).toEqual([{ agentId: 'a1', callId: 'first' }]);
  });
});

describe('routing decider: choosing the agent', () => {
  it('longest idle (the default): the agent whose last call ended first', () => {
    const s = given().withAgents([
      agent('recent', { lastCallEndedAt: at(-10).toISOString() }),
      agent('longest', { lastCallEndedAt: at(-300).toISOString() }),
      agent('middle', { lastCallEndedAt: at(-60).toISOString() }),
    ]);
    expect(offers(s.when(callQueued('c1')).commands)).toEqual([{ agentId: 'longest', callId: 'c1' }]);
    expect(offers(s.when(callQueued('c2')).commands)).toEqual([{ agentId: 'middle', callId: 'c2' }]);
  });

  it('longest idle counts from the end of the after-call work, not of the call', () => {
    const s = given().withAgents([
      // Ended a call 5 minutes ago but wrapped up until 10 seconds ago: idle for 10 seconds.
      agent('wrapped', { lastCallEndedAt: at(-300).toISOString(), wrapUpEndedAt: at(-10).toISOString() }),
      agent('idle', { lastCallEndedAt: at(-60).toISOString() }),
    ]);
    expect(offers(s.when(callQueued('c1')).commands)).toEqual([{ agentId: 'idle', callId: 'c1' }]);
  });

  it('most skilled: highest proficiency in the first required skill, then longest idle', () => {
    const s = given(queueDefinition({ agentSelection: 'mostSkilled' })).withAgents([
      agent('novice', { skills: { billing: 2 }, lastCallEndedAt: at(-900).toISOString() }),
      agent('expert-recent', { skills: { billing: 5 }, lastCallEndedAt: at(-10).toISOString() }),
      agent('expert-idle', { skills: { billing: 5 }, lastCallEndedAt: at(-100).toISOString() }),
      agent('good', { skills: { billing: 4 } }),
    ]);
    const picks = ['c1', 'c2', 'c3', 'c4'].map((id) => offers(s.when(callQueued(id, { skills: { billing: 2 } })).commands)[0]?.agentId);
    expect(picks).toEqual(['expert-idle', 'expert-recent', 'good', 'novice']);
  });

  it('most skilled ranks by the first required skill even when another requirement is more selective', () => {
    const s = given(queueDefinition({ agentSelection: 'mostSkilled' })).withAgents([
      agent('a', { skills: { billing: 3, spanish: 3 } }),
      agent('b', { skills: { billing: 5, spanish: 3 } }),
      ...Array.from({ length: 20 }, (_, i) => agent(`x${i}`, { skills: { billing: 5 } })),
    ]);
    expect(offers(s.when(callQueued('c1', { skills: { billing: 1, spanish: 2 } })).commands)).toEqual([{ agentId: 'b', callId: 'c1' }]);
  });

  it('round robin: the agent offered least recently, however long the others have been idle', () => {
    // a1 is offered first but has a long call; a2 is offered second and is free again sooner.
    const s = given(queueDefinition({ agentSelection: 'roundRobin' })).withAgents([agent('a1'), agent('a2')]);
    s.withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    expect(s.queue.waiting.map((c) => c.offer?.agentId)).toEqual(['a1', 'a2']);
    s.accept('c1', at(2));
    s.accept('c2', at(3));
    s.endCall('a2', 'c2', at(20));
    s.endCall('a1', 'c1', at(40));
    expect(offers(s.when(callQueued('c3', { at: at(50) })).commands)).toEqual([{ agentId: 'a1', callId: 'c3' }]);
    expect(offers(s.when(callQueued('c4', { at: at(51) })).commands)).toEqual([{ agentId: 'a2', callId: 'c4' }]);
  });

  it('longest idle in the same situation picks the agent free the longest', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]);
    s.withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    s.accept('c1', at(2));
    s.accept('c2', at(3));
    s.endCall('a2', 'c2', at(20));
    s.endCall('a1', 'c1', at(40));
    expect(offers(s.when(callQueued('c3', { at: at(50) })).commands)).toEqual([{ agentId: 'a2', callId: 'c3' }]);
  });

  it('offers only to agents with every required skill at the required proficiency', () => {
    const s = given().withAgents([
      agent('idle-longest-but-weak', { skills: { billing: 2, spanish: 5 } }),
      agent('no-spanish', { skills: { billing: 5 } }),
      agent('fit', { skills: { billing: 3, spanish: 4 } }),
    ]);
    expect(offers(s.when(callQueued('c1', { skills: { billing: 3, spanish: 2 } })).commands)).toEqual([{ agentId: 'fit', callId: 'c1' }]);
  });

  it('adds the queue’s own required skills to every call, the stricter proficiency winning', () => {
    const s = given(queueDefinition({ requiredSkills: [{ skill: 'sales', minProficiency: 2 }] })).withAgents([
      agent('no-sales', { skills: { billing: 5 } }),
      agent('sales', { skills: { billing: 5, sales: 3 } }),
    ]);
    expect(offers(s.when(callQueued('c1', { skills: { billing: 3, sales: 1 } })).commands)).toEqual([{ agentId: 'sales', callId: 'c1' }]);
    expect(s.last!.commands.find((c) => c.kind === 'RecordRoutingDecision' && c.decision.kind === 'queued')).toMatchObject({
      decision: { requiredSkills: [{ skill: 'billing', minProficiency: 3 }, { skill: 'sales', minProficiency: 2 }] },
    });
  });
});

describe('routing decider: skills relax as the call waits', () => {
  const relaxing = queueDefinition({
    relaxationSteps: [
      { afterSeconds: 120, minProficiency: 'anyAgentOfQueue' },
      { afterSeconds: 60, minProficiency: 2 },
    ],
  });

  it('schedules the first relaxation when the call starts waiting', () => {
    const s = given(relaxing).withAgents([agent('weak', { skills: { billing: 2 } })]);
    const { commands } = s.when(callQueued('c1', { skills: { billing: 4 }, at: at(0) }));
    expect(offers(commands)).toEqual([]);
    expect(ofKind(commands, 'ScheduleMessage').map((c) => [c.at, c.message.kind])).toEqual([
      [at(60).toISOString(), 'QueueTimerFired'],
    ]);
  });

  it('after 60 s accepts proficiency 2, after 120 s any agent of the queue', () => {
    const s = given(relaxing).withAgents([agent('weak', { skills: { billing: 2 } }), agent('none', { skills: { sales: 1 } })]);
    s.withCalls(callQueued('c1', { skills: { billing: 4 }, at: at(0) }), callQueued('c2', { skills: { billing: 4 }, at: at(1) }));

    const first = s.when(message('QueueTimerFired', { callId: 'c1', timer: 'skillRelaxation', step: 0 }, at(60)));
    expect(offers(first.commands)).toEqual([{ agentId: 'weak', callId: 'c1' }]);
    expect(ofKind(first.commands, 'ScheduleMessage').map((c) => [c.at, c.message.kind])).toContainEqual([at(120).toISOString(), 'QueueTimerFired']);

    const early = s.when(message('QueueTimerFired', { callId: 'c2', timer: 'skillRelaxation', step: 1 }, at(100)));
    expect(offers(early.commands)).toEqual([]);
    const later = s.when(message('QueueTimerFired', { callId: 'c2', timer: 'skillRelaxation', step: 1 }, at(121)));
    expect(offers(later.commands)).toEqual([{ agentId: 'none', callId: 'c2' }]);
  });

  it('applies the steps by time even when the configuration lists them out of order', () => {
    const unsorted = { ...relaxing, relaxationSteps: [relaxing.relaxationSteps[1]!, relaxing.relaxationSteps[0]!] };
    const s = given(unsorted).withAgents([agent('weak', { skills: { billing: 2 } }), agent('none', { skills: { sales: 1 } })]);
    const queued = s.when(callQueued('c1', { skills: { billing: 4 }, at: at(0) }));
    expect(ofKind(queued.commands, 'ScheduleMessage').map((c) => c.at)).toEqual([at(60).toISOString()]);
    const relaxed = s.when(message('QueueTimerFired', { callId: 'c1', timer: 'skillRelaxation', step: 1 }, at(60)));
    expect(offers(relaxed.commands)).toEqual([{ agentId: 'weak', callId: 'c1' }]);
    expect(ofKind(relaxed.commands, 'ScheduleMessage').map((c) => c.at)).toContain(at(120).toISOString());
  });

  it('an agent who becomes free takes a call whose requirements have relaxed to their level', () => {
    const s = given(relaxing).withCalls(callQueued('c1', { skills: { billing: 4 }, at: at(0) }));
    expect(offers(s.agentChanged(agent('weak', { skills: { billing: 2 } }), at(30)).commands)).toEqual([]);
    s.agentChanged(agent('weak', { skills: { billing: 2 }, presence: { availability: 'Away', activity: 'Away' } }), at(40));
    expect(offers(s.agentChanged(agent('weak', { skills: { billing: 2 } }), at(90)).commands)).toEqual([{ agentId: 'weak', callId: 'c1' }]);
  });
});

describe('routing decider: declined and unanswered offers', () => {
  it('declined: releases the agent and offers the next agent at once, never back to the decliner', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]).withCalls(callQueued('c1', { at: at(0) }));
    const offerId = s.offerOf('c1').offerId;
    const { commands } = s.decline('c1', at(5));
    expect(ofKind(commands, 'ReleaseAgent')).toEqual([{ kind: 'ReleaseAgent', agentId: 'a1', offerId, outcome: 'declined' }]);
    expect(offers(commands)).toEqual([{ agentId: 'a2', callId: 'c1' }]);
    expect(s.agents.get('a1')).toMatchObject({ offer: null, consecutiveMisses: 1 });

    const again = s.decline('c1', at(10));
    expect(offers(again.commands)).toEqual([]);
    expect(s.queue.waiting[0]).toMatchObject({ callId: 'c1', offer: null, missedByAgentIds: ['a1', 'a2'] });
  });

  it('no answer (the safety-net timeout): cancels the invitation, releases, offers the next agent', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]).withCalls(callQueued('c1', { at: at(0) }));
    const { offerId } = s.offerOf('c1');
    const { commands } = s.when(message('OfferTimedOut', { callId: 'c1', agentId: 'a1', offerId }, at(30)));
    expect(commands.map((c) => c.kind).slice(0, 2)).toEqual(['CancelOffer', 'ReleaseAgent']);
    expect(ofKind(commands, 'CancelOffer')[0]).toMatchObject({ offerId, callConnectionId: 'conn-c1', agentId: 'a1' });
    expect(ofKind(commands, 'ReleaseAgent')[0]).toMatchObject({ outcome: 'noAnswer' });
    expect(offers(commands)).toEqual([{ agentId: 'a2', callId: 'c1' }]);
  });

  it('an agent who missed one call is offered the next waiting call straight away (fewer than N misses)', () => {
    const s = given().withAgents([agent('a1')]).withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    const { commands } = s.decline('c1', at(20), 'noAnswer');
    expect(offers(commands)).toEqual([{ agentId: 'a1', callId: 'c2' }]);
  });

  it('N misses in a row: the agent is made not ready with a reason and gets no more offers', () => {
    const s = given(queueDefinition({ maxMissesBeforeNotReady: 2 }))
      .withAgents([agent('a1')])
      .withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    s.decline('c1', at(20), 'noAnswer');
    const { commands } = s.decline('c2', at(40), 'noAnswer');
    expect(ofKind(commands, 'MarkAgentNotReady')).toEqual([{ kind: 'MarkAgentNotReady', agentId: 'a1', reason: 'missedOffers' }]);
    expect(s.agents.get('a1')).toMatchObject({ state: 'notReady', notReadyReason: 'missedOffers', consecutiveMisses: 2 });
    expect(offers(s.when(callQueued('c3', { at: at(41) })).commands)).toEqual([]);
    expect(s.queue.memberCounts).toMatchObject({ notReady: 1, idle: 0 });
  });

  it('answering resets the miss count, so misses must be in a row', () => {
    const s = given(queueDefinition({ maxMissesBeforeNotReady: 2 })).withAgents([agent('a1')]);
    s.withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    s.decline('c1', at(5)); // a1 is offered c2 at once
    s.accept('c2', at(6));
    expect(s.agents.get('a1')!.consecutiveMisses).toBe(0);
    s.endCall('a1', 'c2', at(60)); // a1 missed c1, so c1 is not offered to a1 again
    expect(offers(s.last!.commands)).toEqual([]);
    const { commands } = s.when(callQueued('c3', { at: at(61) }));
    s.decline('c3', at(62));
    expect(ofKind(s.last!.commands, 'MarkAgentNotReady')).toEqual([]);
    expect(offers(commands)).toEqual([{ agentId: 'a1', callId: 'c3' }]);
  });

  it('ignores an acceptance that names another agent than the one offered', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]).withCalls(callQueued('c1', { at: at(0) }));
    const { offerId, agentId } = s.offerOf('c1');
    const other = agentId === 'a1' ? 'a2' : 'a1';
    expect(s.when(message('OfferAccepted', { callId: 'c1', agentId: other, offerId }, at(3)))).toMatchObject({ commands: [], ignored: 'stale' });
    expect(s.offerOf('c1').agentId).toBe(agentId);
  });

  it('ignores the outcome of an offer that is no longer current', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]).withCalls(callQueued('c1', { at: at(0) }));
    const first = s.offerOf('c1');
    s.decline('c1', at(5));
    const late = s.when(message('OfferTimedOut', { callId: 'c1', agentId: first.agentId, offerId: first.offerId }, at(30)));
    expect(late).toMatchObject({ commands: [], ignored: 'stale' });
  });
});

describe('routing decider: answered and abandoned', () => {
  it('accepted: the call leaves the queue and is assigned to the agent', () => {
    const s = given().withAgents([agent('a1')]).withCalls(callQueued('c1', { at: at(0) }));
    const { offerId } = s.offerOf('c1');
    const { commands } = s.accept('c1', at(8));
    expect(ofKind(commands, 'AssignCallToAgent')).toEqual([{ kind: 'AssignCallToAgent', agentId: 'a1', offerId, callId: 'c1' }]);
    expect(s.queue.waiting).toEqual([]);
    expect(s.agents.get('a1')).toMatchObject({ activeCallIds: ['c1'], offer: null });
  });

  it('the caller hangs up during the offer: the invitation is cancelled and the agent released for the next call', () => {
    const s = given().withAgents([agent('a1')]).withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    const { offerId } = s.offerOf('c1');
    const { commands } = s.when(message('CallLeftQueue', { callId: 'c1', reason: 'abandoned' }, at(4)));
    expect(ofKind(commands, 'CancelOffer')).toEqual([
      { kind: 'CancelOffer', offerId, operationContext: offerId, callId: 'c1', callConnectionId: 'conn-c1', agentId: 'a1' },
    ]);
    expect(ofKind(commands, 'ReleaseAgent')).toEqual([{ kind: 'ReleaseAgent', agentId: 'a1', offerId, outcome: 'cancelled' }]);
    expect(offers(commands)).toEqual([{ agentId: 'a1', callId: 'c2' }]);
    expect(s.agents.get('a1')!.consecutiveMisses).toBe(0);
  });

  it('the caller hangs up while waiting: the call leaves the queue', () => {
    const s = given().withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    s.when(message('CallLeftQueue', { callId: 'c1', reason: 'abandoned' }, at(30)));
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['c2']);
    expect(s.queue.stats.totals.abandoned).toBe(1);
  });
});

describe('routing decider: idempotent handling', () => {
  it('a redelivered message (same message id) changes nothing', () => {
    const s = given().withAgents([agent('a1'), agent('a2')]);
    const queued = callQueued('c1', { at: at(0) });
    s.when(queued);
    const before = JSON.stringify(s.queue);
    expect(s.when(queued)).toMatchObject({ commands: [], ignored: 'duplicate' });
    expect(JSON.stringify(s.queue)).toBe(before);
  });

  it('a second CallQueued for a call already in the queue is ignored', () => {
    const s = given().withCalls(callQueued('c1', { at: at(0) }));
    expect(s.when(callQueued('c1', { at: at(3) }))).toMatchObject({ commands: [], ignored: 'stale' });
    expect(s.queue.waiting).toHaveLength(1);
  });

  it('ignores messages for calls no longer in the queue', () => {
    const s = given();
    for (const m of [
      message('CallLeftQueue', { callId: 'gone', reason: 'abandoned' }),
      message('OfferAccepted', { callId: 'gone', agentId: 'a1', offerId: 'x' }),
      message('AnnouncementTick', { callId: 'gone', sequence: 1 }),
      message('QueueTimerFired', { callId: 'gone', timer: 'maxWait', step: 0 }),
      message('CallbackRequested', { callId: 'gone', phoneNumber: '+441632960001' }),
    ]) {
      expect(s.when(m)).toMatchObject({ commands: [], ignored: 'stale' });
    }
  });

  it('scheduled messages carry deterministic ids, so scheduling twice sends one message', () => {
    const first = given(queueDefinition({ announcementIntervalInSeconds: 30 }));
    const second = given(queueDefinition({ announcementIntervalInSeconds: 30 }));
    const ids = [first, second].map((s) =>
      ofKind(s.when(callQueued('c1', { at: at(0) })).commands, 'ScheduleMessage').map((c) => c.message.messageId),
    );
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]!.length).toBeGreaterThan(0);
  });
});

describe('routing decider: overflow', () => {
  it('max queue size: a caller who would wait in a full queue takes the overflow action', () => {
    const def = queueDefinition({ overflow: { maxQueueSize: { maxQueueSize: 2, action: { kind: 'voicemail' } } } });
    const s = given(def).withCalls(callQueued('c1'), callQueued('c2'));
    const { commands } = s.when(callQueued('c3'));
    expect(ofKind(commands, 'Overflow')).toEqual([
      { kind: 'Overflow', callId: 'c3', callConnectionId: 'conn-c3', queueId: 'sales', reason: 'maxQueueSize', action: { kind: 'voicemail' } },
    ]);
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['c1', 'c2']);
  });

  it('max wait: the timer armed on entry sends the call to the configured queue', () => {
    const def = queueDefinition({ overflow: { maxWait: { maxWaitInSeconds: 300, action: { kind: 'queue', queueId: 'sales-overflow' } } } });
    const s = given(def);
    const queued = s.when(callQueued('c1', { at: at(0) }));
    const timer = ofKind(queued.commands, 'ScheduleMessage').find((c) => c.message.kind === 'QueueTimerFired');
    expect(timer).toMatchObject({ at: at(300).toISOString(), message: { callId: 'c1', timer: 'maxWait' } });

    const { commands } = s.when(timer!.message, at(300));
    expect(ofKind(commands, 'Overflow')).toMatchObject([{ callId: 'c1', reason: 'maxWait', action: { kind: 'queue', queueId: 'sales-overflow' } }]);
    expect(s.queue.waiting).toEqual([]);
  });

  it('max wait reached while ringing: a missed offer overflows instead of ringing the next agent', () => {
    const def = queueDefinition({ overflow: { maxWait: { maxWaitInSeconds: 60, action: { kind: 'voicemail' } } } });
    const s = given(def).withCalls(callQueued('c1', { at: at(0) }));
    s.agentChanged(agent('a1'), at(50));
    s.agentChanged(agent('a2'), at(51));
    const { commands } = s.decline('c1', at(65), 'noAnswer');
    expect(offers(commands)).toEqual([]);
    expect(ofKind(commands, 'Overflow')).toMatchObject([{ callId: 'c1', reason: 'maxWait' }]);
  });

  it('no agents logged in: an arriving call takes the action at once', () => {
    const def = queueDefinition({ overflow: { whenNoAgentsLoggedIn: { action: { kind: 'disconnect', message: 'We are closed.' } } } });
    const s = given(def).withAgents([agent('a1', { state: 'notReady', notReadyReason: 'signed out' })]);
    expect(ofKind(s.when(callQueued('c1')).commands, 'Overflow')).toMatchObject([
      { reason: 'noAgentsLoggedIn', action: { kind: 'disconnect', message: 'We are closed.' } },
    ]);
  });

  it('no agents logged in: an agent on Away still counts as logged in, the last to sign out overflows the waiting callers', () => {
    const def = queueDefinition({ overflow: { whenNoAgentsLoggedIn: { action: { kind: 'voicemail' } } } });
    const s = given(def).withAgents([agent('a1', { presence: { availability: 'Away', activity: 'Away' } })]);
    s.withCalls(callQueued('c1', { at: at(0) }));
    expect(s.queue.waiting).toHaveLength(1);
    const { commands } = s.agentChanged(agent('a1', { state: 'notReady', notReadyReason: 'end of shift' }), at(10), 'AgentBecameUnavailable');
    expect(ofKind(commands, 'Overflow')).toMatchObject([{ callId: 'c1', reason: 'noAgentsLoggedIn' }]);
    expect(s.queue.waiting).toEqual([]);
  });

  it('a callback overflow keeps the caller’s place', () => {
    const def = queueDefinition({ overflow: { maxWait: { maxWaitInSeconds: 120, action: { kind: 'callback' } } } });
    const s = given(def).withCalls(callQueued('c1', { at: at(0) }));
    const { commands } = s.when(message('QueueTimerFired', { callId: 'c1', timer: 'maxWait', step: 0 }, at(120)));
    expect(ofKind(commands, 'Overflow')).toMatchObject([{ action: { kind: 'callback' } }]);
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['c1']);
  });
});

describe('routing decider: while waiting', () => {
  const announcing = queueDefinition({ announcementIntervalInSeconds: 45, defaultHandleTimeInSeconds: 300 });

  it('announces position and expected wait on entry and every interval', () => {
    const s = given(announcing).withAgents([agent('a1'), agent('a2')]);
    s.withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(1) }));
    s.accept('c1', at(2));
    s.accept('c2', at(3));
    s.withCalls(callQueued('c3', { at: at(4) }));
    const { commands } = s.when(callQueued('c4', { at: at(5) }));
    // Two agents working, five-minute default handle time, second in line: 2 x 300 / 2.
    expect(ofKind(commands, 'AnnounceQueuePosition')).toMatchObject([{ callId: 'c4', callConnectionId: 'conn-c4', position: 2, expectedWaitInSeconds: 300 }]);
    const [tick] = ofKind(commands, 'ScheduleMessage').filter((c) => c.message.kind === 'AnnouncementTick');
    expect(tick).toMatchObject({ at: at(50).toISOString(), message: { callId: 'c4', sequence: 1 } });

    s.when(message('CallLeftQueue', { callId: 'c3', reason: 'abandoned' }, at(20)));
    const next = s.when(tick!.message, at(50));
    expect(ofKind(next.commands, 'AnnounceQueuePosition')).toMatchObject([{ callId: 'c4', position: 1, expectedWaitInSeconds: 150 }]);
    expect(ofKind(next.commands, 'ScheduleMessage')).toMatchObject([{ at: at(95).toISOString(), message: { kind: 'AnnouncementTick', sequence: 2 } }]);
    expect(s.when(tick!.message, at(51))).toMatchObject({ ignored: 'duplicate' });
  });

  it('the expected wait follows the observed answer rate once there are enough answers', () => {
    const s = given(announcing).withAgents([agent('a1')]);
    for (let i = 0; i < 12; i++) {
      s.withCalls(callQueued(`c${i}`, { at: at(i * 60) }));
      s.accept(`c${i}`, at(i * 60 + 1));
      s.endCall('a1', `c${i}`, at(i * 60 + 50));
    }
    s.agentChanged(agent('a1', { state: 'notReady', lastCallEndedAt: at(11 * 60 + 50).toISOString() }), at(720));
    const { commands } = s.when(callQueued('late', { at: at(720) }));
    // 12 answers over the 12 minutes since the first: one a minute, first in line.
    const announced = ofKind(commands, 'AnnounceQueuePosition')[0]!;
    expect(announced.expectedWaitInSeconds).toBeGreaterThanOrEqual(55);
    expect(announced.expectedWaitInSeconds).toBeLessThanOrEqual(66);
  });

  it('offers a callback once, when the expected wait exceeds the threshold', () => {
    const def = queueDefinition({ announcementIntervalInSeconds: 30, callbackOfferThresholdInSeconds: 240, defaultHandleTimeInSeconds: 300 });
    const s = given(def).withCalls(callQueued('c1', { at: at(0) }));
    expect(ofKind(s.last!.commands, 'OfferCallback')).toMatchObject([{ callId: 'c1', callConnectionId: 'conn-c1', expectedWaitInSeconds: 300 }]);
    const tick = ofKind(s.last!.commands, 'ScheduleMessage').find((c) => c.message.kind === 'AnnouncementTick')!;
    expect(ofKind(s.when(tick.message, at(30)).commands, 'OfferCallback')).toEqual([]);
  });

  it('offers the callback with announcements turned off too, judged as the call starts waiting', () => {
    const quiet = queueDefinition({ announcementIntervalInSeconds: 0, callbackOfferThresholdInSeconds: 240, defaultHandleTimeInSeconds: 300 });
    const s = given(quiet).withCalls(callQueued('c1', { at: at(0) }));
    expect(ofKind(s.last!.commands, 'AnnounceQueuePosition')).toEqual([]);
    expect(ofKind(s.last!.commands, 'OfferCallback')).toMatchObject([{ callId: 'c1', expectedWaitInSeconds: 300 }]);
    const short = given(queueDefinition({ announcementIntervalInSeconds: 0, callbackOfferThresholdInSeconds: 600, defaultHandleTimeInSeconds: 300 })).withCalls(callQueued('c1', { at: at(0) }));
    expect(ofKind(short.last!.commands, 'OfferCallback')).toEqual([]);
  });

  it('a callback keeps the caller’s place: the agent is reserved first, then the caller is dialled', () => {
    const s = given().withCalls(callQueued('c1', { at: at(0) }), callQueued('c2', { at: at(5) }));
    s.when(message('CallbackRequested', { callId: 'c1', phoneNumber: '+441632960002' }, at(60)));
    expect(s.when(message('CallLeftQueue', { callId: 'c1', reason: 'abandoned' }, at(61))).ignored).toBeNull();
    expect(s.queue.waiting.map((c) => c.callId)).toEqual(['c1', 'c2']);

    const { commands } = s.agentChanged(agent('a1'), at(300));
    expect(commands.filter((c) => c.kind !== 'RecordRoutingDecision').map((c) => c.kind)).toEqual(['ReserveAgent', 'PlaceCallback', 'ScheduleMessage']);
    expect(ofKind(commands, 'PlaceCallback')).toMatchObject([{ callId: 'c1', agentId: 'a1', teamsUserId: 'teams-a1', pii: { phoneNumber: '+441632960002' } }]);
  });

  it('a callback whose caller answered is on the line again: after a miss the next agent is added to the call, not dialled for', () => {
    const s = given().withCalls(callQueued('c1', { at: at(0) }));
    s.when(message('CallbackRequested', { callId: 'c1', phoneNumber: '+441632960002' }, at(60)));
    s.when(message('CallLeftQueue', { callId: 'c1', reason: 'abandoned' }, at(61)));
    s.agentChanged(agent('a1'), at(300));
    expect(ofKind(s.last!.commands, 'PlaceCallback')).toHaveLength(1);
    expect(s.when(message('CallbackAnswered', { callId: 'c1', callConnectionId: 'conn-back' }, at(305))).ignored).toBeNull();
    s.agentChanged(agent('a2'), at(306));
    const { commands } = s.decline('c1', at(310));
    expect(ofKind(commands, 'PlaceCallback')).toEqual([]);
    expect(ofKind(commands, 'OfferCallToAgent')).toMatchObject([{ callId: 'c1', agentId: 'a2', callConnectionId: 'conn-back' }]);
    // Said twice (a redelivery), it changes nothing more.
    expect(s.when(message('CallbackAnswered', { callId: 'c1', callConnectionId: 'conn-back' }, at(311))).ignored).not.toBeNull();
  });

  it('callers who chose a callback do not count toward the maximum queue size', () => {
    const def = queueDefinition({ overflow: { maxQueueSize: { maxQueueSize: 1, action: { kind: 'voicemail' } } } });
    const s = given(def).withCalls(callQueued('c1', { at: at(0) }));
    s.when(message('CallbackRequested', { callId: 'c1', phoneNumber: '+441632960002' }, at(10)));
    expect(ofKind(s.when(callQueued('c2', { at: at(11) })).commands, 'Overflow')).toEqual([]);
  });
});

describe('routing decider: agents shared by two queues', () => {
  it('a queue whose reservation loses the race moves on to its next agent; the lost agent leaves its index', () => {
    const shared = agent('shared', { queueIds: ['sales', 'support'] });
    const sales = given(queueDefinition({ queueId: 'sales' })).withAgents([shared]);
    const support = given(queueDefinition({ queueId: 'support' }));
    support.agentChanged(shared, at(-100));
    support.agentChanged(agent('backup', { queueIds: ['support'] }), at(-50));

    sales.when(callQueued('s1', { at: at(0) }));
    // The shell writes the sales reservation to the agent document first.
    const reservedBySales = sales.agents.get('shared')!;
    expect(reservedBySales.offer?.queueId).toBe('sales');

    const supportCall = support.when(callQueued('p1', { at: at(0), queueId: 'support' }));
    const [reserve] = ofKind(supportCall.commands, 'ReserveAgent');
    expect(reserve!.agentId).toBe('shared');
    support.agents.set('shared', reservedBySales);
    const failed = support.when(
      message('ReservationFailed', { callId: 'p1', agentId: 'shared', offerId: reserve!.offerId, reason: 'agentNotEligible', queueId: 'support' }, at(0)),
    );
    expect(offers(failed.commands)).toEqual([{ agentId: 'backup', callId: 'p1' }]);
    expect(support.queue.idleAgents.entries['shared']).toBeUndefined();
    expect(support.queue.members['shared']!.status).toBe('reserved');
  });

  it('an agent reserved elsewhere (fanned out as unavailable) is never offered', () => {
    const shared = agent('shared', { queueIds: ['sales', 'support'] });
    const s = given().withAgents([shared]);
    s.agentChanged(
      { ...shared, offer: { offerId: 'x', callId: 'p1', queueId: 'support', offeredAt: t0.toISOString() } },
      at(1),
      'AgentBecameUnavailable',
    );
    expect(offers(s.when(callQueued('c1', { at: at(2) })).commands)).toEqual([]);
  });
});
