import { createSeededRandom, shuffleInPlace } from './seeded-random.js';
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

export interface SoftmaxRegression {
  readonly classCount: number;
  /** Unnormalised class scores; softmax of them is the model's (uncalibrated) distribution. */
  logits(x: SparseVector): Float64Array;
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
export function trainSoftmaxRegression(
  rows: readonly SparseVector[],
  labels: readonly number[],
  classCount: number,
  dimension: number,
  options: SoftmaxRegressionOptions,
): SoftmaxRegression {
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
  const weightAt = (j: number): number => {
    const w = averaged ? (sum[j] as number) / snapshots : (v[j] as number) * scale;
    // Float32 subnormals make every multiply that touches them many times slower.
    return Math.abs(w) < 1e-30 ? 0 : w;
  };
  // Sparse features: one row of class weights per feature. The trailing dense block is stored
  // class-major, so each class's score is a dot product summed in a register.
  const denseFrom = Math.min(Math.max(0, options.denseFrom ?? dimension), dimension);
  const denseSize = dimension - denseFrom;
  const sparseWeights = new Float32Array(denseFrom * C);
  for (let j = 0; j < sparseWeights.length; j += 1) sparseWeights[j] = weightAt(j);
  const denseWeights = new Float32Array(denseSize * C);
  for (let d = 0; d < denseSize; d += 1) {
    for (let c = 0; c < C; c += 1) denseWeights[c * denseSize + d] = weightAt((denseFrom + d) * C + c);
  }
  if (averaged) for (let c = 0; c < C; c += 1) bias[c] = (biasSum[c] as number) / snapshots;
  const dense = new Float64Array(denseSize);
  return {
    classCount: C,
    logits(x) {
      const out = Float64Array.from(bias);
      let hasDense = false;
      for (let k = 0; k < x.indices.length; k += 1) {
        const index = x.indices[k] as number;
        const xv = x.values[k] as number;
        if (index >= denseFrom) {
          if (!hasDense) dense.fill(0);
          hasDense = true;
          dense[index - denseFrom] = xv;
          continue;
        }
        const base = index * C;
        for (let c = 0; c < C; c += 1) out[c] = (out[c] as number) + (sparseWeights[base + c] as number) * xv;
      }
      if (hasDense) {
        for (let c = 0; c < C; c += 1) {
          const base = c * denseSize;
          let acc = 0;
          for (let d = 0; d < denseSize; d += 1) acc += (denseWeights[base + d] as number) * (dense[d] as number);
          out[c] = (out[c] as number) + acc;
        }
      }
      return out;
    },
  };
}
