// Live Teams presence decides who may be offered a call, through the real Graph flow: the bot's
// subscription (validation handshake) on the local Graph, change notifications POSTed to the
// Functions host, the agent document updated, its queues told over Service Bus, routing fanned out.
// The polling fallback (`refreshPresence`) catches what notifications missed.
import { pino } from 'pino';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack, unusedActions, testAgent } from '../support/test-stack.js';
import type { SampleAgent } from '../../local/sample-agents.js';
import type { Availability } from '../../local/teams/teams-user-directory.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { createSwitchboard } from '../../bot/wiring.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
const actions = unusedActions;
const agentSpec = testAgent;
// One agent per queue, so a caller who is not offered to them has nobody else to go to.
const ana = agentSpec('ana', ['billing'], { billing: 5 });
const teo = agentSpec('teo', ['support'], { support: 4 });
const gus = agentSpec('gus', ['general'], {});

beforeAll(async () => {
  stack = await startTestStack({
        overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing'), 'my internet is down': sure('techSupport') } }),
      actions,
      queues: [
        parseQueueDefinition({ queueId: 'billing', name: 'Billing', requiredSkills: [{ skill: 'billing', minProficiency: 1 }], announcementIntervalInSeconds: 0 }),
        parseQueueDefinition({ queueId: 'support', name: 'Support', announcementIntervalInSeconds: 0 }),
        parseQueueDefinition({ queueId: 'general', name: 'General', announcementIntervalInSeconds: 0 }),
      ],
    },
    agents: [ana, teo, gus],
  });
  await settled();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const settled = () => stackSettled(stack);
const notificationUrl = () => `${stack.functionsHost.baseUrl}/api/presence/notifications`;

async function agentDoc(agentId: string): Promise<Agent & { status: string }> {
  const response = await apiFetch(stack, `agents`);
  const { value } = (await response.json()) as { value: (Agent & { status: string })[] };
  const agent = value.find((a) => a.agentId === agentId);
  if (!agent) throw new Error(`no agent ${agentId}`);
  return agent;
}

async function setPresence(agent: SampleAgent, availability: Availability, activity: string = availability): Promise<void> {
  stack.teams.setPresence(agent.teamsUserId, availability, activity);
  await settled();
}

async function escalate(from: string, script: { say: string } | { press: string }): Promise<string> {
  const placed = await stack.callAutomation.placeCall({ from, to: '+12125550100', script: [script], whenScriptEnds: 'wait' });
  await settled();
  return placed.simulatedCallId;
}

/** What routing did with the call (its routing decisions, in order) and who joined it. */
async function routed(simulatedCallId: string) {
  const conversation = stack.callAutomation.getConversation(simulatedCallId)!;
  const stored = await stack.switchboard.getCallHistory(conversation.correlationId);
  const state = stored!.state as { stage: string; agent?: { agentId: string } };
  return {
    callId: conversation.correlationId,
    stage: state.stage,
    agentId: state.agent?.agentId,
    decisions: stored!.history.flatMap((h) => (h.entry.kind === 'routingDecision' ? [(h.entry as { decision: { kind: string } }).decision.kind] : [])),
    joined: conversation.entries.flatMap((e) => (e.kind === 'callEvent' && e.description === 'joined' ? [e.participant ?? ''] : [])),
  };
}

async function hangUpAndSettle(simulatedCallId: string): Promise<void> {
  stack.callAutomation.hangUp(simulatedCallId);
  await settled();
}

describe('Teams presence drives routing', () => {
  it('the bot subscribed to its agents\' presence through the validation handshake, and refuses forged notifications', async () => {
    const subscriptions = stack.graph.listSubscriptions();
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toEqual(expect.objectContaining({ notificationUrl: notificationUrl() }));
    expect([...subscriptions[0]!.userIds].sort()).toEqual([ana, teo, gus].map((a) => a.teamsUserId).sort());

    const handshake = await fetch(`${notificationUrl()}?validationToken=${encodeURIComponent('Validation: token 42')}`, { method: 'POST' });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await handshake.text()).toBe('Validation: token 42');

    // A notification without the subscription's clientState changes nobody.
    const forged = await fetch(notificationUrl(), {
      method: 'POST',
      body: JSON.stringify({
        value: [{
          subscriptionId: subscriptions[0]!.id, clientState: 'guessed', changeType: 'updated', resource: `communications/presences('${ana.teamsUserId}')`,
          resourceData: { id: ana.teamsUserId, availability: 'Offline', activity: 'Offline' },
        }],
      }),
    });
    expect(forged.status).toBe(401);
    await settled();
    expect((await agentDoc('ana')).presence).toEqual({ availability: 'Available', activity: 'Available' });
  });

  it('a ready agent who is Away, DoNotDisturb or Busy in Teams is never offered the call; turning Available gets it at once', async () => {
    await setPresence(ana, 'Away');
    expect(await agentDoc('ana')).toEqual(expect.objectContaining({ state: 'ready', status: 'away', presence: { availability: 'Away', activity: 'Away' } }));

    const call = await escalate('+14255550201', { say: 'my bill is wrong' });
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'queued', decisions: ['queued'], joined: [] }));

    // Each change reaches routing (the agent's queue re-decides), and each is still a no.
    for (const [availability, activity] of [['DoNotDisturb', 'Presenting'], ['Busy', 'InAMeeting'], ['BeRightBack', 'BeRightBack']] as const) {
      await setPresence(ana, availability, activity);
      expect((await agentDoc('ana')).presence).toEqual({ availability, activity });
      expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'queued', decisions: ['queued'], joined: [] }));
      expect(stack.callAutomation.listInvitations(ana.teamsUserId)).toEqual([]);
    }

    // Available: the notification alone brings the waiting caller to her, with no poll.
    await setPresence(ana, 'Available');
    const answered = await routed(call);
    expect(answered).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'ana', decisions: ['queued', 'offered', 'answered'] }));
    expect(answered.joined).toHaveLength(1);
    // On the call, Teams shows her Busy / InACall, and the agent document follows by notification.
    expect(await agentDoc('ana')).toEqual(expect.objectContaining({ activeCallIds: [answered.callId], presence: { availability: 'Busy', activity: 'InACall' } }));

    await hangUpAndSettle(call);
    expect(await agentDoc('ana')).toEqual(expect.objectContaining({ activeCallIds: [], status: 'idle', presence: { availability: 'Available', activity: 'Available' } }));
  });

  it('an agent in a Teams call of their own (not one we routed) is Busy / InACall and not offered; leaving it gets them the caller', async () => {
    stack.teams.joinCall(teo.teamsUserId, 'teams-meeting-with-a-colleague');
    await settled();
    expect(await agentDoc('teo')).toEqual(expect.objectContaining({ state: 'ready', status: 'away', activeCallIds: [], presence: { availability: 'Busy', activity: 'InACall' } }));

    const call = await escalate('+14255550202', { say: 'my internet is down' });
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'queued', decisions: ['queued'], joined: [] }));

    stack.teams.leaveCall(teo.teamsUserId, 'teams-meeting-with-a-colleague');
    await settled();
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'teo', decisions: ['queued', 'offered', 'answered'] }));
    await hangUpAndSettle(call);
    expect((await agentDoc('teo')).activeCallIds).toEqual([]);
  });

  it('when notifications stop (the subscription is gone), the presence poll still finds the change and routes the caller', async () => {
    await setPresence(gus, 'Away');
    expect((await agentDoc('gus')).presence.availability).toBe('Away');
    const call = await escalate('+14255550203', { press: '0' });
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'queued', decisions: ['queued'] }));

    // Graph drops the subscription (deleted, or expired while the app was down): no more notifications.
    const [subscription] = stack.graph.listSubscriptions();
    const deleted = await fetch(`${stack.graph.baseUrl}/subscriptions/${subscription!.id}`, { method: 'DELETE', headers: { authorization: 'Bearer test' } });
    expect(deleted.status).toBe(204);
    await setPresence(gus, 'Available');
    expect((await agentDoc('gus')).presence.availability).toBe('Away');
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'queued', decisions: ['queued'], joined: [] }));

    // The timer's poll reads every agent's presence again.
    const refreshed = await stack.switchboard.refreshPresence();
    expect(refreshed).toEqual({ agents: 3, changed: 1, released: 0, wrapUpsEnded: 0 });
    await settled();
    expect((await agentDoc('gus')).presence.availability).toBe('Available');
    expect(await routed(call)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'gus', decisions: ['queued', 'offered', 'answered'] }));
    await hangUpAndSettle(call);
  });
});

describe('the presence subscription across instances', () => {
  it('a second instance of the app, or a restart, renews the one subscription instead of adding another', async () => {
    expect(stack.graph.listSubscriptions()).toHaveLength(1);
    const secondInstance = createSwitchboard(stack.settings, {
      logger: pino({ level: 'silent' }),
      flow: testFlow(),
      actions,
      queues: ['billing', 'support', 'general'].map((queueId) => parseQueueDefinition({ queueId, name: queueId })),
    });
    try {
      await secondInstance.refreshPresence();
      await stack.switchboard.refreshPresence();
    } finally {
      await secondInstance.close();
    }
    expect(stack.graph.listSubscriptions()).toHaveLength(1);
  });

  it('keeps its subscription when the local clock is set back (switchboard call --at): the local Graph judges expiry by the same time', async () => {
    const back = new Date('2026-01-06T15:00:00Z');
    stack.clock.set(back);
    try {
      await stack.switchboard.refreshPresence();
      const subscriptions = stack.graph.listSubscriptions();
      expect(subscriptions).toHaveLength(1);
      // The settable clock runs on from where it was set.
      const expiresIn = Date.parse(subscriptions[0]!.expirationDateTime) - back.getTime();
      expect(expiresIn).toBeGreaterThanOrEqual(55 * 60_000);
      expect(expiresIn).toBeLessThan(56 * 60_000);
    } finally {
      stack.clock.set(undefined);
      await stack.switchboard.refreshPresence();
    }
    expect(stack.graph.listSubscriptions()).toHaveLength(1);
  });
});
