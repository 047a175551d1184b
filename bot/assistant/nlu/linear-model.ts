import type { SparseVector, SplitFeatures } from './text-featurizer.js';

/** Class weights of a linear model, feature-major (`weights[feature * classCount + class]`). */
export interface LinearWeights {
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

export interface LinearModel {
  readonly classCount: number;
  /** Unnormalised class scores. */
  logits(x: SparseVector): Float64Array;
}

/** `a + factor * b`, for combining linear models over the same features into one. */
export function addLinearWeights(a: LinearWeights, b: LinearWeights, factor: number): LinearWeights {
  const weights = Float64Array.from(a.weights);
  for (let j = 0; j < weights.length; j += 1) weights[j] = (weights[j] as number) + factor * (b.weights[j] as number);
  const bias = Float64Array.from(a.bias);
  for (let c = 0; c < bias.length; c += 1) bias[c] = (bias[c] as number) + factor * (b.bias[c] as number);
  return { weights, bias };
}

/**
 * Packs weights for fast scoring: sparse features keep one row of class weights per feature; the
 * trailing dense block (features from `denseFrom` on, present together or not at all) is stored
 * class-major, so each class's score is a dot product summed in a register.
 */
export function packLinearModel(model: LinearWeights, classCount: number, dimension: number, denseFrom: number | undefined): LinearModel {
  const C = classCount;
  const weightAt = (j: number): number => {
    const w = model.weights[j] as number;
    // Float32 subnormals make every multiply that touches them many times slower.
    return Math.abs(w) < 1e-30 ? 0 : w;
  };
  const from = Math.min(Math.max(0, denseFrom ?? dimension), dimension);
  const denseSize = dimension - from;
  const sparseWeights = new Float32Array(from * C);
  for (let j = 0; j < sparseWeights.length; j += 1) sparseWeights[j] = weightAt(j);
  const denseWeights = new Float32Array(denseSize * C);
  for (let d = 0; d < denseSize; d += 1) {
    for (let c = 0; c < C; c += 1) denseWeights[c * denseSize + d] = weightAt((from + d) * C + c);
  }
  const bias = Float64Array.from(model.bias);
  const dense = new Float64Array(denseSize);
  return {
    classCount: C,
    logits(x) {
      const out = Float64Array.from(bias);
      let hasDense = false;
      for (let k = 0; k < x.indices.length; k += 1) {
        const index = x.indices[k] as number;
        const xv = x.values[k] as number;
        if (index >= from) {
          if (!hasDense) dense.fill(0);
          hasDense = true;
          dense[index - from] = xv;
          continue;
        }
        const base = index * C;
        for (let c = 0; c < C; c += 1) out[c] = (out[c] as number) + (sparseWeights[base + c] as number) * xv;
      }
      if (hasDense) {
        // Four independent sums: the dense block is most of the prediction time.
        const unrolled = denseSize - (denseSize % 4);
        for (let c = 0; c < C; c += 1) {
          const base = c * denseSize;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let d = 0; d < unrolled; d += 4) {
            a0 += (denseWeights[base + d] as number) * (dense[d] as number);
            a1 += (denseWeights[base + d + 1] as number) * (dense[d + 1] as number);
            a2 += (denseWeights[base + d + 2] as number) * (dense[d + 2] as number);
            a3 += (denseWeights[base + d + 3] as number) * (dense[d + 3] as number);
          }
          for (let d = unrolled; d < denseSize; d += 1) a0 += (denseWeights[base + d] as number) * (dense[d] as number);
          out[c] = (out[c] as number) + (a0 + a1 + (a2 + a3));
        }
      }
      return out;
    },
  };
}

/** Per-word class scores remembered by a split model; beyond this many words the memory starts over. */
const WORD_SCORE_CACHE_SIZE = 20_000;

export interface SplitLinearModel {
  readonly classCount: number;
  /** The same logits as the full model's for the unsplit features. */
  logits(x: SplitFeatures): Float64Array;
}

/**
 * Packs weights whose features hold a mean-of-word-vectors block (`meanDimensions` features from
 * `meanFrom`) for scoring split features: the block's contribution, W * (scale * sum(weight *
 * vector)), is computed as scale * sum(weight * (W * vector)), with W * vector remembered per word.
 * Everything else is scored as packLinearModel does, with the features after the block as its dense
 * block.
 */
export function packSplitLinearModel(
  model: LinearWeights,
  classCount: number,
  dimension: number,
  meanFrom: number,
  meanDimensions: number,
): SplitLinearModel {
  const C = classCount;
  const D = meanDimensions;
  const rest = packLinearModel(model, C, dimension, meanFrom + D);
  const meanWeights = new Float32Array(C * D);
  for (let d = 0; d < D; d += 1) for (let c = 0; c < C; c += 1) meanWeights[c * D + d] = model.weights[(meanFrom + d) * C + c] as number;
  const wordScores = new Map<string, Float32Array>();
  const scoresOf = (token: string, vector: Float32Array): Float32Array => {
    const known = wordScores.get(token);
    if (known !== undefined) return known;
    const scores = new Float32Array(C);
    for (let c = 0; c < C; c += 1) {
      const base = c * D;
      let sum = 0;
      for (let d = 0; d < D; d += 1) sum += (meanWeights[base + d] as number) * (vector[d] as number);
      scores[c] = sum;
    }
    if (wordScores.size >= WORD_SCORE_CACHE_SIZE) wordScores.clear();
    wordScores.set(token, scores);
    return scores;
  };
  return {
    classCount: C,
    logits(x) {
      const out = rest.logits(x.rest);
      if (x.meanScale === 0) return out;
      for (const word of x.meanWords) {
        const scores = scoresOf(word.token, word.vector);
        const factor = x.meanScale * word.weight;
        for (let c = 0; c < C; c += 1) out[c] = (out[c] as number) + factor * (scores[c] as number);
      }
      return out;
    },
  };
}
