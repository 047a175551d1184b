// With LANGUAGE_ENDPOINT set, the caller's words go to Azure AI Language (here its local stand-in,
// through the same REST call) before the decider runs; when the service fails, the embedded model
// decides and the caller never notices.
import type { Understanding } from '../../bot/call-flow/assistant-flow.js';
import type { HistoryEntry } from '../../bot/call-flow/call-state.js';
import { startLanguageEmulator, type LanguageEmulator } from '../../local/language/language-emulator.js';
import type { LocalStack } from '../../local/local-stack.js';
import { settled } from '../support/stack-settled.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { startTestStack, unusedActions } from '../support/test-stack.js';

let language: LanguageEmulator;
let stack: LocalStack;
const outOfScope: Understanding = { intent: null, confidence: 0.1, outOfScope: true, ranked: [] };

beforeAll(async () => {
  // The service knows a phrase the embedded model was never taught.
  language = await startLanguageEmulator({ classify: (text) => (text === 'where are my bananas' ? sure('orderStatus') : outOfScope) });
  stack = await startTestStack({
    settings: { LANGUAGE_ENDPOINT: language.endpoint, LANGUAGE_PROJECT: 'switchboard', LANGUAGE_DEPLOYMENT: 'production', LANGUAGE_KEY: language.key },
    overrides: { flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }), actions: unusedActions },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await language?.close();
});

async function intentsOf(script: { say: string }[]): Promise<HistoryEntry[]> {
  const placed = await stack.callAutomation.placeCall({ from: '+14255550150', to: '+12125550100', script, whenScriptEnds: 'hangUp' });
  const conversation = await stack.callAutomation.waitForCallEnd(placed.simulatedCallId, 10_000);
  await settled(stack);
  const call = await stack.switchboard.getCallHistory(conversation.correlationId);
  return call!.history.map((h) => h.entry).filter((e) => e.kind === 'intentDecision');
}

it('asks the language service about what the caller wants, and acts on its answer', async () => {
  const decisions = await intentsOf([{ say: 'where are my bananas' }]);
  expect(language.asked).toContain('where are my bananas');
  expect(decisions).toEqual([expect.objectContaining({ intent: 'orderStatus', verdict: 'accepted' })]);
});

it('falls back to the embedded model when the service fails', async () => {
  language.failNext(1);
  const decisions = await intentsOf([{ say: 'my bill is wrong' }]);
  expect(language.asked).toContain('my bill is wrong');
  expect(decisions).toEqual([expect.objectContaining({ intent: 'billing', verdict: 'accepted' })]);
});
