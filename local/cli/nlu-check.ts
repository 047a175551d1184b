import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { crossValidate, type CrossValidatedPrediction } from '../../bot/assistant/nlu/cross-validate.js';
import { OUT_OF_SCOPE_LABEL } from '../../bot/assistant/nlu/intent-classifier.js';
import { trainIntentClassifier } from '../../bot/assistant/nlu/train-intent-classifier.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors, type WordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import type { ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import { hasOwnClassifier, trainingExamplesOf } from '../../bot/load-assistant-flow.js';
import { readConfigArgument } from './read-config-argument.js';

const usage = `Usage: switchboard nlu check [config file] [--folds N] [--min-accuracy PERCENT]

  How well the assistant tells the config's intents apart, from its examples alone: each example is
  classified by a classifier trained, as the app trains it, on the other examples (N-fold
  cross-validation, 5 by default). Per language: the share of examples whose own intent comes first,
  the weakest intents, the pairs of intents most often taken for each other, with examples, and the
  out-of-scope examples taken for an intent (near misses, which make callers harder to turn away).
  Each example is judged by a classifier taught 1/N fewer examples than the app's, so the share is
  a pessimistic one; what it is for is finding the intents whose examples need work.
  The config defaults to config/contact-center.yaml.
  Exit status: 0 checked, 1 a language below --min-accuracy, 2 usage error or invalid config.
`;

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** What cross-validation says about one language's examples. */
export interface LanguageCheck {
  readonly language: string;
  readonly ownClassifier: boolean;
  readonly examples: number;
  /** Share of in-scope examples whose own intent ranks first. */
  readonly accuracy: number;
  /** Share of in-scope examples taken as out of scope. */
  readonly outOfScope: number;
  /** Share of the out-of-scope examples taken as out of scope; undefined without any. */
  readonly outOfScopeCaught: number | undefined;
  /** Out-of-scope examples taken for an intent, the surest first: the near misses that push the out-of-scope threshold up. */
  readonly outOfScopeMissed: readonly { readonly text: string; readonly takenFor: string; readonly confidence: number }[];
  readonly intents: readonly { readonly intent: string; readonly examples: number; readonly right: number }[];
  readonly confusions: readonly { readonly intent: string; readonly takenFor: string; readonly count: number; readonly samples: readonly string[] }[];
}

/** Cross-validates every language's examples the way the app trains its classifiers. */
export function checkIntentExamples(config: ContactCenterConfig, wordVectors: WordVectors, options: { readonly folds: number; readonly seed?: number }): LanguageCheck[] {
  const train = (examples: readonly { text: string; label: string }[]) => trainIntentClassifier(examples, { wordVectors });
  const seed = options.seed ?? 1;
  let shared: CrossValidatedPrediction[] | undefined;
  return config.languages.map(({ code }) => {
    const own = hasOwnClassifier(config, code);
    const inLanguage = new Set(trainingExamplesOf(config, code).map((e) => e.text));
    // A language without its own classifier is judged by the shared one, cross-validated on every language's examples.
    const predictions = own
      ? crossValidate(trainingExamplesOf(config, code), train, { folds: options.folds, seed })
      : (shared ??= crossValidate(trainingExamplesOf(config), train, { folds: options.folds, seed })).filter((p) => inLanguage.has(p.example.text));
    const inScope = predictions.filter((p) => p.example.label !== OUT_OF_SCOPE_LABEL);
    const outOfScope = predictions.filter((p) => p.example.label === OUT_OF_SCOPE_LABEL);
    const first = (p: CrossValidatedPrediction) => p.prediction.ranked[0]?.intent;
    const intents = config.intents.map(({ name }) => {
      const of = inScope.filter((p) => p.example.label === name);
      return { intent: name, examples: of.length, right: of.filter((p) => first(p) === name).length };
    });
    const pairs = new Map<string, { intent: string; takenFor: string; count: number; samples: string[] }>();
    for (const p of inScope) {
      const takenFor = first(p);
      if (takenFor === undefined || takenFor === p.example.label) continue;
      const key = `${p.example.label}\u0000${takenFor}`;
      const pair = pairs.get(key) ?? { intent: p.example.label, takenFor, count: 0, samples: [] };
      pair.count += 1;
      if (pair.samples.length < 2) pair.samples.push(p.example.text);
      pairs.set(key, pair);
    }
    return {
      language: code,
      ownClassifier: own,
      examples: inScope.length,
      accuracy: inScope.length === 0 ? 0 : inScope.filter((p) => first(p) === p.example.label).length / inScope.length,
      outOfScope: inScope.length === 0 ? 0 : inScope.filter((p) => p.prediction.outOfScope).length / inScope.length,
      outOfScopeCaught: outOfScope.length === 0 ? undefined : outOfScope.filter((p) => p.prediction.outOfScope).length / outOfScope.length,
      outOfScopeMissed: outOfScope
        .filter((p) => !p.prediction.outOfScope && p.prediction.intent !== null)
        .map((p) => ({ text: p.example.text, takenFor: p.prediction.intent as string, confidence: p.prediction.confidence }))
        .sort((a, b) => b.confidence - a.confidence),
      intents: intents.filter((i) => i.examples > 0).sort((a, b) => a.right / a.examples - b.right / b.examples),
      confusions: [...pairs.values()].sort((a, b) => b.count - a.count),
    };
  });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** `switchboard nlu check`; `args` are the words after `check`. */
export async function nluCheck(args: string[], io: CliOutput = consoleOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { folds: { type: 'string' }, 'min-accuracy': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(usage);
    return 0;
  }
  const folds = Number(parsed.values.folds ?? 5);
  const minAccuracy = parsed.values['min-accuracy'] === undefined ? undefined : Number(parsed.values['min-accuracy']);
  if (!Number.isInteger(folds) || folds < 2 || folds > 20) {
    io.err(`--folds must be a whole number from 2 to 20, got "${parsed.values.folds}".\n\n${usage}`);
    return 2;
  }
  if (minAccuracy !== undefined && !(minAccuracy >= 0 && minAccuracy <= 100)) {
    io.err(`--min-accuracy must be a percentage from 0 to 100, got "${parsed.values['min-accuracy']}".\n\n${usage}`);
    return 2;
  }
  if (parsed.positionals.length > 1) {
    io.err(`Expected at most one config file.\n\n${usage}`);
    return 2;
  }
  const file = parsed.positionals[0] ?? 'config/contact-center.yaml';
  const config = readConfigArgument(file, io.err);
  if (!config) return 2;
  const wordVectors = decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));
  const checks = checkIntentExamples(config, wordVectors, { folds });
  let below = false;
  for (const check of checks) {
    const model = check.ownClassifier ? 'its own classifier' : 'the classifier shared by every language';
    io.out(`${file}: ${check.language} (${model}), ${check.examples} examples, ${folds}-fold cross-validated:`);
    const caught = check.outOfScopeCaught === undefined ? '' : `; out-of-scope examples caught: ${pct(check.outOfScopeCaught)}`;
    io.out(`  the example's own intent first: ${pct(check.accuracy)}; taken as out of scope: ${pct(check.outOfScope)}${caught}`);
    const weakest = check.intents.slice(0, 3).map((i) => `${i.intent} ${i.right}/${i.examples}`);
    io.out(`  weakest intents: ${weakest.join(', ')}`);
    for (const c of check.confusions.slice(0, 5)) {
      io.out(`  ${c.intent} taken for ${c.takenFor}: ${c.count} (${c.samples.map((s) => `"${s}"`).join(', ')})`);
    }
    if (check.outOfScopeMissed.length > 0) {
      const nearest = check.outOfScopeMissed.slice(0, 3).map((m) => `"${m.text}" -> ${m.takenFor} (${m.confidence.toFixed(2)})`);
      io.out(`  out-of-scope examples taken for an intent, nearest first: ${nearest.join(', ')}`);
    }
    if (minAccuracy !== undefined && check.accuracy * 100 < minAccuracy) {
      below = true;
      io.out(`  below --min-accuracy ${minAccuracy} %: add examples to the weakest intents, or make the confused pairs' examples more distinct.`);
    }
  }
  return below ? 1 : 0;
}
