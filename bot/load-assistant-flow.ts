import { readFileSync } from 'node:fs';
import { HttpActionRunner } from './adapters/http-action-runner.js';
import { assistantFlowFromConfig } from './assistant/assistant-flow-from-config.js';
import { isOpen } from './assistant/business-hours.js';
import { parseContactCenterConfig, type ContactCenterConfig } from './assistant/contact-center-config.js';
import { trainIntentClassifier } from './assistant/nlu/train-intent-classifier.js';
import { OUT_OF_SCOPE_LABEL, type LabelledUtterance } from './assistant/nlu/intent-classifier.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors, type WordVectors } from './assistant/nlu/word-vectors.js';
import type { AssistantFlow } from './call-flow/assistant-flow.js';
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
export function trainingExamplesOf(config: ContactCenterConfig): LabelledUtterance[] {
  return [
    ...config.intents.flatMap((intent) => Object.values(intent.examples).flat().map((text) => ({ text, label: intent.name }))),
    ...Object.values(config.outOfScopeExamples).flat().map((text) => ({ text, label: OUT_OF_SCOPE_LABEL })),
  ];
}

/**
 * Builds the assistant from CONTACT_CENTER_CONFIG_FILE: trains the intent classifier on the
 * config's examples (all languages, plus its out-of-scope examples) and wires the action runner.
 */
export function loadAssistantFlow(
  settings: Settings,
  given: { flow?: AssistantFlow; actions?: ActionRunner; config?: ContactCenterConfig } = {},
): { flow: AssistantFlow; actions: ActionRunner; servedNumbers: ReadonlySet<string> | undefined; config: ContactCenterConfig | undefined } {
  if (given.flow && given.actions && !given.config) return { flow: given.flow, actions: given.actions, servedNumbers: undefined, config: undefined };
  const config = given.config ?? readContactCenterConfig(settings.CONTACT_CENTER_CONFIG_FILE);
  const classifier = trainIntentClassifier(trainingExamplesOf(config), { wordVectors: bundledWordVectors() });
  const schedules = new Map(Object.entries(config.businessHours));
  const flow =
    given.flow ??
    assistantFlowFromConfig(
      config,
      (text) => classifier.classify(text),
      (name, now) => {
        const schedule = schedules.get(name);
        return schedule === undefined ? { open: true } : isOpen(schedule, now);
      },
    );
  const knownSettings: Readonly<Record<string, string | undefined>> = { ORDER_BACKEND_URL: settings.ORDER_BACKEND_URL };
  const actions = given.actions ?? new HttpActionRunner(config, (name) => knownSettings[name] ?? process.env[name]);
  return { flow, actions, servedNumbers: given.flow ? undefined : new Set(config.numbers.map((n) => n.number)), config };
}
