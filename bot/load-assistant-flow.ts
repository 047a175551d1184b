import { readFileSync } from 'node:fs';
import { HttpActionRunner } from './adapters/http-action-runner.js';
import { assistantFlowFromConfig } from './assistant/assistant-flow-from-config.js';
import { isOpen } from './assistant/business-hours.js';
import { parseContactCenterConfig, type ContactCenterConfig } from './assistant/contact-center-config.js';
import { trainIntentClassifier } from './assistant/nlu/train-intent-classifier.js';
import { OUT_OF_SCOPE_LABEL, type IntentPrediction, type LabelledUtterance } from './assistant/nlu/intent-classifier.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors, type WordVectors } from './assistant/nlu/word-vectors.js';
import type { AssistantFlow } from './call-flow/assistant-flow.js';
import { holdToneUrl } from './media/hold-tone.js';
import type { Settings } from './config.js';
import type { ActionRunner } from './ports.js';

export class ContactCenterConfigError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(`Invalid contact-center configuration:\n  ${lines.join('\n  ')}`);
    this.name = 'ContactCenterConfigError';
  }
}

/** Reads and validates the contact-center YAML; throws naming file, line and field of every error. */
export function readContactCenterConfig(file: string): ContactCenterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ContactCenterConfigError([`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  const result = parseContactCenterConfig(text, file);
  if (!result.ok) throw new ContactCenterConfigError(result.errors.map((e) => `${e.file}:${e.line}:${e.column}  ${e.path}  ${e.message}`));
  return result.config;
}

let wordVectors: WordVectors | undefined;

/** The word vectors shipped with the app (read once per process, about 30 ms). */
function bundledWordVectors(): WordVectors {
  wordVectors ??= decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));
  return wordVectors;
}

/** What the embedded classifier learns from a config: every intent's examples in all languages, and its out-of-scope ones. */
export function trainingExamplesOf(config: ContactCenterConfig, language?: string): LabelledUtterance[] {
  const inLanguage = <T>(byLanguage: Readonly<Record<string, readonly T[]>>): T[] =>
    language === undefined ? Object.values(byLanguage).flat() : [...(byLanguage[language] ?? [])];
  return [
    ...config.intents.flatMap((intent) => inLanguage(intent.examples).map((text) => ({ text, label: intent.name }))),
    ...inLanguage(config.outOfScopeExamples).map((text) => ({ text, label: OUT_OF_SCOPE_LABEL })),
  ];
}

/**
 * One classifier per language whose examples cover every intent (callers are understood against
 * their own language's examples only, with confidence calibrated on them); the others share one
 * trained on every language's examples.
 */
export function trainIntentClassifiers(config: ContactCenterConfig, wordVectors: WordVectors): (text: string, language: string) => IntentPrediction {
  const own = new Map(
    config.languages
      .filter((l) => hasOwnClassifier(config, l.code))
      .map((l) => [l.code, trainIntentClassifier(trainingExamplesOf(config, l.code), { wordVectors })] as const),
  );
  // Trained only when some language needs it; a call in a language the config lacks uses the default's.
  const fallback = own.size === config.languages.length ? own.get(config.defaultLanguage) : undefined;
  const shared = fallback ?? trainIntentClassifier(trainingExamplesOf(config), { wordVectors });
  return (text, language) => (own.get(language) ?? shared).classify(text);
}

/** Examples every intent needs in a language for that language to get a classifier of its own. */
const minOwnExamples = 15;

/** Whether callers in `language` get a classifier of its own (else the one trained on every language). */
export function hasOwnClassifier(config: ContactCenterConfig, language: string): boolean {
  return config.intents.every((intent) => (intent.examples[language]?.length ?? 0) >= minOwnExamples);
}

/**
 * Builds the assistant from CONTACT_CENTER_CONFIG_FILE: trains the intent classifiers on the
 * config's examples (see trainIntentClassifiers; out-of-scope examples included) and wires the action runner.
 */
export function loadAssistantFlow(
  settings: Settings,
  given: { flow?: AssistantFlow; actions?: ActionRunner; config?: ContactCenterConfig } = {},
): { flow: AssistantFlow; actions: ActionRunner; servedNumbers: ReadonlySet<string> | undefined; config: ContactCenterConfig | undefined } {
  if (given.flow && given.actions && !given.config) return { flow: given.flow, actions: given.actions, servedNumbers: undefined, config: undefined };
  const config = given.config ?? readContactCenterConfig(settings.CONTACT_CENTER_CONFIG_FILE);
  const classify = trainIntentClassifiers(config, bundledWordVectors());
  const schedules = new Map(Object.entries(config.businessHours));
  const flow =
    given.flow ??
    assistantFlowFromConfig(
      config,
      classify,
      (name, now) => {
        const schedule = schedules.get(name);
        return schedule === undefined ? { open: true } : isOpen(schedule, now);
      },
      { builtInHoldMusicUrl: holdToneUrl(settings.CALLBACK_BASE_URL) },
    );
  const knownSettings: Readonly<Record<string, string | undefined>> = { ORDER_BACKEND_URL: settings.ORDER_BACKEND_URL };
  const actions = given.actions ?? new HttpActionRunner(config, (name) => knownSettings[name] ?? process.env[name]);
  return { flow, actions, servedNumbers: given.flow ? undefined : new Set(config.numbers.map((n) => n.number)), config };
}
