import { createSeededRandom, shuffleInPlace } from './seeded-random.js';
import { packLinearModel, type LinearModel, type LinearWeights } from './linear-model.js';
import type { SparseVector } from './text-featurizer.js';

export interface SoftmaxRegressionOptions {
  readonly epochs: number;
  /** L2 penalty per example. */
  readonly l2: number;
  readonly initialLearningRate: number;
  /**
   * "penalty": eta0 / (1 + eta0 * l2 * t), the classic schedule for L2-regularised SGD;
   * "epoch": eta0 / (1 + epoch), which anneals faster when the penalty is small.
   */
  readonly learningRateSchedule: 'penalty' | 'epoch';
  /** The model is the mean of the weights at the end of each of the last N epochs (0: the final ones). */
  readonly averageLastEpochs: number;
  readonly seed: number;
  /** Features from this index on form a dense block (present together or not at all). */
  readonly denseFrom?: number;
}


const NEGLIGIBLE_GRADIENT = 1e-5;

export function softmaxInPlace(logits: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < logits.length; c += 1) {
    const e = Math.exp(((logits[c] as number) - max) / temperature);
    logits[c] = e;
    sum += e;
  }
  for (let c = 0; c < logits.length; c += 1) logits[c] = (logits[c] as number) / sum;
  return logits;
}

/**
 * Multinomial logistic regression by plain SGD with an L2 penalty. The penalty is applied through a
 * single scale factor on the weights (w = scale * v), so each step costs only the example's non-zero
 * features times the classes, not the whole weight matrix. Learning rate decays as
 * eta0 / (1 + eta0 * l2 * t), the schedule for which this objective's SGD converges.
 */
export function fitSoftmaxRegression(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classCount: number,
  dimension: number,
  options: SoftmaxRegressionOptions,
): LinearWeights {
  const C = classCount;
  const v = new Float64Array(dimension * C);
  const bias = new Float64Array(C);
  let scale = 1;
  const random = createSeededRandom(options.seed);
  const order = rows.map((_, i) => i);
  const scores = new Float64Array(C);
  const active = new Int32Array(C);
  let t = 0;
  const averageFrom = options.averageLastEpochs > 0 ? Math.max(0, options.epochs - options.averageLastEpochs) : options.epochs;
  const sum = new Float64Array(averageFrom < options.epochs ? v.length : 0);
  const biasSum = new Float64Array(C);
  let snapshots = 0;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const i of order) {
      const x = rows[i] as SparseVector;
      const y = labels[i] as number;
      scores.set(bias);
      for (let k = 0; k < x.indices.length; k += 1) {
        const base = (x.indices[k] as number) * C;
        const xv = (x.values[k] as number) * scale;
        for (let c = 0; c < C; c += 1) scores[c] = (scores[c] as number) + (v[base + c] as number) * xv;
      }
      softmaxInPlace(scores);
      scores[y] = (scores[y] as number) - 1;
      const eta =
        options.learningRateSchedule === 'epoch'
          ? options.initialLearningRate / (1 + t / rows.length)
          : options.initialLearningRate / (1 + options.initialLearningRate * options.l2 * t);
      t += 1;
      scale *= 1 - eta * options.l2;
      const step = eta / scale;
      // Classes whose gradient is negligible are skipped: once the model fits, most are.
      let activeCount = 0;
      for (let c = 0; c < C; c += 1) {
        const g = scores[c] as number;
        if (g > NEGLIGIBLE_GRADIENT || g < -NEGLIGIBLE_GRADIENT) active[activeCount++] = c;
      }
      for (let k = 0; k < x.indices.length; k += 1) {
        const base = (x.indices[k] as number) * C;
        const xv = (x.values[k] as number) * step;
        for (let a = 0; a < activeCount; a += 1) {
          const c = active[a] as number;
          v[base + c] = (v[base + c] as number) - (scores[c] as number) * xv;
        }
      }
      for (let c = 0; c < C; c += 1) bias[c] = (bias[c] as number) - eta * (scores[c] as number);
      if (scale < 1e-9) {
        for (let j = 0; j < v.length; j += 1) v[j] = (v[j] as number) * scale;
        scale = 1;
      }
    }
    if (epoch >= averageFrom) {
      for (let j = 0; j < v.length; j += 1) sum[j] = (sum[j] as number) + (v[j] as number) * scale;
      for (let c = 0; c < C; c += 1) biasSum[c] = (biasSum[c] as number) + (bias[c] as number);
      snapshots += 1;
    }
  }
  const averaged = snapshots > 0;
  const weights = new Float64Array(v.length);
  for (let j = 0; j < v.length; j += 1) weights[j] = averaged ? (sum[j] as number) / snapshots : (v[j] as number) * scale;
  if (averaged) for (let c = 0; c < C; c += 1) bias[c] = (biasSum[c] as number) / snapshots;
  return { weights, bias };
}

/** A trained softmax regression, packed for scoring; softmax of its logits is its distribution. */
export function trainSoftmaxRegression(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classCount: number,
  dimension: number,
  options: SoftmaxRegressionOptions,
): LinearModel {
  return packLinearModel(fitSoftmaxRegression(rows, labels, classCount, dimension, options), classCount, dimension, options.denseFrom);
}
