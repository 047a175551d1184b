// A caller's erasure request through the whole local Azure: an admin names their phone number, and
// every ended call from it keeps its record without what they said, keyed or left as a message;
// a call still going on is left alone and named.
import { apiRoles } from '../../bot/api-access.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import type { LocalStack } from '../../local/local-stack.js';
import { apiFetch } from '../support/api-fetch.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { startTestStack, unusedActions } from '../support/test-stack.js';

const recordingsContainerUrl = 'https://stswbdlocal.blob.core.windows.net/recordings';
const caller = '+14255550177';
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    settings: { RECORDINGS_CONTAINER_URL: recordingsContainerUrl },
    overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }),
      actions: unusedActions,
      // Nobody is signed in: "0" leads to the general queue's voicemail.
      queues: [parseQueueDefinition({ queueId: 'general', name: 'General', overflow: { whenNoAgentsLoggedIn: { action: { kind: 'voicemail' } } } }), parseQueueDefinition({ queueId: 'billing', name: 'Billing' })],
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

const settled = () => stackSettled(stack);
const erase = (body: unknown, as?: Parameters<typeof apiFetch>[3]) => apiFetch(stack, 'personal-data/erase', { method: 'POST', body: JSON.stringify(body) }, as);
const historyText = async (callId: string) => JSON.stringify(await stack.switchboard.getCallHistory(callId));

describe('erasing a caller’s personal data', () => {
  it('keeps the record of their ended calls without their number, words, keys or message, names the recordings to delete, and leaves a call in progress', async () => {
    // Billing has nobody either: this caller waits, then hangs up.
    const said = await stack.callAutomation.placeCall({ from: caller, to: '+12125550100', script: [{ say: 'my bill is wrong' }], whenScriptEnds: 'wait' });
    await settled();
    stack.callAutomation.hangUp(said.simulatedCallId);
    const spoken = (await stack.callAutomation.waitForCallEnd(said.simulatedCallId, 10_000)).correlationId;
    const left = await stack.callAutomation.placeCall({ from: caller, to: '+12125550100', script: [{ press: '0' }, { press: '#' }] });
    const voicemail = (await stack.callAutomation.waitForCallEnd(left.simulatedCallId, 10_000)).correlationId;
    await settled();
    const ongoing = await stack.callAutomation.placeCall({ from: caller, to: '+12125550100', script: [], whenScriptEnds: 'wait' });
    await settled();
    const inProgress = stack.callAutomation.getConversation(ongoing.simulatedCallId)!.correlationId;
    expect(await historyText(spoken)).toContain('my bill is wrong');
    expect(await historyText(voicemail)).toContain(caller);

    // Only an admin may; a bad request says what is wrong.
    expect((await erase({ phoneNumber: caller }, { objectId: 'sup', roles: [apiRoles.supervisor] })).status).toBe(403);
    expect((await erase({ phoneNumber: '4255550177' })).status).toBe(400);

    const response = await erase({ phoneNumber: caller });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { erased: string[]; notYet: { callId: string; reason: string }[]; recordings: string[] };
    expect(result.erased.sort()).toEqual([spoken, voicemail].sort());
    expect(result.notYet).toEqual([{ callId: inProgress, reason: expect.stringMatching(/^the call is \w+: erase it once it has ended$/) }]);
    expect(result.recordings).toEqual([expect.stringMatching(new RegExp(`^${recordingsContainerUrl}/`))]);

    for (const callId of [spoken, voicemail]) {
      const text = await historyText(callId);
      expect(text).not.toContain(caller.slice(2));
      expect(text).not.toContain('my bill is wrong');
      const stored = (await stack.switchboard.getCallHistory(callId))!;
      // The record stays: how the call went, and that its personal data was erased.
      expect(stored.history.map((h) => h.entry)).toContainEqual({ kind: 'personalDataErased' });
      expect(stored.history.some((h) => h.entry.kind === 'stageChanged')).toBe(true);
      expect((stored.state as { stage: string }).stage).toBe('ended');
    }
    expect(await historyText(spoken)).toContain('intentDecision');
    // The call still going on is untouched; it is erased once it has ended.
    expect(await historyText(inProgress)).toContain(caller);
    stack.callAutomation.hangUp(ongoing.simulatedCallId);
    await settled();
    expect(await (await erase({ callId: inProgress })).json()).toMatchObject({ erased: [inProgress] });
    expect(await historyText(inProgress)).not.toContain(caller.slice(2));
    expect((await erase({ callId: 'no-such-call' })).status).toBe(404);
    // Nothing is left to find by the number.
    expect(await (await erase({ phoneNumber: caller })).json()).toEqual({ erased: [], notYet: [], recordings: [] });
  });
});
