// Cosmos throttling (429), brief unavailability (503) and lost answers while calls are answered
// (DESIGN.md §8): the local Cosmos answers chosen requests with the error the service sends, and
// the real Cosmos SDK and the call shell must carry every call through, each prompt heard once.
import type { CosmosFault } from '../../local/cosmos/cosmos-emulator.js';
import type { LocalStack } from '../../local/local-stack.js';
import { playCall } from '../support/played-call.js';
import { orderStatusActions, startTestStack } from '../support/test-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';

let stack: LocalStack;
const actions = orderStatusActions;
const selfService = [{ say: 'where is my order' }, { press: '123456' }, { say: 'yes' }, { say: "no that's all" }];
const heardInSelfService = ['<greeting> <openQuestion>', '<askOrderNumber>', '<confirmSlot 1 2 3, 4 5 6>', '<orderFound shipped> <anythingElse>', '<goodbye>'];
// Creating a call and saving each of its steps are transactional batches posted to the container.
const batches: CosmosFault['matches'] = ({ method, path }) => method === 'POST' && /\/colls\/calls\/docs$/.test(path);

beforeAll(async () => {
  stack = await startTestStack({
    overrides: { flow: testFlow({ understandings: { 'where is my order': sure('orderStatus') } }), actions },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function selfServiceCall(from: string) {
  const call = await playCall(stack, { from, to: '+18005550100', script: selfService });
  const deliveries = stack.callAutomation.callbackDeliveries().filter((d) => d.url.includes(call.callId));
  return {
    ...call,
    kinds: call.history.map((h) => h.entry.kind),
    redelivered: deliveries.filter((d) => d.attempts > 1).length,
    undelivered: deliveries.filter((d) => !d.delivered).length,
  };
}

describe('a call while Cosmos fails some of its requests', () => {
  it('is served as usual when Cosmos throttles its saves (429 with a retry-after): the SDK waits and tries again', async () => {
    const before = stack.cosmos.faults.served();
    stack.cosmos.faults.inject({ status: 429, count: 4, retryAfterInMs: 20, matches: batches });
    const call = await selfServiceCall('+14255550131');
    expect(stack.cosmos.faults.served() - before).toBe(4);
    expect(call.heard).toEqual(heardInSelfService);
    expect(call.endReason).toBe('appHungUp');
    expect(call.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
    expect(call.kinds.filter((k) => k === 'callerTurn')).toHaveLength(4);
  });

  it('is served as usual when Cosmos is unavailable (503) for three tries of a step\'s save: the step is tried again within its callback', async () => {
    const before = stack.cosmos.faults.served();
    // The call's creation goes through; the save of the step after it fails three times.
    stack.cosmos.faults.inject({ status: 503, count: 3, skip: 1, matches: batches });
    const call = await selfServiceCall('+14255550132');
    expect(stack.cosmos.faults.served() - before).toBe(3);
    expect(call.heard).toEqual(heardInSelfService);
    expect(call.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
    expect(call.kinds.filter((k) => k === 'callerTurn')).toHaveLength(4);
    expect(call.redelivered).toBe(0);
  });

  it("carries out a step whose save was applied but whose answer was lost, at once and once", async () => {
    const before = stack.cosmos.faults.served();
    // Batches: the call's creation, the steps of CallConnected and of the greeting's end, then the
    // caller's first answer. That save is written and its answer lost: the shell reads the call,
    // finds its own step and outbox entry there, and sends the entry's commands itself.
    stack.cosmos.faults.inject({ status: 503, count: 1, skip: 3, applied: true, matches: batches });
    const call = await selfServiceCall('+14255550133');
    expect(stack.cosmos.faults.served() - before).toBe(1);
    expect(call.heard).toEqual(heardInSelfService);
    expect(call.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
    expect(call.kinds.filter((k) => k === 'callerTurn')).toHaveLength(4);
    expect(call.redelivered).toBe(0);
  });

  it('answers a call that rings while Cosmos is unavailable once Cosmos is back', async () => {
    const before = stack.cosmos.faults.served();
    stack.cosmos.faults.inject({ status: 503, count: 4, matches: batches });
    const call = await selfServiceCall('+14255550134');
    expect(stack.cosmos.faults.served() - before).toBe(4);
    expect(call.heard).toEqual(heardInSelfService);
    expect(call.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
  });

  it('leaves a step Cosmos will not take for seconds to Call Automation\'s redelivery, and the call goes on', async () => {
    const before = stack.cosmos.faults.served();
    // Six failures: the first delivery's five waits run out, its 500 brings a redelivery that saves.
    stack.cosmos.faults.inject({ status: 503, count: 6, skip: 1, matches: batches });
    const call = await selfServiceCall('+14255550135');
    expect(stack.cosmos.faults.served() - before).toBe(6);
    expect(call.heard).toEqual(heardInSelfService);
    expect(call.state).toMatchObject({ stage: 'ended', endReason: 'completed' });
    expect(call.kinds.filter((k) => k === 'callerTurn')).toHaveLength(4);
    expect(call.redelivered).toBe(1);
    expect(call.undelivered).toBe(0);
  });
});
