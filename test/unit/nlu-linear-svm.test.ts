import { packLinearModel } from '../../bot/assistant/nlu/linear-model.js';
import { fitLinearSvm } from '../../bot/assistant/nlu/linear-svm.js';
import type { SparseVector } from '../../bot/assistant/nlu/text-featurizer.js';

const row = (entries: [number, number][]): SparseVector => ({
  indices: Int32Array.from(entries.map((e) => e[0])),
  values: Float64Array.from(entries.map((e) => e[1])),
});

describe('the one-vs-rest linear SVM', () => {
  // Three classes, each marked by its own feature, with a shared noisy feature 3 and a dense block 4-5.
  const rows = [
    row([[0, 1], [3, 0.5], [4, 0.1], [5, 0.2]]),
    row([[0, 0.8], [4, 0.3], [5, 0.1]]),
    row([[1, 1], [3, 0.5], [4, 0.2], [5, 0.2]]),
    row([[1, 0.9], [4, 0.1], [5, 0.3]]),
    row([[2, 1], [3, 0.5], [4, 0.2], [5, 0.1]]),
    row([[2, 0.7], [4, 0.3], [5, 0.3]]),
  ];
  const labels = [0, 0, 1, 1, 2, 2];

  it('separates classes that are linearly separable, with a margin', () => {
    const weights = fitLinearSvm(rows, labels, 3, 6, { cost: 10, epochs: 50, seed: 1 });
    const model = packLinearModel(weights, 3, 6, 4);
    rows.forEach((x, i) => {
      const scores = model.logits(x);
      const best = scores.indexOf(Math.max(...scores));
      expect(best).toBe(labels[i]);
      expect(scores[best]).toBeGreaterThan(0.5);
    });
  });

  it('is deterministic for a given seed', () => {
    const a = fitLinearSvm(rows, labels, 3, 6, { cost: 1, epochs: 5, seed: 3 });
    const b = fitLinearSvm(rows, labels, 3, 6, { cost: 1, epochs: 5, seed: 3 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });
});
