// A caller facing a long wait chooses a callback (press 1), hangs up keeping their place, and is
// dialled back when an agent is free; the agent is reserved first, then both are joined.
import { agentDocument } from '../support/agent-document.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack } from '../support/test-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
/** While set, the billing queue is closed until then and books callbacks for its opening. */
let billingClosedUntil: Date | undefined;
const cora = { agentId: 'cora', teamsUserId: '00000000-0000-4000-8000-0000000c0a0a', displayName: 'Cora', skills: { billing: 4 }, queueIds: ['billing'], ringBehaviour: { kind: 'accept' as const, afterMs: 0 } };

const recordingsContainerUrl = 'https://stswbdlocal.blob.core.windows.net/recordings';

beforeAll(async () => {
  stack = await startTestStack({
    // Voicemails go to the deployment's own blob container, not Call Automation's 24-hour store.
    settings: { RECORDINGS_CONTAINER_URL: recordingsContainerUrl },
        overrides: {
      flow: testFlow({
        understandings: { 'my bill is wrong': sure('billing') },
        // A callback nobody answers is dialled once more, a second later.
        callbackRetries: () => ({ attempts: 2, retryDelayInSeconds: 1 }),
        // Billing records its conversations with agents, callbacks included.
        recordsAgentCalls: (queueId) => queueId === 'billing',
        queueClosed: (queueId) =>
          queueId === 'billing' && billingClosedUntil !== undefined
            ? { prompt: 'billingHours', voicemail: false, callbackPrompt: 'callbackWhenOpen', opensAt: billingClosedUntil.toISOString() }
            : undefined,
      }),
      actions: { run: async () => ({ status: 'failed', reason: 'not used' }) },
      queues: [
        parseQueueDefinition({ queueId: 'billing', name: 'Billing', announcementIntervalInSeconds: 600, callbackOfferThresholdInSeconds: 60, defaultHandleTimeInSeconds: 300 }),
        parseQueueDefinition({ queueId: 'general', name: 'General', overflow: { whenNoAgentsLoggedIn: { action: { kind: 'voicemail' } } } }),
      ],
    },
    agents: [cora],
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

async function settled(): Promise<void> {
  for (;;) {
    await stack.callAutomation.callbacksIdle();
    const counts = stack.serviceBus.counts('routing')?.queue;
    if (counts && counts.active === 0 && counts.locked === 0) return;
    await stack.serviceBus.nextEvent((e) => e.type === 'messageCompleted' || e.type === 'messageDeadLettered' || e.type === 'messageAbandoned');
  }
}

/**
 * A caller from `from` books a callback while billing is closed (its phone answers when dialled);
 * `due` resolves when the booking joins the queue, at the opening a second later.
 */
async function bookCallbackForOpening(from: string): Promise<{ callId: string; due: Promise<unknown> }> {
  billingClosedUntil = new Date(Date.now() + 1000);
  const due = stack.serviceBus.nextEvent((e) => e.type === 'messageEnqueued' && e.messageId.endsWith(':callback'));
  stack.callAutomation.registerPhone(from, { ringBehaviour: { kind: 'accept', afterMs: 0 }, whenScriptEnds: 'wait' });
  const placed = await stack.callAutomation.placeCall({ from, to: '+12125550100', script: [{ say: 'my bill is wrong' }, { press: '1' }] });
  const callId = (await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000)).correlationId;
  billingClosedUntil = undefined;
  return { callId, due };
}

it('a caller who chooses a callback keeps their place and is joined with the agent reserved for them', async () => {
  const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect((await api('agents/cora/state', { state: 'notReady', reason: 'meeting' })).status).toBe(200);
  await settled();
  stack.callAutomation.registerPhone('+14255550140', { ringBehaviour: { kind: 'accept', afterMs: 0 }, whenScriptEnds: 'wait' });
  const placed = await stack.callAutomation.placeCall({ from: '+14255550140', to: '+12125550100', script: [{ say: 'my bill is wrong' }, { press: '1' }] });
  await settled();
  const first = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
  const heard = first.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
  expect(heard).toEqual(expect.arrayContaining(['<callbackOffer>', '<callbackConfirmed>']));
  // Nobody free: the first announcement in the queue starts with its welcome.
  expect(heard).toEqual(expect.arrayContaining([expect.stringMatching(/^<queueWelcome> <queuePosition 1>/)]));
  await settled();
  const callId = first.correlationId;
  expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('callbackPending');

  // Cora is back: the callback comes up, she is reserved, the caller is dialled and both joined.
  const rung = stack.callAutomation.waitForInvitation(cora.teamsUserId, 10_000);
  expect((await api('agents/cora/state', { state: 'ready' })).status).toBe(200);
  await settled();
  const state = (await stack.switchboard.getCallHistory(callId))!.state as { stage: string; agent?: { agentId: string } };
  expect(state.stage).toBe('connected');
  expect(state.agent?.agentId).toBe('cora');
  // Cora's Teams rang for the billing queue's ringTimeInSeconds (20 s by default), as for any offer.
  expect(await rung).toMatchObject({ purpose: 'addParticipant', invitationTimeoutInSeconds: 20 });
  const outbound = stack.callAutomation.listConversations().find((c) => c.direction === 'outbound' && c.phoneNumber === '+14255550140');
  expect(outbound?.state).toBe('connected');
  stack.callAutomation.hangUp(outbound!.simulatedCallId);
  await settled();
});

it('outside the queue\'s hours a caller books a callback; when the queue opens they are dialled with an agent reserved', async () => {
  const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect((await api('agents/cora/state', { state: 'ready' })).status).toBe(200);
  await settled();
  // The queue opens in a second: the booked callback is a Service Bus message scheduled for then.
  billingClosedUntil = new Date(Date.now() + 1000);
  const scheduled = stack.serviceBus.nextEvent((e) => e.type === 'messageScheduled');
  const due = stack.serviceBus.nextEvent((e) => e.type === 'messageEnqueued' && e.messageId.endsWith(':callback'));
  stack.callAutomation.registerPhone('+14255550143', { ringBehaviour: { kind: 'accept', afterMs: 0 }, whenScriptEnds: 'wait' });
  const placed = await stack.callAutomation.placeCall({ from: '+14255550143', to: '+12125550100', script: [{ say: 'my bill is wrong' }, { press: '1' }] });
  const first = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
  billingClosedUntil = undefined;
  const heard = first.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
  expect(heard).toEqual(expect.arrayContaining(['<billingHours> <callbackWhenOpen>', '<callbackConfirmed>']));
  const history = (await stack.switchboard.getCallHistory(first.correlationId))!.history;
  const booked = history.flatMap((h) => (h.entry.kind === 'command' && h.entry.command.kind === 'ScheduleCallback' ? [h.entry.command] : []));
  expect(booked).toEqual([expect.objectContaining({ queueId: 'billing', pii: { phoneNumber: '+14255550143' } })]);
  const booking = (await scheduled) as { scheduledEnqueueAtMs: number };
  expect(booking.scheduledEnqueueAtMs).toBe(Date.parse((booked[0] as { at: string }).at));

  // At the opening the call joins the queue as a callback: Cora is reserved and the caller dialled.
  await due;
  await settled();
  const state = (await stack.switchboard.getCallHistory(first.correlationId))!.state as { stage: string; agent?: { agentId: string } };
  expect(state.stage).toBe('connected');
  expect(state.agent?.agentId).toBe('cora');
  const outbound = stack.callAutomation.listConversations().find((c) => c.direction === 'outbound' && c.phoneNumber === '+14255550143');
  expect(outbound?.state).toBe('connected');
  stack.callAutomation.hangUp(outbound!.simulatedCallId);
  await settled();
  // The conversation on the callback was recorded; Call Automation names the callback's own call in
  // the file's event, and the file still reaches this call's history.
  expect(outbound!.correlationId).not.toBe(first.correlationId);
  const entries = (await stack.switchboard.getCallHistory(first.correlationId))!.history.map((h) => h.entry);
  expect(entries.some((e) => e.kind === 'callRecorded')).toBe(true);
  expect(entries).toContainEqual({ kind: 'event', event: expect.objectContaining({ kind: 'RecordingFileAvailable', contentLocations: [expect.stringContaining(outbound!.correlationId)] }) });
});

it('a queue with nobody logged in takes a voicemail, linked in the call history', async () => {
  const placed = await stack.callAutomation.placeCall({ from: '+14255550141', to: '+12125550100', script: [{ press: '0' }, { press: '#' }] });
  const ended = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
  await settled();
  const heard = ended.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
  expect(heard).toEqual(expect.arrayContaining(['<voicemailPrompt>', '<voicemailSaved>']));
  const history = await stack.switchboard.getCallHistory(ended.correlationId);
  const voicemail = history!.history.find((h) => h.entry.kind === 'voicemailRecorded')?.entry as { recordingId: string; queueId: string } | undefined;
  expect(voicemail).toEqual({ kind: 'voicemailRecorded', queueId: 'general', recordingId: expect.any(String) });
  const recording = stack.callAutomation.listRecordings().find((r) => r.recordingId === voicemail!.recordingId);
  expect(recording).toMatchObject({ destinationContainerUrl: recordingsContainerUrl, stopped: true });
  // Event Grid says where the file is; the call's history keeps it for whoever plays the message.
  const stored = (await stack.switchboard.getCallHistory(ended.correlationId))!.history.map((h) => h.entry);
  expect(stored).toContainEqual({ kind: 'event', event: expect.objectContaining({ kind: 'RecordingFileAvailable', contentLocations: [expect.stringMatching(new RegExp(`^${recordingsContainerUrl}/`))] }) });
  // An event for no call of ours, or one that is not a recording's, is dropped with a log line.
  const data = { recordingStorageInfo: { recordingChunks: [{ contentLocation: `${recordingsContainerUrl}/x/audio.wav` }] } };
  expect(await stack.switchboard.recordingFileStatus({ id: 'e1', subject: '/recording/call/nobody/serverCallId/s1', data })).toBe('unknown call');
  expect(await stack.switchboard.recordingFileStatus({ id: 'e2', subject: '/caller/x', data })).toBe('rejected');
  expect((history!.state as { endReason: string }).endReason).toBe('voicemail (noAgentsLoggedIn)');
});

it('a voicemail whose recording Call Automation refuses is not taken: the caller hears that nobody is available, never that the message was saved', async () => {
  stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ method, path }) => method === 'POST' && path === '/calling/recordings' });
  const placed = await stack.callAutomation.placeCall({ from: '+14255550144', to: '+12125550100', script: [{ press: '0' }], whenScriptEnds: 'wait' });
  const ended = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
  await settled();
  expect(stack.callAutomation.faults.pending()).toBe(0);
  const heard = ended.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
  expect(heard.at(-1)).toBe('<voicemailUnavailable> <noAgents>');
  expect(heard).not.toContain('<voicemailSaved>');
  const history = await stack.switchboard.getCallHistory(ended.correlationId);
  expect((history!.state as { endReason: string }).endReason).toBe('voicemailUnavailable');
  expect(history!.history.some((h) => h.entry.kind === 'voicemailRecorded')).toBe(false);
});

it('a dead-lettered routing message still gives its call the queue overflow action; operators can list dead letters', async () => {
  const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect((await api('agents/cora/state', { state: 'notReady', reason: 'meeting' })).status).toBe(200);
  await settled();
  const placed = await stack.callAutomation.placeCall({ from: '+14255550142', to: '+12125550100', script: [{ say: 'my bill is wrong' }, { press: '2' }], whenScriptEnds: 'wait' });
  await settled();
  const callId = stack.callAutomation.getConversation(placed.simulatedCallId)!.correlationId;
  expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('queued');

  // What the routing-dead-letters function does with a message that failed max deliveries.
  await stack.switchboard.routeDeadLetter({
    kind: 'AnnouncementTick', schemaVersion: 1, messageId: `${callId}:tick:dead`, queueId: 'billing', occurredAt: new Date().toISOString(), callId, sequence: 1,
  });
  await settled();
  const history = (await stack.switchboard.getCallHistory(callId))!;
  // The billing queue here has no overflow rules: the fallback is voicemail.
  expect((history.state as { endReason: string }).endReason).toBe('voicemail (deadLettered)');
  expect(history.history.some((h) => h.entry.kind === 'voicemailRecorded')).toBe(true);
  if (stack.callAutomation.getConversation(placed.simulatedCallId)?.state !== 'ended') stack.callAutomation.hangUp(placed.simulatedCallId);
  await settled();

  const list = await apiFetch(stack, `routing/dead-letters`);
  expect(list.status).toBe(200);
  expect(await list.json()).toEqual({ value: [] });
  const queues = (await (await apiFetch(stack, `queues`)).json()) as { value: { definition: { queueId: string } }[] };
  expect(queues.value.map((q) => q.definition.queueId).sort()).toEqual(['billing', 'general']);
});

it('a callback Call Automation refuses to dial frees the agent reserved for it at once, and is dialled again later', async () => {
  const api = (path: string, body: unknown) => apiFetch(stack, `${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect((await api('agents/cora/state', { state: 'ready' })).status).toBe(200);
  await settled();
  const { callId, due } = await bookCallbackForOpening('+14255550145');
  stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ method, path }) => method === 'POST' && path === '/calling/callConnections' });
  await due;
  const retried = stack.serviceBus.nextEvent((e) => e.type === 'messageEnqueued' && e.messageId.endsWith(':callback'));
  await settled();
  expect(stack.callAutomation.faults.pending()).toBe(0);
  const failed = (await stack.switchboard.getCallHistory(callId))!;
  expect(failed.state as { stage: string; callbackAttempts: number }).toMatchObject({ stage: 'callbackPending', callbackAttempts: 1 });
  expect(failed.history.some((h) => h.entry.kind === 'commandFailed')).toBe(true);
  // Cora is free at once, not held for a call that was never placed.
  const freed = await agentDocument(stack, 'cora');
  expect(freed.offer).toBeNull();
  expect(freed.activeCallIds).toEqual([]);
  expect(stack.callAutomation.listConversations().some((c) => c.direction === 'outbound' && c.phoneNumber === '+14255550145')).toBe(false);

  // A second later the callback joins the queue again: Cora is reserved, the caller dialled and joined.
  await retried;
  await settled();
  expect((await stack.switchboard.getCallHistory(callId))!.state as { stage: string; agent?: { agentId: string } }).toMatchObject({ stage: 'connected', agent: { agentId: 'cora' } });
  const outbound = stack.callAutomation.listConversations().find((c) => c.direction === 'outbound' && c.phoneNumber === '+14255550145');
  expect(outbound?.state).toBe('connected');
  stack.callAutomation.hangUp(outbound!.simulatedCallId);
  await settled();
});

it('a callback whose agent declines once the caller has answered rings the next agent into the call (the caller is not dialled again)', async () => {
  const api = (path: string, body: unknown, method = 'POST') => apiFetch(stack, `${path}`, { method, body: JSON.stringify(body) });
  // Cora takes the call when the queue opens, a second from now, but declines it when it rings.
  stack.teams.upsert({ userId: cora.teamsUserId, ringBehaviour: { kind: 'decline', afterMs: 0 } });
  expect((await api('agents/cora/state', { state: 'ready' })).status).toBe(200);
  await settled();
  const { callId, due } = await bookCallbackForOpening('+14255550146');
  await due;
  await settled();
  // The caller answered and waits on the line; nobody else is free yet.
  expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string }).stage).toBe('queued');

  // Dora joins the queue: routing reserves her, and she is rung into the caller's call.
  const dora = { agentId: 'dora', teamsUserId: '00000000-0000-4000-8000-00000000d0a0' };
  stack.teams.upsert({ userId: dora.teamsUserId, displayName: 'Dora', availability: 'Available', ringBehaviour: { kind: 'accept', afterMs: 0 } });
  expect((await api(`agents/${dora.agentId}`, { teamsUserId: dora.teamsUserId, displayName: 'Dora', queueIds: ['billing'], skills: { billing: 3 }, state: 'ready' }, 'PUT')).status).toBe(200);
  await stack.switchboard.refreshPresence();
  await settled();
  const outbound = stack.callAutomation.listConversations().filter((c) => c.direction === 'outbound' && c.phoneNumber === '+14255550146');
  expect(outbound).toHaveLength(1);
  expect((await stack.switchboard.getCallHistory(callId))!.state as { stage: string; agent?: { agentId: string } }).toMatchObject({ stage: 'connected', agent: { agentId: 'dora' } });
  stack.teams.upsert({ userId: cora.teamsUserId, ringBehaviour: { kind: 'accept', afterMs: 0 } });
  stack.callAutomation.hangUp(outbound[0]!.simulatedCallId);
  await settled();
});
