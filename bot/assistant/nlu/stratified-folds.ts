import type { LabelledUtterance } from './intent-classifier.js';
import { createSeededRandom, shuffleInPlace } from './seeded-random.js';

/**
 * The fold (0 .. folds - 1) of each example, stratified: each label's examples, in a seeded random
 * order, are dealt round-robin to the folds, so every fold holds about the same share of each label.
 */
export function stratifiedFolds(examples: readonly LabelledUtterance[], folds: number, seed: number): Int32Array {
  const order = shuffleInPlace(
    examples.map((_, i) => i),
    createSeededRandom(seed ^ 0x5eed),
  );
  const byLabel = new Map<string, number[]>();
  for (const i of order) {
    const label = (examples[i] as LabelledUtterance).label;
    const list = byLabel.get(label) ?? [];
    list.push(i);
    byLabel.set(label, list);
  }
  const foldOf = new Int32Array(examples.length);
  let next = 0;
  for (const list of byLabel.values()) for (const i of list) foldOf[i] = next++ % folds;
  return foldOf;
}
