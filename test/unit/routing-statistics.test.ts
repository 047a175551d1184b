import { getQueueStatistics } from '../../bot/routing/queue-statistics.js';
import { agent, at, callQueued, given, message, queueDefinition } from './routing-given.js';

describe('live queue statistics', () => {
  function busyQueue() {
    const s = given(queueDefinition({ serviceLevelThresholdInSeconds: 20 })).withAgents([agent('a1'), agent('a2')]);
    s.agentChanged(agent('away', { presence: { availability: 'Away', activity: 'Away' } }), at(-10));
    s.agentChanged(agent('break', { state: 'notReady', notReadyReason: 'lunch' }), at(-10));
    s.agentChanged(agent('gone', { presence: { availability: 'Offline', activity: 'Offline' } }), at(-10));
    // c1 and c2 are offered at once; c3..c5 wait.
    s.withCalls(...['c1', 'c2', 'c3', 'c4', 'c5'].map((id, i) => callQueued(id, { at: at(i) })));
    s.accept('c1', at(10)); // answered within 20 s
    s.accept('c2', at(41)); // answered after 40 s
    s.when(message('CallLeftQueue', { callId: 'c3', reason: 'abandoned' }, at(7))); // short abandon
    s.when(message('CallLeftQueue', { callId: 'c4', reason: 'abandoned' }, at(63))); // abandoned after the threshold
    return s;
  }

  it('waiting, longest wait, service level, ASA, abandoned and agents by state', () => {
    const s = busyQueue();
    const stats = getQueueStatistics(s.queue, s.def, at(124));
    expect(stats).toMatchObject({
      queueId: 'sales',
      waiting: 1,
      offering: 0,
      longestWaitInSeconds: 120,
      window: {
        entered: 5,
        answered: 2,
        abandoned: 2,
        serviceLevelThresholdInSeconds: 20,
        // One answered within 20 s, over two answered plus one abandoned after 20 s.
        serviceLevel: 1 / 3,
        averageSpeedOfAnswerInSeconds: 25,
      },
      agents: { idle: 0, reserved: 0, onCall: 2, away: 1, notReady: 1, offline: 1, loggedIn: 3 },
    });
  });

  it('counts a callback dialled again (nobody answered) as the one call it is: entered once, not waiting on the line', () => {
    const s = given(queueDefinition({})).withAgents([]);
    s.when({ ...callQueued('cb', { at: at(0) }), callback: { phoneNumber: '+14255550123' } });
    s.when(message('CallLeftQueue', { callId: 'cb', reason: 'callbackFailed' }, at(60)));
    s.when({ ...callQueued('cb', { at: at(360) }), messageId: 'cb:queued:2:callback', callback: { phoneNumber: '+14255550123', attempt: 2 } });
    const stats = getQueueStatistics(s.queue, s.def, at(370));
    expect(stats.window.entered).toBe(1);
    expect(stats).toMatchObject({ waiting: 1, waitingCallbacks: 1 });
  });

  it('measures handle time from answer to the end of the call', () => {
    const s = busyQueue();
    s.endCall('a1', 'c1', at(190));
    expect(getQueueStatistics(s.queue, s.def, at(200)).window.averageHandleTimeInSeconds).toBe(180);
  });

  it('counts an agent wrapping up apart, and their after-call work in the handle time', () => {
    const s = busyQueue();
    const decision = s.endCall('a1', 'c1', at(190), 30);
    // Nobody is offered the call still waiting while the agent wraps up.
    expect(decision.commands.filter((c) => c.kind === 'ReserveAgent')).toEqual([]);
    const stats = getQueueStatistics(s.queue, s.def, at(200));
    expect(stats.window.averageHandleTimeInSeconds).toBe(210);
    expect(stats.agents).toMatchObject({ onCall: 1, wrapUp: 1, idle: 0, loggedIn: 3 });
  });

  it("counts the dispositions agents recorded for the queue's calls, in the window asked for", () => {
    const s = busyQueue();
    const dispositioned = (callId: string, disposition: string, seconds: number) =>
      s.when(message('CallDispositioned', { callId, agentId: 'a1', disposition, messageId: `d:${callId}` }, at(seconds)));
    dispositioned('c1', 'resolved', 200);
    dispositioned('c2', 'resolved', 260);
    dispositioned('c5', 'follow-up-needed', 1900);
    expect(getQueueStatistics(s.queue, s.def, at(1900)).window.dispositions).toEqual({ resolved: 2, 'follow-up-needed': 1 });
    // Fifteen minutes back, only the last one.
    expect(getQueueStatistics(s.queue, s.def, at(1900), { windowInSeconds: 15 * 60 }).window.dispositions).toEqual({ 'follow-up-needed': 1 });
  });

  it('counts only the window asked for', () => {
    const s = busyQueue();
    const later = getQueueStatistics(s.queue, s.def, at(60 * 45), { windowInSeconds: 15 * 60 });
    expect(later.window).toMatchObject({ entered: 0, answered: 0, serviceLevel: null, averageSpeedOfAnswerInSeconds: null });
    expect(later.totals).toMatchObject({ entered: 5, answered: 2, abandoned: 2 });
  });
});
