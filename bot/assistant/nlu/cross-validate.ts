import type { IntentClassifier, IntentPrediction, LabelledUtterance } from './intent-classifier.js';
import { stratifiedFolds } from './stratified-folds.js';

export interface CrossValidatedPrediction {
  readonly example: LabelledUtterance;
  readonly prediction: IntentPrediction;
}

/**
 * Each example classified by a model trained on the others (k folds, stratified by label): how the
 * classifier does on words it was not taught, measured from the training examples alone.
 * `measured` picks the examples to classify (all by default); every example is trained on.
 */
export function crossValidate(
  examples: readonly LabelledUtterance[],
  train: (examples: readonly LabelledUtterance[]) => IntentClassifier,
  options: { readonly folds: number; readonly seed: number; readonly measured?: (example: LabelledUtterance) => boolean },
): CrossValidatedPrediction[] {
  const foldOf = stratifiedFolds(examples, options.folds, options.seed);
  const measured = options.measured ?? (() => true);
  const out: CrossValidatedPrediction[] = [];
  for (let fold = 0; fold < options.folds; fold += 1) {
    const held = examples.filter((e, i) => foldOf[i] === fold && measured(e));
    if (held.length === 0) continue;
    const classifier = train(examples.filter((_, i) => foldOf[i] !== fold));
    for (const example of held) out.push({ example, prediction: classifier.classify(example.text) });
  }
  return out;
}
