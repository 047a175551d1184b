// After-call work through the whole local Azure: a queue with `wrapUpInSeconds` keeps an agent whose
// call ended from the next caller until the wrap-up's scheduled end (a Service Bus message on the
// queue's session), or until the agent says they are ready; a lost end is caught by the presence
// refresh. Time moves on the Service Bus emulator's clock and the app's, never by waiting.
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { AdjustableClock } from '../../local/service-bus/service-bus-emulator.js';
import { agentDocument } from '../support/agent-document.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { startTestStack, testAgent, unusedActions } from '../support/test-stack.js';
import { apiFetch } from '../support/api-fetch.js';

const wrapUpInSeconds = 10;
const alice = testAgent('alice', ['billing'], { billing: 5 });
const serviceBusClock = new AdjustableClock();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    serviceBusClock,
    overrides: {
      // Billing also records its calls from the moment the agent joins.
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') }, recordsAgentCalls: (queueId) => queueId === 'billing' }),
      actions: unusedActions,
      queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', ringTimeInSeconds: 20, announcementIntervalInSeconds: 0, wrapUpInSeconds, dispositions: ['resolved', 'follow-up-needed'] }), parseQueueDefinition({ queueId: 'general', name: 'General', announcementIntervalInSeconds: 0 })],
    },
    agents: [alice],
  });
  await settled();
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const settled = () => stackSettled(stack);
const aliceNow = (): Promise<Agent & { status?: string }> => agentDocument(stack, 'alice');
const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });

async function escalate(from: string) {
  const placed = await stack.callAutomation.placeCall({ from, to: '+12125550100', script: [{ say: 'my bill is wrong' }], whenScriptEnds: 'wait' });
  await settled();
  return placed.simulatedCallId;
}

const stage = async (simulatedCallId: string) => {
  const callId = stack.callAutomation.getConversation(simulatedCallId)!.correlationId;
  return ((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage;
};

async function billingAgents(): Promise<Record<string, number>> {
  const response = await apiFetch(stack, `queues/billing/statistics`);
  return ((await response.json()) as { agents: Record<string, number> }).agents;
}

describe('after-call work (wrap-up)', () => {
  it('keeps the agent from the next caller until its time is up, then offers them the caller who waited', async () => {
    const first = await escalate('+14255550201');
    expect(await stage(first)).toBe('connected');
    const firstCall = stack.callAutomation.getConversation(first)!;
    const recording = stack.callAutomation.listRecordings().find((r) => r.serverCallId === firstCall.serverCallId);
    expect(recording).toMatchObject({ stopped: false });
    const startedAt = Date.now();
    stack.callAutomation.hangUp(first);
    await settled();
    // The conversation was recorded until the call ended; its history names the recording and its file.
    expect(stack.callAutomation.listRecordings().find((r) => r.recordingId === recording!.recordingId)?.stopped).toBe(true);
    const history = (await stack.switchboard.getCallHistory(firstCall.correlationId))!.history.map((h) => h.entry);
    expect(history).toContainEqual({ kind: 'callRecorded', queueId: 'billing', recordingId: recording!.recordingId });
    expect(history).toContainEqual({ kind: 'event', event: expect.objectContaining({ kind: 'RecordingFileAvailable' }) });
    const wrapping = await aliceNow();
    expect(wrapping.activeCallIds).toEqual([]);
    expect(wrapping.status).toBe('wrapUp');
    expect(Date.parse(wrapping.wrapUp!.until) - startedAt).toBeGreaterThanOrEqual(wrapUpInSeconds * 1000 - 1000);
    expect(await billingAgents()).toMatchObject({ wrapUp: 1, idle: 0 });

    // The next caller waits: Alice is not offered the call while she wraps up.
    const second = await escalate('+14255550202');
    expect(await stage(second)).toBe('queued');

    // Her wrap-up's end comes due on the routing queue: she is offered the caller who waited.
    serviceBusClock.advanceBy(wrapUpInSeconds * 1000 + 1);
    await settled();
    expect(await stage(second)).toBe('connected');
    expect((await aliceNow()).wrapUp).toBeNull();
    stack.callAutomation.hangUp(second);
    await settled();
    expect((await aliceNow()).status).toBe('wrapUp');
  });

  it('ends when the agent says they are ready, and the end scheduled for it later changes nothing', async () => {
    expect((await api('agents/alice/state', { state: 'ready' })).status).toBe(200);
    await settled();
    expect((await aliceNow()).status).toBe('idle');
    const third = await escalate('+14255550203');
    expect(await stage(third)).toBe('connected');
    // The end scheduled for the previous call's wrap-up comes while Alice is on this call.
    serviceBusClock.advanceBy(wrapUpInSeconds * 1000 + 1);
    await settled();
    expect((await aliceNow()).activeCallIds).toHaveLength(1);
    stack.callAutomation.hangUp(third);
    await settled();
    expect((await aliceNow()).wrapUp).not.toBeNull();
  });

  it('a wrap-up whose scheduled end was lost is ended by the presence refresh once well past its time', async () => {
    const wrapping = await aliceNow();
    expect(wrapping.wrapUp).not.toBeNull();
    // The app's minute timer, before the wrap-up is due: nothing to end.
    expect((await stack.switchboard.refreshPresence()).wrapUpsEnded).toBe(0);
    stack.clock.set(new Date(Date.parse(wrapping.wrapUp!.until) + 31_000));
    try {
      expect((await stack.switchboard.refreshPresence()).wrapUpsEnded).toBe(1);
    } finally {
      stack.clock.set(undefined);
    }
    await settled();
    expect((await aliceNow()).status).toBe('idle');
    // The lost message arrives after all: nothing changes.
    serviceBusClock.advanceBy(wrapUpInSeconds * 1000 + 1);
    await settled();
    expect((await aliceNow()).status).toBe('idle');
  });

  it("the agent's disposition goes into the call's history and ends the wrap-up; a code the queue does not list is refused", async () => {
    const call = await escalate('+14255550204');
    const callId = stack.callAutomation.getConversation(call)!.correlationId;
    expect(await stage(call)).toBe('connected');
    // On the call and not yet wrapping up: a disposition must name its call.
    expect((await api('agents/alice/wrap-up', { disposition: 'resolved' })).status).toBe(409);
    stack.callAutomation.hangUp(call);
    await settled();
    expect((await aliceNow()).status).toBe('wrapUp');

    const wrong = await api('agents/alice/wrap-up', { disposition: 'sale-made' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'disposition must be one of resolved, follow-up-needed for queue billing' });
    expect((await api('agents/alice/wrap-up', { disposition: 'resolved', mood: 'happy' })).status).toBe(400);
    expect((await api('agents/nobody/wrap-up', { disposition: 'resolved' })).status).toBe(404);
    expect((await aliceNow()).status).toBe('wrapUp');

    const recorded = await api('agents/alice/wrap-up', { disposition: 'follow-up-needed', notes: 'wants a call back about the May bill' });
    expect(recorded.status).toBe(200);
    expect(await recorded.json()).toEqual({ callId, disposition: 'follow-up-needed', wrapUpEnded: true });
    await settled();
    expect((await aliceNow()).status).toBe('idle');
    // Supervisors see it counted in the queue's window.
    const statistics = (await (await apiFetch(stack, 'queues/billing/statistics')).json()) as { window: { dispositions: Record<string, number> } };
    expect(statistics.window.dispositions).toEqual({ 'follow-up-needed': 1 });
    const history = (await stack.switchboard.getCallHistory(callId))!.history.map((h) => h.entry);
    expect(history).toContainEqual({
      kind: 'event',
      event: expect.objectContaining({ kind: 'DispositionRecorded', agentId: 'alice', disposition: 'follow-up-needed', pii: { notes: 'wants a call back about the May bill' } }),
    });
    // The wrap-up is over: a second disposition must name its call.
    expect((await api('agents/alice/wrap-up', { disposition: 'resolved' })).status).toBe(409);
  });
});
