// Call Automation refusing a command (5xx after the SDK's retries; the local stack's SDK does not
// retry): the decider goes on as if Call Automation had failed the operation, so the caller is
// never left waiting in silence for an event that cannot come.
import type { CallerStep } from '../../local/acs/simulated-caller.js';
import type { LocalStack } from '../../local/local-stack.js';
import { playCall } from '../support/played-call.js';
import { orderStatusActions, startTestStack } from '../support/test-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { sweepPastLease } from '../support/sweep-past-lease.js';

let stack: LocalStack;
const actions = orderStatusActions;

beforeAll(async () => {
  stack = await startTestStack({
    overrides: { flow: testFlow({ understandings: { 'where is my order': sure('orderStatus') } }), actions },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function call(from: string, script: readonly CallerStep[]) {
  const played = await playCall(stack, { from, to: '+18005550100', script });
  return { ...played, failed: played.history.filter((h) => h.entry.kind === 'commandFailed').map((h) => h.entry.command) };
}

describe('a call while Call Automation refuses some of its commands', () => {
  it('asks a question Call Automation would not start again, instead of waiting in silence', async () => {
    stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith(':recognize') });
    const result = await call('+14255550141', [{ say: 'where is my order' }, { press: '123456' }, { say: 'yes' }, { say: "no that's all" }]);
    expect(stack.callAutomation.faults.pending()).toBe(0);
    expect(result.failed).toEqual(['StartRecognition']);
    // The question is asked again as it was first asked: the greeting (and its recording notice) too.
    expect(result.heard).toEqual(['<greeting> <openQuestion>', '<askOrderNumber>', '<confirmSlot 1 2 3, 4 5 6>', '<orderFound shipped> <anythingElse>', '<goodbye>']);
    expect(result.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
  });

  it('hands a caller to a person when no question can be asked, after the configured retries, and the call ends', async () => {
    stack.callAutomation.faults.inject({ status: 503, count: 10, matches: ({ path }) => path.endsWith(':recognize') });
    const result = await call('+14255550142', []);
    const refused = 10 - stack.callAutomation.faults.pending();
    stack.callAutomation.faults.clear();
    expect(result.failed).toEqual(Array.from({ length: refused }, () => 'StartRecognition'));
    // The greeting once more, then the reprompts the test flow allows.
    expect(refused).toBe(4);
    // The test flow's queue is not deployed: the caller is told, and the call ends cleanly.
    expect(result.heard).toEqual(['<transferring>', '<noAgentsAvailable>']);
    expect(result.state.stage).toBe('ended');
  });
});

describe('a hang-up Call Automation refuses', () => {
  it('is sent again by the outbox sweep after its lease, so the call does end', async () => {
    stack.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith(':terminate') });
    const placed = await stack.callAutomation.placeCall({ from: '+14255550143', to: '+18005550100', script: [{ say: 'where is my order' }, { press: '123456' }, { say: 'yes' }, { say: "no that's all" }], whenScriptEnds: 'wait' });
    await stack.callAutomation.waitForConversation(placed.simulatedCallId, (c) => c.entries.some((e) => e.kind === 'heard' && (e as { text?: string }).text === '<goodbye>'), 10_000);
    await stack.callAutomation.callbacksIdle();
    expect(stack.callAutomation.faults.pending()).toBe(0);
    const callId = stack.callAutomation.getConversation(placed.simulatedCallId)!.correlationId;
    // The goodbye was said and the hang-up refused: the line stays open, and nothing else would close it.
    expect(stack.callAutomation.getConversation(placed.simulatedCallId)?.state).not.toBe('ended');
    const refused = (await stack.switchboard.getCallHistory(callId))!;
    expect(refused.history.filter((h) => h.entry.kind === 'commandFailed').map((h) => (h.entry as { command: string }).command)).toEqual(['HangUp']);
    expect(await stack.switchboard.sweepOutboxes()).toBe(0);

    // Past the lease, the sweep sends it again.
    expect(await sweepPastLease(stack)).toBe(1);
    const ended = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
    expect(ended.state).toBe('ended');
    await stack.callAutomation.callbacksIdle();
    expect(((await stack.switchboard.getCallHistory(callId))!.state as { stage: string; endReason: string })).toMatchObject({ stage: 'ended', endReason: 'completed' });
  });
});

describe('with the SDK retrying as deployed (three retries)', () => {
  let deployed: LocalStack;
  beforeAll(async () => {
    deployed = await startTestStack({
      overrides: { flow: testFlow({ understandings: { 'where is my order': sure('orderStatus') } }), actions, acsMaxRetries: 3 },
    });
  });
  afterAll(async () => {
    await deployed?.close();
  });

  it('a question Call Automation refuses once is sent again by the SDK: the caller hears the greeting and nothing fails', async () => {
    deployed.callAutomation.faults.inject({ status: 503, count: 1, matches: ({ path }) => path.endsWith(':recognize') });
    const placed = await deployed.callAutomation.placeCall({ from: '+14255550143', to: '+18005550100', script: [{ hangUp: true }] });
    const conversation = await deployed.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
    await deployed.callAutomation.callbacksIdle();
    expect(deployed.callAutomation.faults.pending()).toBe(0);
    expect(conversation.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text)).toEqual(['<greeting> <openQuestion>']);
    const history = (await deployed.switchboard.getCallHistory(conversation.correlationId))!.history;
    expect(history.filter((h) => h.entry.kind === 'commandFailed')).toEqual([]);
  });
});
