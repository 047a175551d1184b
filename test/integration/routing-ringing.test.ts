// The caller hangs up while the agent's Teams client is ringing: the invitation is cancelled and
// the agent released. Invitations here ring for real (the ring time is not shortened), so the
// agent is still ringing when the caller leaves; nothing waits for the ring time to pass.
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { Agent } from '../../bot/routing/routing-types.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack } from '../support/test-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { apiFetch } from '../support/api-fetch.js';

let stack: LocalStack;
const ava = { agentId: 'ava', teamsUserId: '00000000-0000-4000-8000-000000000a0a', displayName: 'Ava', skills: { billing: 4 }, queueIds: ['billing'], ringBehaviour: { kind: 'accept' as const, afterMs: 600_000 } };
const settled = () => stackSettled(stack);

beforeAll(async () => {
  stack = await startTestStack({
        callTiming: { invitationTimeoutScale: 1 },
    overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }),
      actions: { run: async () => ({ status: 'failed', reason: 'not used' }) },
      queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', ringTimeInSeconds: 30, announcementIntervalInSeconds: 0 }), parseQueueDefinition({ queueId: 'general', name: 'General' })],
    },
    agents: [ava],
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

it('the caller hanging up while the agent rings cancels the invitation and frees the agent', async () => {
  const placed = await stack.callAutomation.placeCall({ from: '+14255550150', to: '+12125550100', script: [{ say: 'my bill is wrong' }], whenScriptEnds: 'wait' });
  await settled();
  const ringing = stack.callAutomation.listInvitations(ava.teamsUserId).filter((i) => i.state === 'ringing');
  expect(ringing).toHaveLength(1);
  const agents = async () => ((await (await apiFetch(stack, `agents`)).json()) as { value: Agent[] }).value;
  expect((await agents())[0]?.offer).not.toBeNull();

  stack.callAutomation.hangUp(placed.simulatedCallId);
  await settled();
  const after = (await agents())[0]!;
  expect(after.offer).toBeNull();
  expect(after.state).toBe('ready');
  expect(stack.callAutomation.listInvitations(ava.teamsUserId).filter((i) => i.state === 'ringing')).toEqual([]);
  const history = await stack.switchboard.getCallHistory(stack.callAutomation.getConversation(placed.simulatedCallId)!.correlationId);
  expect((history!.state as { endReason: string }).endReason).toBe('callerHungUp');
});
