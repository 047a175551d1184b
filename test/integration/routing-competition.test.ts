// Queues competing for agents on the whole local Azure: each queue is its own Service Bus session
// (decided in parallel), an agent is shared by reserving the agent document with its ETag, an agent
// at capacity is offered nothing, and within a queue the higher-priority caller goes first, then
// the one who waited longest.
import type { IntentDefinition } from '../../bot/call-flow/assistant-flow.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack, unusedActions, testAgent } from '../support/test-stack.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { agentDocument } from '../support/agent-document.js';
import { intents, sure, testFlow } from '../support/test-assistant-flow.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
const actions = unusedActions;
const agentSpec = testAgent;
// Sam is the only agent of billing and of support; Tess the only one of care; Duo of general.
const sam = agentSpec('sam', ['billing', 'support'], { billing: 2, support: 4 });
const tess = agentSpec('tess', ['care'], {});
const duo = agentSpec('duo', ['general'], {});

/** Two ways into the care queue: a general question (priority 0) and cancelling (priority 3). */
const careIntents: IntentDefinition[] = [
  { name: 'question', spokenName: () => 'a question', dtmfKey: undefined, outcome: { kind: 'escalate', target: { queueId: 'care', priority: 0, requiredSkills: [] } } },
  { name: 'cancelService', spokenName: () => 'cancelling', dtmfKey: undefined, outcome: { kind: 'escalate', target: { queueId: 'care', priority: 3, requiredSkills: [] } } },
];
const utterances = { billing: 'my bill is wrong', support: 'my internet is down', question: 'I have a question', cancel: 'cancel my service' } as const;

beforeAll(async () => {
  stack = await startTestStack({
        overrides: {
      flow: testFlow({
        understandings: {
          [utterances.billing]: sure('billing'), [utterances.support]: sure('techSupport'),
          [utterances.question]: sure('question'), [utterances.cancel]: sure('cancelService'),
        },
        intents: new Map([...intents, ...careIntents].map((i) => [i.name, i])),
      }),
      actions,
      queues: ['billing', 'support', 'care', 'general'].map((queueId) => parseQueueDefinition({ queueId, name: queueId, announcementIntervalInSeconds: 0 })),
    },
    agents: [sam, tess, duo],
  });
  await settled();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const settled = () => stackSettled(stack);

const agentDoc = (agentId: string): Promise<Agent> => agentDocument(stack, agentId);

async function setAgentState(agentId: string, state: 'ready' | 'notReady'): Promise<void> {
  const response = await apiFetch(stack, `agents/${agentId}/state`, { method: 'POST', body: JSON.stringify({ state }) });
  expect(response.status).toBe(200);
  await settled();
}

let nextCaller = 300;
async function escalate(utterance: string): Promise<string> {
  const placed = await stack.callAutomation.placeCall({ from: `+1425555${nextCaller++}`, to: '+12125550100', script: [{ say: utterance }], whenScriptEnds: 'wait' });
  await settled();
  return placed.simulatedCallId;
}

interface Routed {
  readonly callId: string;
  readonly stage: string;
  readonly agentId: string | undefined;
  readonly decisions: string[];
  /** Teams users who joined the caller's call (each one was rung and answered). */
  readonly joined: string[];
}

async function routed(simulatedCallId: string): Promise<Routed> {
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

const waiting = { stage: 'queued', joined: [] };

async function hangUp(...simulatedCallIds: string[]): Promise<void> {
  for (const id of simulatedCallIds) stack.callAutomation.hangUp(id);
  await settled();
}

describe('queues competing for agents', () => {
  it('two queues with a caller each and one shared agent: exactly one queue gets the agent, the other caller gets them after that call', async () => {
    await setAgentState('sam', 'notReady');
    const billingCall = await escalate(utterances.billing);
    const supportCall = await escalate(utterances.support);
    expect(await routed(billingCall)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));
    expect(await routed(supportCall)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));

    // Ready: both queues hear it at once, in their own sessions, and both may try to take Sam.
    await setAgentState('sam', 'ready');
    const [billing, support] = [await routed(billingCall), await routed(supportCall)];
    const [winner, loser] = billing.stage === 'connected' ? [billing, support] : [support, billing];
    const [winnerCall, loserCall] = billing.stage === 'connected' ? [billingCall, supportCall] : [supportCall, billingCall];
    expect(winner).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'sam', decisions: ['queued', 'offered', 'answered'] }));
    expect(winner.joined).toHaveLength(1);
    // The other queue either learned in time that Sam was taken, or lost the ETag race for him
    // (its offer was recorded, the reservation refused, and Sam was never rung for it).
    expect(loser).toEqual(expect.objectContaining(waiting));
    expect([['queued'], ['queued', 'offered', 'reservationFailed']]).toContainEqual(loser.decisions);
    expect(await agentDoc('sam')).toEqual(expect.objectContaining({ activeCallIds: [winner.callId], offer: null }));

    // The first call ends: Sam is free and the caller who kept waiting gets him.
    await hangUp(winnerCall);
    const after = await routed(loserCall);
    expect(after).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'sam' }));
    expect(after.decisions.slice(-2)).toEqual(['offered', 'answered']);
    expect(after.joined).toHaveLength(1);
    expect((await agentDoc('sam')).activeCallIds).toEqual([loser.callId]);
    await hangUp(loserCall);
    expect(await agentDoc('sam')).toEqual(expect.objectContaining({ activeCallIds: [], offer: null }));
  });

  it('an agent on a call (capacity 1) is never offered a second, even when Teams shows them Available or the admin edits them', async () => {
    const first = await escalate(utterances.billing);
    expect(await routed(first)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'sam' }));
    const second = await escalate(utterances.support);
    expect(await routed(second)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));

    // Each of these tells the support queue about Sam again; none makes him free.
    stack.teams.setPresence(sam.teamsUserId, 'Available', 'Available');
    await settled();
    expect((await agentDoc('sam')).presence.availability).toBe('Available');
    await stack.switchboard.refreshPresence();
    await settled();
    const edited = await apiFetch(stack, `agents/sam`, {
      method: 'PUT',
      body: JSON.stringify({ teamsUserId: sam.teamsUserId, displayName: 'Sam', skills: { billing: 2, support: 5 }, queueIds: sam.queueIds, state: 'ready' }),
    });
    expect(edited.status).toBe(200);
    await settled();
    expect(await routed(second)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));
    expect(stack.callAutomation.listInvitations(sam.teamsUserId)).toEqual([]);
    expect((await agentDoc('sam')).activeCallIds).toHaveLength(1);

    await hangUp(first);
    expect(await routed(second)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'sam' }));
    await hangUp(second);
  });

  it('an agent with capacity 2 takes a second call while Teams shows them in the first, and no third', async () => {
    const put = await apiFetch(stack, `agents/duo`, {
      method: 'PUT',
      body: JSON.stringify({ teamsUserId: duo.teamsUserId, displayName: 'Duo', queueIds: duo.queueIds, capacity: 2, state: 'ready' }),
    });
    expect(put.status).toBe(200);
    await settled();
    const calls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const placed = await stack.callAutomation.placeCall({ from: `+1425555${nextCaller++}`, to: '+12125550100', script: [{ press: '0' }], whenScriptEnds: 'wait' });
      await settled();
      calls.push(placed.simulatedCallId);
    }
    const [one, two, three] = await Promise.all(calls.map(routed));
    expect(one).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'duo' }));
    expect(two).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'duo' }));
    expect(three).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));
    expect(stack.teams.presenceOf(duo.teamsUserId)).toEqual(expect.objectContaining({ availability: 'Busy', activity: 'InACall' }));
    expect((await agentDoc('duo')).activeCallIds).toHaveLength(2);
    await hangUp(...calls);
    expect((await agentDoc('duo')).activeCallIds).toEqual([]);
  });

  it('within a queue the higher priority goes first even if it came later, then the longest waiting', async () => {
    await setAgentState('tess', 'notReady');
    const olderQuestion = await escalate(utterances.question);
    const newerQuestion = await escalate(utterances.question);
    const cancelling = await escalate(utterances.cancel);
    for (const call of [olderQuestion, newerQuestion, cancelling]) expect(await routed(call)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));
    const statistics = await (await apiFetch(stack, `queues/care/statistics`)).json();
    expect(statistics).toEqual(expect.objectContaining({ waiting: 3 }));

    await setAgentState('tess', 'ready');
    expect(await routed(cancelling)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'tess' }));
    expect(await routed(olderQuestion)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));
    expect(await routed(newerQuestion)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));

    await hangUp(cancelling);
    expect(await routed(olderQuestion)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'tess' }));
    expect(await routed(newerQuestion)).toEqual(expect.objectContaining({ ...waiting, decisions: ['queued'] }));

    await hangUp(olderQuestion);
    expect(await routed(newerQuestion)).toEqual(expect.objectContaining({ stage: 'connected', agentId: 'tess' }));
    await hangUp(newerQuestion);
    expect((await agentDoc('tess')).activeCallIds).toEqual([]);
  });
});
