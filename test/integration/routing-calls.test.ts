// Escalated calls reach Teams agents through the whole local Azure: call flow -> Service Bus
// `routing` (sessions) -> route worker -> agent reserved in Cosmos (ETag) -> addParticipant ->
// the Teams user answers (or not) -> call events -> routing again.
import { openCosmosDatabase } from '../../bot/adapters/cosmos-database.js';
import { CosmosRoutingStore } from '../../bot/adapters/cosmos-routing-store.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack, unusedActions, testAgent } from '../support/test-stack.js';
import type { SampleAgent } from '../../local/sample-agents.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { agentDocument } from '../support/agent-document.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { apiFetch } from '../support/api-fetch.js';
import { sweepPastLease } from '../support/sweep-past-lease.js';

let stack: LocalStack;
const actions = unusedActions;
const agentSpec = testAgent;
const alice = agentSpec('alice', ['billing'], { billing: 5 });
const bob = agentSpec('bob', ['billing'], { billing: 3 });
const sam = agentSpec('sam', ['billing', 'support'], { billing: 2, support: 4 });

beforeAll(async () => {
  stack = await startTestStack({
        overrides: {
      flow: testFlow({
        understandings: { 'my bill is wrong': sure('billing'), 'my internet is down': sure('techSupport') },
        queueClosed: (queueId) => (queueId === 'night-desk' ? { prompt: 'nightDeskHours', voicemail: false } : undefined),
      }),
      actions,
      queues: [
        parseQueueDefinition({ queueId: 'night-desk', name: 'Night desk (closed)' }),
        parseQueueDefinition({ queueId: 'billing', name: 'Billing', requiredSkills: [{ skill: 'billing', minProficiency: 1 }], ringTimeInSeconds: 20, announcementIntervalInSeconds: 0 }),
        parseQueueDefinition({ queueId: 'support', name: 'Support', ringTimeInSeconds: 20, announcementIntervalInSeconds: 0 }),
        parseQueueDefinition({ queueId: 'general', name: 'General', announcementIntervalInSeconds: 0 }),
      ],
    },
    agents: [alice, bob, sam],
  });
  await settled();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

/** Waits until callbacks and Graph notifications are delivered and no routing message is in flight. */
const settled = () => stackSettled(stack);

const agentDoc = (agentId: string): Promise<Agent> => agentDocument(stack, agentId);

async function setRing(agent: SampleAgent, ringBehaviour: SampleAgent['ringBehaviour']) {
  stack.teams.upsert({ userId: agent.teamsUserId, ringBehaviour });
}

async function escalate(from: string, utterance = 'my bill is wrong') {
  const placed = await stack.callAutomation.placeCall({ from, to: '+12125550100', script: [{ say: utterance }], whenScriptEnds: 'wait' });
  return placed.simulatedCallId;
}

const joinedAgents = (simulatedCallId: string) =>
  (stack.callAutomation.getConversation(simulatedCallId)?.entries ?? [])
    .filter((e) => e.kind === 'callEvent' && (e as { description: string }).description === 'joined')
    .map((e) => (e as { participant?: string }).participant ?? '');

const leftAgents = (simulatedCallId: string) =>
  (stack.callAutomation.getConversation(simulatedCallId)?.entries ?? [])
    .filter((e) => e.kind === 'callEvent' && (e as { description: string }).description === 'left')
    .map((e) => (e as { participant?: string }).participant ?? '');

describe('routing escalated calls to Teams agents', () => {
  it('offers the call to the longest-idle ready agent; they answer and the call is connected', async () => {
    const call = await escalate('+14255550101');
    await settled();
    const joined = joinedAgents(call);
    expect(joined).toHaveLength(1);
    const conversation = stack.callAutomation.getConversation(call)!;
    const history = await stack.switchboard.getCallHistory(conversation.correlationId);
    expect((history?.state as { stage: string }).stage).toBe('connected');
    const decisions = history!.history.filter((h) => h.entry.kind === 'routingDecision').map((h) => (h.entry as { decision: { kind: string } }).decision.kind);
    expect(decisions).toEqual(expect.arrayContaining(['queued', 'offered', 'answered']));
    const agentId = (history!.state as { agent: { agentId: string } }).agent.agentId;
    const agent = await agentDoc(agentId);
    expect(agent.activeCallIds).toEqual([conversation.correlationId]);
    expect(agent.offer).toBeNull();
    // Teams shows the agent in a call, and routing learns it from presence too.
    expect(stack.teams.presenceOf(agent.teamsUserId)?.activity).toBe('InACall');

    // An agent already on a call is never offered a second one.
    const second = await escalate('+14255550102');
    await settled();
    const secondHistory = await stack.switchboard.getCallHistory(stack.callAutomation.getConversation(second)!.correlationId);
    expect((secondHistory!.state as { agent?: { agentId: string } }).agent?.agentId).not.toBe(agentId);

    // Both callers hang up: the agents are free again.
    stack.callAutomation.hangUp(call);
    stack.callAutomation.hangUp(second);
    await settled();
    expect((await agentDoc(agentId)).activeCallIds).toEqual([]);
  });

  it('a decline releases the agent and offers the next at once; missing offers in a row makes an agent not ready', async () => {
    const dina = agentSpec('dina', ['general'], {});
    const eli = agentSpec('eli', ['general'], {});
    for (const a of [dina, eli]) {
      stack.teams.upsert({ userId: a.teamsUserId, displayName: a.agentId, availability: 'Available', ringBehaviour: { kind: 'decline', afterMs: 0 } });
      const put = await apiFetch(stack, `agents/${a.agentId}`, {
        method: 'PUT',
        body: JSON.stringify({ teamsUserId: a.teamsUserId, displayName: a.agentId, queueIds: a.queueIds, state: 'ready' }),
      });
      expect(put.status).toBe(200);
    }
    await stack.switchboard.refreshPresence();
    await settled();
    const missedOn = async (simulatedCallId: string) => {
      const callId = stack.callAutomation.getConversation(simulatedCallId)!.correlationId;
      const history = await stack.switchboard.getCallHistory(callId);
      return {
        callId,
        stage: (history!.state as { stage: string }).stage,
        missed: history!.history
          .map((h) => h.entry as { kind: string; decision?: { kind: string; agentId?: string; reason?: string } })
          .filter((e) => e.kind === 'routingDecision' && e.decision?.kind === 'offerMissed')
          .map((e) => `${e.decision!.agentId} ${e.decision!.reason}`)
          .sort(),
      };
    };
    const first = await stack.callAutomation.placeCall({ from: '+14255550103', to: '+12125550100', script: [{ press: '0' }], whenScriptEnds: 'wait' });
    await settled();
    // Each declines and is released; the next is offered at once; nobody is rung twice for one call.
    const one = await missedOn(first.simulatedCallId);
    expect(one).toEqual({ callId: expect.any(String), stage: 'queued', missed: ['dina declined', 'eli declined'] });
    expect((await agentDoc('dina')).state).toBe('ready');

    const second = await stack.callAutomation.placeCall({ from: '+14255550113', to: '+12125550100', script: [{ press: '0' }], whenScriptEnds: 'wait' });
    await settled();
    expect((await missedOn(second.simulatedCallId)).missed).toEqual(['dina declined', 'eli declined']);
    // Two misses in a row: not ready, with a reason, and no offer held.
    for (const id of ['dina', 'eli']) {
      const agent = await agentDoc(id);
      expect(agent.state).toBe('notReady');
      expect(agent.notReadyReason).toMatch(/miss/i);
      expect(agent.offer).toBeNull();
    }
    stack.callAutomation.hangUp(second.simulatedCallId);

    // Dina takes calls again and now answers. She is not rung again for the call she declined;
    // the next caller reaches her.
    stack.teams.upsert({ userId: dina.teamsUserId, ringBehaviour: { kind: 'accept', afterMs: 0 } });
    const ready = await apiFetch(stack, `agents/dina/state`, { method: 'POST', body: JSON.stringify({ state: 'ready' }) });
    expect(ready.status).toBe(200);
    await settled();
    const third = await stack.callAutomation.placeCall({ from: '+14255550123', to: '+12125550100', script: [{ press: '0' }], whenScriptEnds: 'wait' });
    await settled();
    const thirdState = (await stack.switchboard.getCallHistory(stack.callAutomation.getConversation(third.simulatedCallId)!.correlationId))!.state;
    expect((thirdState as { agent?: { agentId: string } }).agent?.agentId).toBe('dina');
    expect((await missedOn(first.simulatedCallId)).stage).toBe('queued');
    stack.callAutomation.hangUp(third.simulatedCallId);
    stack.callAutomation.hangUp(first.simulatedCallId);
    await settled();
    expect((await agentDoc('dina')).activeCallIds).toEqual([]);
  });

  it('an agent who does not answer is released and the next agent offered at once', async () => {
    for (const a of [alice, bob, sam]) await setRing(a, { kind: 'noAnswer' });
    const call = await escalate('+14255550105');
    await settled();
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    const missed = (await stack.switchboard.getCallHistory(callId))!.history
      .map((h) => h.entry as { kind: string; decision?: { kind: string; agentId?: string; reason?: string } })
      .filter((e) => e.kind === 'routingDecision' && e.decision?.kind === 'offerMissed')
      .map((e) => `${e.decision!.agentId} ${e.decision!.reason}`)
      .sort();
    // Every billing agent was rung in turn (the invitation timed out) and none holds the offer.
    expect(missed).toEqual(['alice noAnswer', 'bob noAnswer', 'sam noAnswer']);
    for (const id of ['alice', 'bob', 'sam']) expect((await agentDoc(id)).offer).toBeNull();
    stack.callAutomation.hangUp(call);
    await settled();
    for (const a of [alice, bob, sam]) await setRing(a, { kind: 'accept', afterMs: 0 });
    for (const id of ['alice', 'bob', 'sam']) await apiFetch(stack, `agents/${id}/state`, { method: 'POST', body: JSON.stringify({ state: 'ready' }) });
    await settled();
  });

  it('a call queued while Cosmos refuses the queue\'s document, or loses the answer to its save, still reaches an agent; nothing is dead-lettered', async () => {
    const deadLettered: string[] = [];
    const stop = stack.serviceBus.onEvent((e) => {
      if (e.type === 'messageDeadLettered') deadLettered.push(e.type);
    });
    const queueDocs = ({ path }: { path: string }) => path.includes('/colls/queues/docs');
    for (const fault of [{ status: 503 as const, count: 3 }, { status: 503 as const, count: 1, applied: true, matches: ({ method, path }: { method: string; path: string }) => method === 'PUT' && queueDocs({ path }) }]) {
      stack.cosmos.faults.inject({ matches: queueDocs, ...fault });
      const call = await escalate(fault.applied ? '+14255550108' : '+14255550107');
      await settled();
      expect(stack.cosmos.faults.pending()).toBe(0);
      expect(joinedAgents(call)).toHaveLength(1);
      stack.callAutomation.hangUp(call);
      await settled();
    }
    stop();
    expect(deadLettered).toEqual([]);
  });

  it('an agent still counted on a call that has ended (its release lost) is released by the next presence refresh', async () => {
    const call = await escalate('+14255550109');
    await settled();
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    const agentId = ((await stack.switchboard.getCallHistory(callId))!.state as { agent: { agentId: string } }).agent.agentId;
    stack.callAutomation.hangUp(call);
    await settled();
    expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('ended');
    // As a release lost at the call's end leaves it (Cosmos or Service Bus refused the NotifyRouting):
    // the agent still counts the call, and would never be offered another.
    const { database } = openCosmosDatabase({ endpoint: stack.cosmos.endpoint, databaseId: stack.switchboard.settings.COSMOS_DATABASE, key: stack.cosmos.key, caCertificateFile: stack.cosmos.certificateFile });
    const agents = new CosmosRoutingStore(database.container('queues'), database.container('agents'));
    const stored = (await agents.getAgent(agentId))!;
    await agents.saveAgent({ ...stored.value, activeCallIds: [callId] }, stored.etag);
    database.client.dispose();
    expect((await agentDoc(agentId)).activeCallIds).toEqual([callId]);

    const refreshed = await stack.switchboard.refreshPresence();
    await settled();
    expect(refreshed.released).toBe(1);
    expect((await agentDoc(agentId)).activeCallIds).toEqual([]);
    expect((await stack.switchboard.refreshPresence()).released).toBe(0);
    // Their queues heard: the next caller reaches an agent.
    const next = await escalate('+14255550110');
    await settled();
    expect(joinedAgents(next)).toHaveLength(1);
    stack.callAutomation.hangUp(next);
    await settled();
  });

  it('a caller hanging up as they are queued leaves no agent reserved and no message retried', async () => {
    const abandoned: string[] = [];
    const stop = stack.serviceBus.onEvent((e) => {
      if (e.type === 'messageAbandoned' || e.type === 'messageDeadLettered') abandoned.push(e.type);
    });
    const placed = await stack.callAutomation.placeCall({
      from: '+14255550106', to: '+12125550100',
      script: [{ say: 'my bill is wrong' }, { waitForPrompt: '<transferring>' }, { hangUp: true }],
    });
    await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
    await settled();
    stop();
    expect(abandoned).toEqual([]);
    for (const id of ['alice', 'bob', 'sam']) expect((await agentDoc(id)).offer).toBeNull();
    const stats = (await (await apiFetch(stack, `queues/billing/statistics`)).json()) as { waiting: number };
    expect(stats.waiting).toBe(0);
  });

  it('exposes live queue statistics', async () => {
    const response = await apiFetch(stack, `queues/billing/statistics`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, unknown>;
    expect(stats).toEqual(expect.objectContaining({ queueId: 'billing', waiting: expect.any(Number), longestWaitInSeconds: expect.any(Number) }));
    expect((stats['agents'] as { loggedIn: number }).loggedIn).toBeGreaterThanOrEqual(1);
    expect((stats['window'] as { answered: number }).answered).toBeGreaterThanOrEqual(1);
    expect((await apiFetch(stack, `queues/nope/statistics`)).status).toBe(404);
  });

  it('the admin API validates agents', async () => {
    const bad = await apiFetch(stack, `agents/zed`, { method: 'PUT', body: JSON.stringify({ teamsUserId: 'x', displayName: 'Zed', queueIds: ['nope'] }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'unknown queue nope' });
    const skills = await apiFetch(stack, `agents/zed`, { method: 'PUT', body: JSON.stringify({ teamsUserId: 'x', displayName: 'Zed', queueIds: ['billing'], skills: { billing: 9 } }) });
    expect(skills.status).toBe(400);
    expect((await apiFetch(stack, `agents/zed`, { method: 'PUT', body: '{oops' })).status).toBe(400);
  });
});

describe('consult and transfer through the agent API', () => {
  const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });

  /**
   * A caller connected to an agent other than Sam, who sits the routing out (not ready) and is ready
   * again once the call is connected, free to be consulted or transferred to. Sam stays not ready
   * with `samStaysAway`.
   */
  async function connectedWithoutSam(from: string, samStaysAway = false) {
    expect((await api('agents/sam/state', { state: 'notReady', reason: 'away while the call is routed' })).status).toBe(200);
    const call = await escalate(from);
    await settled();
    if (!samStaysAway) {
      expect((await api('agents/sam/state', { state: 'ready' })).status).toBe(200);
      await settled();
    }
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    const first = ((await stack.switchboard.getCallHistory(callId))!.state as { agent: { agentId: string; teamsUserId: string } }).agent;
    expect(first.agentId).not.toBe('sam');
    return { call, callId, first };
  }

  it('brings the best available expert into the call, then frees them when they leave', async () => {
    // Sam, the only support expert, is not ready while the call is routed, so another agent takes it.
    const { call, callId } = await connectedWithoutSam('+14255550130');
    const response = await api(`calls/${callId}/consult`, { requiredSkills: [{ skill: 'support', minProficiency: 3 }] });
    expect(response.status).toBe(202);
    const { agentId } = (await response.json()) as { agentId: string };
    expect(agentId).toBe('sam');
    await settled();
    expect(joinedAgents(call)).toHaveLength(2);
    expect((await agentDoc('sam')).activeCallIds).toEqual([callId]);

    stack.callAutomation.teamsUserHangUp(sam.teamsUserId);
    await settled();
    expect((await agentDoc('sam')).activeCallIds).toEqual([]);
    const after = (await stack.switchboard.getCallHistory(callId))!.state as { stage: string; agent: { agentId: string } };
    expect(after.stage).toBe('connected');
    stack.callAutomation.hangUp(call);
    await settled();
  });

  it('answers a consult nobody can take with 409 and a bad request with 400', async () => {
    const call = await escalate('+14255550131');
    await settled();
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    expect((await api(`calls/${callId}/consult`, { requiredSkills: [{ skill: 'astrophysics', minProficiency: 5 }] })).status).toBe(409);
    expect((await api(`calls/${callId}/consult`, { requiredSkills: [] })).status).toBe(400);
    expect((await api(`calls/${callId}/transfer`, { phoneNumber: '555' })).status).toBe(400);
    expect((await api(`calls/${callId}/transfer`, { queueId: 'nope' })).status).toBe(400);
    // A closed queue is refused: the agent keeps the caller rather than sending them to its after-hours message.
    const closed = await api(`calls/${callId}/transfer`, { queueId: 'night-desk' });
    expect(closed.status).toBe(409);
    expect(await closed.json()).toEqual({ error: 'queue night-desk is outside its business hours' });
    expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('connected');
    expect((await api('calls/nobody/transfer', { queueId: 'support' })).status).toBe(404);
    stack.callAutomation.hangUp(call);
    await settled();
  });

  it('a blind transfer to another queue frees the agent and queues the caller again', async () => {
    const { call, callId, first: { agentId: first } } = await connectedWithoutSam('+14255550132');
    expect((await api(`calls/${callId}/transfer`, { queueId: 'support' })).status).toBe(202);
    await settled();
    const after = (await stack.switchboard.getCallHistory(callId))!.state as { stage: string; queueId: string; agent?: { agentId: string } };
    expect(after.queueId).toBe('support');
    expect(after.agent?.agentId).toBe('sam');
    expect((await agentDoc(first)).activeCallIds).not.toContain(callId);
    stack.callAutomation.hangUp(call);
    await settled();
  });

  it('a transfer to a named agent rings them in, then the first agent leaves and is freed', async () => {
    const { call, callId, first: { agentId: first } } = await connectedWithoutSam('+14255550133');
    expect((await api(`calls/${callId}/transfer`, { agentId: 'sam' })).status).toBe(202);
    await settled();
    const after = (await stack.switchboard.getCallHistory(callId))!.state as { stage: string; agent: { agentId: string } };
    expect(after.stage).toBe('connected');
    expect(after.agent.agentId).toBe('sam');
    expect((await agentDoc(first)).activeCallIds).not.toContain(callId);
    expect((await agentDoc('sam')).activeCallIds).toEqual([callId]);
    expect(stack.teams.presenceOf(sam.teamsUserId)?.activity).toBe('InACall');
    stack.callAutomation.hangUp(call);
    await settled();
    expect((await agentDoc('sam')).activeCallIds).toEqual([]);
  });

  it('a transfer to a phone number hands the caller over and frees the agent', async () => {
    stack.callAutomation.registerPhone('+14255550999', { ringBehaviour: { kind: 'accept', afterMs: 0 }, whenScriptEnds: 'wait' });
    const call = await escalate('+14255550134');
    await settled();
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    const agentId = ((await stack.switchboard.getCallHistory(callId))!.state as { agent: { agentId: string } }).agent.agentId;
    expect((await api(`calls/${callId}/transfer`, { phoneNumber: '+14255550999' })).status).toBe(202);
    await settled();
    const after = (await stack.switchboard.getCallHistory(callId))!.state as { stage: string; endReason: string };
    expect(after.endReason).toBe('transferredToPhone');
    expect((await agentDoc(agentId)).activeCallIds).not.toContain(callId);
    const external = stack.callAutomation.listConversations().find((c) => c.phoneNumber === '+14255550999');
    expect(external?.state).toBe('connected');
    if (stack.callAutomation.getConversation(call)?.state !== 'ended') stack.callAutomation.hangUp(call);
    stack.callAutomation.hangUp(external!.simulatedCallId);
    await settled();
  });

  it('an agent Call Automation refuses to remove after a blind transfer is removed by the outbox sweep after the lease, and released once', async () => {
    const { call, callId, first } = await connectedWithoutSam('+14255550136', true);
    stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith('/participants:remove') });
    expect((await api(`calls/${callId}/transfer`, { queueId: 'support' })).status).toBe(202);
    await settled();
    expect(stack.callAutomation.faults.pending()).toBe(0);
    // Routing has the agent back, but they are still in the conference with the caller.
    expect((await agentDoc(first.agentId)).activeCallIds).toEqual([]);
    expect(leftAgents(call)).toEqual([]);
    expect(await stack.switchboard.sweepOutboxes()).toBe(0);

    expect(await sweepPastLease(stack)).toBe(1);
    await settled();
    expect(leftAgents(call)).toEqual(joinedAgents(call));
    const history = (await stack.switchboard.getCallHistory(callId))!.history.map((h) => h.entry);
    expect(history.filter((e) => e.kind === 'commandFailed')).toEqual([expect.objectContaining({ command: 'RemoveTeamsUser' })]);
    // Only the removal was sent again: the agent was released to routing once.
    const releases = history.filter((e) => e.kind === 'command' && e.command.kind === 'NotifyRouting' && e.command.outcome === 'callEnded' && e.command.agentId === first.agentId);
    expect(releases).toHaveLength(1);
    expect(await stack.switchboard.sweepOutboxes()).toBe(0);
    stack.callAutomation.hangUp(call);
    await settled();
    expect((await api('agents/sam/state', { state: 'ready' })).status).toBe(200);
    await settled();
  });

  it('music on hold Call Automation refuses to stop when the agent joins is stopped by the outbox sweep after the lease', async () => {
    stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith(':cancelAllMediaOperations') });
    const call = await escalate('+14255550137');
    await settled();
    expect(stack.callAutomation.faults.pending()).toBe(0);
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    const entries = async () => (await stack.switchboard.getCallHistory(callId))!.history.map((h) => h.entry);
    const musicCancelled = async () => (await entries()).some((e) => e.kind === 'event' && e.event.kind === 'PlayCanceled');
    expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('connected');
    expect((await entries()).filter((e) => e.kind === 'commandFailed')).toEqual([expect.objectContaining({ command: 'CancelMedia' })]);
    // The caller and the agent talk over the looping music until the sweep sends the cancel again.
    expect(await musicCancelled()).toBe(false);
    expect(await sweepPastLease(stack)).toBe(1);
    await settled();
    expect(await musicCancelled()).toBe(true);
    expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('connected');
    expect(await stack.switchboard.sweepOutboxes()).toBe(0);
    stack.callAutomation.hangUp(call);
    await settled();
  });

  it('a transfer the caller hangs up on while the agent API takes the new agent is answered 409 with why, and that agent is freed', async () => {
    const { call, callId } = await connectedWithoutSam('+14255550135');
    // The API has found the call connected; its write of Sam's document is held while the caller hangs up.
    let release!: () => void;
    let held!: () => void;
    const atHold = new Promise<void>((resolve) => (held = resolve));
    stack.cosmos.faults.inject({
      count: 1,
      matches: ({ method, path }) => method === 'PUT' && path.endsWith('/colls/agents/docs/sam'),
      until: new Promise<void>((resolve) => (release = resolve)),
      onHeld: () => held(),
    });
    const answer = api(`calls/${callId}/transfer`, { agentId: 'sam' });
    await atHold;
    stack.callAutomation.hangUp(call);
    await settled();
    release();
    const response = await answer;
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'the call has ended' });
    await settled();
    expect((await agentDoc('sam')).activeCallIds).toEqual([]);
    expect(joinedAgents(call)).toHaveLength(1);
    const history = (await stack.switchboard.getCallHistory(callId))!.history.map((h) => h.entry);
    expect(history).toContainEqual({ kind: 'requestRefused', request: 'transfer', reason: 'the call has ended' });
  });
});

