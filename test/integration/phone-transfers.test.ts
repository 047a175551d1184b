// An agent's blind transfer to a phone number, through the whole local Azure: the number rings
// (answered by hand here, as a person would), Call Automation reports CallTransferAccepted or
// CallTransferFailed, and the caller is never left alone in silence when it does not go through.
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { LocalStack } from '../../local/local-stack.js';
import { agentDocument } from '../support/agent-document.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { startTestStack, testAgent, unusedActions } from '../support/test-stack.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
const tess = testAgent('tess', ['billing'], { billing: 3 });
const number = '+14255550990';

beforeAll(async () => {
  stack = await startTestStack({
    // Numbers ring until answered by hand (their 60 s time-out is never reached).
    callTiming: { invitationTimeoutScale: 1 },
    overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }),
      actions: unusedActions,
      queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', requiredSkills: [{ skill: 'billing', minProficiency: 1 }], announcementIntervalInSeconds: 0 })],
    },
    agents: [tess],
  });
  stack.callAutomation.registerPhone(number, { ringBehaviour: { kind: 'noAnswer' }, whenScriptEnds: 'wait' });
  await settled();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const settled = () => stackSettled(stack);

const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });

interface CallView {
  readonly stage: string;
  readonly queueId?: string;
  readonly endReason?: string;
  readonly agent?: { readonly agentId: string };
  readonly phoneTransfer?: unknown;
}

async function callState(callId: string): Promise<CallView> {
  return (await stack.switchboard.getCallHistory(callId))!.state as unknown as CallView;
}

/** A caller who asks for billing and is connected to tess. */
async function callWithAgent(from: string) {
  const placed = await stack.callAutomation.placeCall({ from, to: '+12125550100', script: [{ say: 'my bill is wrong' }], whenScriptEnds: 'wait' });
  await settled();
  const callId = stack.callAutomation.getConversation(placed.simulatedCallId)!.correlationId;
  expect(await callState(callId)).toMatchObject({ stage: 'connected', agent: { agentId: 'tess' } });
  return { simulatedCallId: placed.simulatedCallId, callId };
}

const heard = (simulatedCallId: string) =>
  (stack.callAutomation.getConversation(simulatedCallId)?.entries ?? []).filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text ?? '');

async function hangUp(simulatedCallId: string) {
  if (stack.callAutomation.getConversation(simulatedCallId)?.state !== 'ended') stack.callAutomation.hangUp(simulatedCallId);
  await settled();
}

describe('an agent transfers the caller to a phone number', () => {
  it('keeps the agent on the call while the number rings; when it answers, the caller talks on with it and the agent is free', async () => {
    const call = await callWithAgent('+14255550141');
    expect((await api(`calls/${call.callId}/transfer`, { phoneNumber: number })).status).toBe(202);
    expect(await callState(call.callId)).toMatchObject({ stage: 'connected', agent: { agentId: 'tess' }, phoneTransfer: { phoneNumber: number } });
    expect((await agentDocument(stack, 'tess')).activeCallIds).toEqual([call.callId]);
    // One transfer at a time.
    const again = await api(`calls/${call.callId}/transfer`, { queueId: 'billing' });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'the call is being transferred to a phone number' });

    stack.callAutomation.acceptInvitation(number);
    await settled();
    expect(await callState(call.callId)).toMatchObject({ stage: 'ended', endReason: 'transferredToPhone' });
    expect((await agentDocument(stack, 'tess')).activeCallIds).toEqual([]);
    const external = stack.callAutomation.listConversations().find((c) => c.phoneNumber === number && c.state === 'connected');
    expect(external).toBeDefined();
    stack.callAutomation.hangUp(external!.simulatedCallId);
    await hangUp(call.simulatedCallId);
  });

  it('a number that declines leaves the caller with the agent, both told so; the agent can transfer again', async () => {
    const call = await callWithAgent('+14255550142');
    expect((await api(`calls/${call.callId}/transfer`, { phoneNumber: number })).status).toBe(202);
    stack.callAutomation.declineInvitation(number);
    await settled();
    const after = await callState(call.callId);
    expect(after).toMatchObject({ stage: 'connected', agent: { agentId: 'tess' } });
    expect(after.phoneTransfer).toBeUndefined();
    expect(heard(call.simulatedCallId).at(-1)).toContain('transferFailed');
    expect((await agentDocument(stack, 'tess')).activeCallIds).toEqual([call.callId]);
    expect((await api(`calls/${call.callId}/transfer`, { phoneNumber: number })).status).toBe(202);
    await hangUp(call.simulatedCallId);
    expect((await agentDocument(stack, 'tess')).activeCallIds).toEqual([]);
  });

  it('a transfer Call Automation refuses leaves the caller with the agent, both told so', async () => {
    const call = await callWithAgent('+14255550143');
    stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith(':transferToParticipant') });
    expect((await api(`calls/${call.callId}/transfer`, { phoneNumber: number })).status).toBe(202);
    await settled();
    expect(stack.callAutomation.faults.pending()).toBe(0);
    expect(await callState(call.callId)).toMatchObject({ stage: 'connected', agent: { agentId: 'tess' } });
    expect(heard(call.simulatedCallId).at(-1)).toContain('transferFailed');
    const history = (await stack.switchboard.getCallHistory(call.callId))!.history.map((h) => h.entry as { kind: string; event?: { kind: string } });
    expect(history.filter((e) => e.kind === 'commandFailed')).toHaveLength(1);
    expect(history.some((e) => e.kind === 'event' && e.event?.kind === 'CallTransferFailed')).toBe(true);
    await hangUp(call.simulatedCallId);
  });

  it('an agent who hangs up while the number rings is freed; if the number then declines, the caller is queued again for billing', async () => {
    const call = await callWithAgent('+14255550144');
    expect((await api(`calls/${call.callId}/transfer`, { phoneNumber: number })).status).toBe(202);
    stack.callAutomation.teamsUserHangUp(tess.teamsUserId);
    await settled();
    // The caller waits for the number: not hung up on.
    expect(await callState(call.callId)).toMatchObject({ stage: 'connected' });
    expect((await callState(call.callId)).agent).toBeUndefined();
    expect((await agentDocument(stack, 'tess')).activeCallIds).toEqual([]);

    stack.callAutomation.declineInvitation(number);
    await settled();
    expect(heard(call.simulatedCallId)).toEqual(expect.arrayContaining([expect.stringMatching(/transferFailed.*transferring/)]));
    const history = (await stack.switchboard.getCallHistory(call.callId))!.history.map((h) => h.entry as { kind: string; command?: { kind: string; queueId?: string } });
    expect(history.filter((e) => e.kind === 'command' && e.command?.kind === 'RequestRouting').map((e) => e.command!.queueId)).toEqual(['billing', 'billing']);
    // tess is free again and takes the call back.
    expect(await callState(call.callId)).toMatchObject({ stage: 'connected', agent: { agentId: 'tess' } });
    await hangUp(call.simulatedCallId);
  });
});
