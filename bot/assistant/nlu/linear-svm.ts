import type { LinearWeights } from './linear-model.js';
import { createSeededRandom, shuffleInPlace } from './seeded-random.js';
import type { SparseVector } from './text-featurizer.js';

export interface LinearSvmOptions {
  /** Cost of margin violations (liblinear's C); smaller regularises more. */
  readonly cost: number;
  readonly epochs: number;
  readonly seed: number;
}

/**
 * One-vs-rest linear SVMs with the squared hinge loss, trained by dual coordinate descent (Hsieh et
 * al., 2008): for each example and class the dual variable takes its exact one-dimensional optimum
 * clipped at zero, and the primal weights follow. All classes are updated per example so that the
 * weight rows are read once per visit. The bias is the weight of a constant feature 1 (regularised).
 */
export function fitLinearSvm(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classCount: number,
  dimension: number,
  options: LinearSvmOptions,
): LinearWeights {
  const C = classCount;
  const weights = new Float64Array(dimension * C);
  const bias = new Float64Array(C);
  const alpha = new Float64Array(rows.length * C);
  const diagonal = 1 / (2 * options.cost);
  const curvature = rows.map((x) => {
    let norm = 1;
    for (const v of x.values) norm += v * v;
    return norm + diagonal;
  });
  const margins = new Float64Array(C);
  const deltas = new Float64Array(C);
  const active = new Int32Array(C);
  const order = shuffleInPlace(
    rows.map((_, i) => i),
    createSeededRandom(options.seed ^ 0x5a3),
  );
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (const i of order) {
      const x = rows[i] as SparseVector;
      const label = labels[i] as number;
      margins.set(bias);
      for (let k = 0; k < x.indices.length; k += 1) {
        const base = (x.indices[k] as number) * C;
        const xv = x.values[k] as number;
        for (let c = 0; c < C; c += 1) margins[c] = (margins[c] as number) + (weights[base + c] as number) * xv;
      }
      const q = curvature[i] as number;
      // Most classes are far on the right side of the margin with a zero dual variable: no update.
      let activeCount = 0;
      for (let c = 0; c < C; c += 1) {
        const y = c === label ? 1 : -1;
        const a = alpha[i * C + c] as number;
        const gradient = y * (margins[c] as number) - 1 + diagonal * a;
        const next = Math.max(0, a - gradient / q);
        if (next === a) continue;
        alpha[i * C + c] = next;
        deltas[activeCount] = (next - a) * y;
        active[activeCount] = c;
        activeCount += 1;
      }
      if (activeCount === 0) continue;
      for (let k = 0; k < x.indices.length; k += 1) {
        const base = (x.indices[k] as number) * C;
        const xv = x.values[k] as number;
        for (let a = 0; a < activeCount; a += 1) {
          const c = active[a] as number;
          weights[base + c] = (weights[base + c] as number) + (deltas[a] as number) * xv;
        }
      }
      for (let a = 0; a < activeCount; a += 1) {
        const c = active[a] as number;
        bias[c] = (bias[c] as number) + (deltas[a] as number);
      }
    }
    shuffleInPlace(order, createSeededRandom(options.seed + epoch));
  }
  return { weights, bias };
}
