// A call all the way through the local Azure: Event Grid IncomingCall -> incoming-call answers via
// the real Call Automation SDK -> signed callbacks -> call-events -> decider -> Cosmos (real SDK).
import type { LocalStack } from '../../local/local-stack.js';
import { orderStatusActions, startTestStack } from '../support/test-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
const actions = orderStatusActions;

beforeAll(async () => {
  stack = await startTestStack({
        overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing'), 'where is my order': sure('orderStatus') } }),
      actions,
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function historyOf(callId: string) {
  await stack.callAutomation.callbacksIdle();
  const response = await apiFetch(stack, `calls/${callId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { state: { stage: string; endReason: string }; history: { entry: { kind: string; [k: string]: unknown } }[] };
}

describe('a call through the local Azure', () => {
  it('is answered, greeted, served by self-service and ended; its history is in Cosmos', async () => {
    const placed = await stack.callAutomation.placeCall({
      from: '+14255550123',
      to: '+18005550100',
      script: [{ say: 'where is my order' }, { press: '123456' }, { say: 'yes' }, { say: "no that's all" }],
    });
    expect(placed.incomingCallDelivered).toBe(true);
    const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
    const heard = conversation.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
    expect(heard).toEqual(['<greeting> <openQuestion>', '<askOrderNumber>', '<confirmSlot 1 2 3, 4 5 6>', '<orderFound shipped> <anythingElse>', '<goodbye>']);
    expect(conversation.endReason).toBe('appHungUp');

    const { state, history } = await historyOf(conversation.correlationId);
    expect(state.stage).toBe('ended');
    expect(state.endReason).toBe('completed');
    const kinds = history.map((h) => h.entry.kind);
    expect(kinds[0]).toBe('callReceived');
    expect(kinds).toEqual(expect.arrayContaining(['callerTurn', 'intentDecision', 'actionResult', 'callEnded']));
  });

  it('an escalation to a queue routing does not know hears a clear message and ends cleanly', async () => {
    const placed = await stack.callAutomation.placeCall({ from: '+14255550124', to: '+18005550100', script: [{ say: 'my bill is wrong' }] });
    const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
    const heard = conversation.entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string }).text);
    expect(heard).toEqual(['<greeting> <openQuestion>', '<transferring>', '<noAgentsAvailable>']);
    const { state } = await historyOf(conversation.correlationId);
    expect(state.endReason).toBe('overflow: unknownQueue');
  });

  it('the caller hanging up mid-question ends the call in history', async () => {
    const placed = await stack.callAutomation.placeCall({ from: '+14255550125', to: '+18005550100', script: [{ hangUp: true }] });
    const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
    expect(conversation.endReason).toBe('callerHungUp');
    const { state } = await historyOf(conversation.correlationId);
    expect(state.stage).toBe('ended');
    expect(state.endReason).toBe('callerHungUp');
  });

  it('answers an unsigned callback with 401 and a malformed one with 400, never a 5xx', async () => {
    const url = `${stack.functionsHost.baseUrl}/api/calls/any-call/events`;
    const unsigned = await fetch(url, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);
    const forged = await fetch(url, { method: 'POST', body: '[]', headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(forged.status).toBe(401);
  });
});
