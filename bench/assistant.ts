// `npm run bench -- assistant`: what the sample contact center (config/contact-center.yaml, its
// embedded classifier, the real decider) makes of callers' own words that are not among its examples
// (test/fixtures/nlu/sample-config-answers.csv, 5 per intent, on the main line in English; and
// sample-config-answers-es.csv, 3 per intent, on the Spanish line): at the open question (acted on,
// acted on wrongly, clarified, not understood), and as answers to "Did you mean A, or B?" between
// each utterance's intent and every other intent (picked right, picked wrong, handed to a person).
// Also what it makes of non-answers at the open question (sample-config-non-answers*.csv: "I dunno",
// "good morning"), which it should ask again rather than act on.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assistantFlowFromConfig } from '../bot/assistant/assistant-flow-from-config.js';
import type { CallEvent } from '../bot/call-flow/call-events.js';
import type { CallState, Decision } from '../bot/call-flow/call-state.js';
import { decideCall, startCall } from '../bot/call-flow/decide-call.js';
import { readContactCenterConfig, trainIntentClassifiers, trainingExamplesOf } from '../bot/load-assistant-flow.js';
import { DEFAULT_WORD_VECTORS_PATH, readLabelledFile, readWordVectorsFile } from '../local/cli/nlu-eval.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => join(here, '..', 'test', 'fixtures', 'nlu', name);
const CONFIG = join(here, '..', 'config', 'contact-center.yaml');
const LINES = [
  { name: 'English, main line', number: '+12125550100', languageKey: '1', answers: fixture('sample-config-answers.csv'), nonAnswers: fixture('sample-config-non-answers.csv') },
  { name: 'Spanish line', number: '+12125550123', languageKey: undefined, answers: fixture('sample-config-answers-es.csv'), nonAnswers: fixture('sample-config-non-answers-es.csv') },
] as const;
const now = new Date('2026-12-07T15:00:00Z');

export default async function assistantBench(): Promise<void> {
  const config = readContactCenterConfig(CONFIG);
  const examples = trainingExamplesOf(config);
  const classify = trainIntentClassifiers(config, await readWordVectorsFile(DEFAULT_WORD_VECTORS_PATH));
  const flow = assistantFlowFromConfig(config, classify, () => ({ open: true }));
  const personIntent = config.assistant.operator.intent;
  console.log(`sample config: ${config.intents.length} intents, ${examples.length} examples`);
  for (const line of LINES) {
    const answers = await readLabelledFile(line.answers, 'test');

  let seq = 0;
  const event = (state: CallState, text: string): CallEvent =>
    ({ kind: 'SpeechRecognized', text, confidence: 0.9, operationContext: state.pendingOperation, eventId: `e${++seq}`, occurredAt: now.toISOString() }) as CallEvent;
  // The open question: connected, then (on the main line) the language picked at the menu.
  const connected = decideCall(flow, startCall(flow, { callId: 'bench', callerId: '4:+14255550123', calledNumber: line.number }, now), { kind: 'CallConnected', callConnectionId: 'conn', eventId: 'c', occurredAt: now.toISOString() } as CallEvent, now);
  const asking =
    line.languageKey === undefined
      ? connected.state
      : decideCall(flow, connected.state, { kind: 'KeysPressed', tones: line.languageKey, operationContext: connected.state.pendingOperation, eventId: 'k', occurredAt: now.toISOString() } as CallEvent, now).state;
  /** The intent the caller ends up with: the last one accepted, or "person" for a request for one. */
  const outcome = (decision: Decision): string | undefined => {
    const accepted = decision.history.filter((h) => h.kind === 'intentDecision' && h.verdict === 'accepted').at(-1);
    if (accepted?.kind === 'intentDecision' && accepted.intent !== null) return accepted.intent;
    const routed = decision.commands.find((c) => c.kind === 'RequestRouting');
    return routed?.kind === 'RequestRouting' && routed.context.reason === 'caller asked for a person' ? personIntent : undefined;
  };

  const open = { right: 0, wrong: 0, clarified: 0, notUnderstood: 0 };
  const clarify = { right: 0, wrong: 0, person: 0, total: 0 };
  const misses = new Map<string, number>();
  for (const { text, label } of answers) {
    const decision = decideCall(flow, asking, event(asking, text), now);
    const got = outcome(decision);
    if (decision.state.stage === 'clarifying') open.clarified += 1;
    else if (got === label) open.right += 1;
    else if (got === undefined) open.notUnderstood += 1;
    else open.wrong += 1;
    for (const [i, other] of config.intents.entries()) {
      if (other.name === label) continue;
      const between = i % 2 === 0 ? [label, other.name] : [other.name, label];
      const clarifying: CallState = { ...asking, stage: 'clarifying', clarifyBetween: between, clarifications: 1, confidence: 0.5 };
      const picked = outcome(decideCall(flow, clarifying, event(clarifying, text), now));
      clarify.total += 1;
      if (picked === label) clarify.right += 1;
      else if (picked === undefined || (picked === personIntent && label !== personIntent)) clarify.person += 1;
      else {
        clarify.wrong += 1;
        const miss = `"${text}" (${label}) -> ${picked}`;
        misses.set(miss, (misses.get(miss) ?? 0) + 1);
      }
    }
  }
  const pct = (n: number, of: number): string => `${n} (${((100 * n) / of).toFixed(1)} %)`;
  const n = answers.length;
  console.log(`${line.name} (${asking.language}): ${n} answers in other words (${line.answers})`);
  console.log(`  open question: acted on the right intent ${pct(open.right, n)}, a wrong one ${pct(open.wrong, n)}, clarifying question ${pct(open.clarified, n)}, not understood ${pct(open.notUnderstood, n)}`);
  console.log(`  as the answer to "Did you mean <its intent>, or <another>?" (${clarify.total}): right ${pct(clarify.right, clarify.total)}, wrong ${pct(clarify.wrong, clarify.total)}, to a person ${pct(clarify.person, clarify.total)}`);
  for (const [miss, times] of misses) console.log(`    wrong: ${miss}, in ${times} of ${config.intents.length - 1} pairs`);

  // What callers say before saying why they call ("I dunno", "good morning"): none of it is a reason to act.
  const nonAnswers = readFileSync(line.nonAnswers, 'utf8').trim().split('\n').slice(1);
  const heard = { actedOn: 0, clarified: 0, askedAgain: 0 };
  const actedOn: string[] = [];
  for (const text of nonAnswers) {
    const decision = decideCall(flow, asking, event(asking, text), now);
    const got = outcome(decision);
    if (decision.state.stage === 'clarifying') heard.clarified += 1;
    else if (got === undefined) heard.askedAgain += 1;
    else {
      heard.actedOn += 1;
      actedOn.push(`"${text}" -> ${got}`);
    }
  }
  const m = nonAnswers.length;
  console.log(`  ${m} non-answers (${line.nonAnswers}): asked again ${pct(heard.askedAgain, m)}, clarifying question ${pct(heard.clarified, m)}, acted on ${pct(heard.actedOn, m)}${actedOn.length > 0 ? `: ${actedOn.join(', ')}` : ''}`);
  }
}
