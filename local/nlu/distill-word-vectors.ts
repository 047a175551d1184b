import type { WordPieceTokenizer } from './wordpiece-tokenizer.js';

/**
 * A transformer that maps token id sequences to contextual vectors (last hidden state). All
 * sequences of one call have the same length, so no padding or attention mask is needed.
 */
export interface TokenEncoder {
  /** Row-major [sequences, length, hiddenSize]. */
  encode(sequences: readonly (readonly number[])[]): Promise<{ readonly hidden: Float32Array; readonly hiddenSize: number }>;
}

/**
 * How a word's static vector is read from the encoder's output for "[CLS] pieces [SEP]": the mean
 * of all positions (sentence-transformers mean pooling), the mean of the word's own pieces, or the
 * [CLS] position.
 */
export type StaticPooling = 'mean' | 'pieces' | 'cls';

export interface EmbeddedWords {
  readonly hiddenSize: number;
  /** One row-major matrix [words, hiddenSize] per asked pooling; a row of zeros for a word with no pieces. */
  readonly vectors: ReadonlyMap<StaticPooling, Float32Array>;
}

export interface EmbedWordsOptions {
  readonly poolings: readonly StaticPooling[];
  /** Words per encoder call. */
  readonly batchSize?: number;
  /** Longer words (in pieces) are cut to this many pieces. */
  readonly maxPieces?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs each word alone through the encoder and pools its output into one vector per word: the
 * static distillation of a sentence encoder (as Model2Vec does), so that a sentence can later be
 * represented by a lookup and a weighted mean instead of a transformer pass. Words of the same
 * piece count are batched together.
 */
export async function embedWords(
  words: readonly string[],
  tokenizer: WordPieceTokenizer,
  encoder: TokenEncoder,
  options: EmbedWordsOptions,
): Promise<EmbeddedWords> {
  const batchSize = options.batchSize ?? 256;
  const maxPieces = options.maxPieces ?? 16;
  const byLength = new Map<number, number[]>();
  const pieces = words.map((word, i) => {
    const ids = tokenizer.encode(word).slice(0, maxPieces);
    if (ids.length > 0) byLength.set(ids.length, [...(byLength.get(ids.length) ?? []), i]);
    return ids;
  });
  let hiddenSize = 0;
  let vectors = new Map<StaticPooling, Float32Array>();
  let done = words.length - [...byLength.values()].reduce((n, list) => n + list.length, 0);
  for (const [length, indices] of [...byLength.entries()].sort((a, b) => a[0] - b[0])) {
    for (let from = 0; from < indices.length; from += batchSize) {
      const batch = indices.slice(from, from + batchSize);
      const sequences = batch.map((i) => [tokenizer.classifyId, ...(pieces[i] as number[]), tokenizer.separatorId]);
      const output = await encoder.encode(sequences);
      if (hiddenSize === 0) {
        hiddenSize = output.hiddenSize;
        vectors = new Map(options.poolings.map((p) => [p, new Float32Array(words.length * hiddenSize)]));
      }
      const positions = length + 2;
      batch.forEach((word, b) => {
        const base = b * positions * hiddenSize;
        for (const [pooling, matrix] of vectors) {
          const [first, last] = pooling === 'cls' ? [0, 0] : pooling === 'pieces' ? [1, length] : [0, positions - 1];
          const row = matrix.subarray(word * hiddenSize, (word + 1) * hiddenSize);
          for (let p = first; p <= last; p += 1) {
            for (let d = 0; d < hiddenSize; d += 1) row[d] = (row[d] as number) + (output.hidden[base + p * hiddenSize + d] as number);
          }
          const count = last - first + 1;
          for (let d = 0; d < hiddenSize; d += 1) row[d] = (row[d] as number) / count;
        }
      });
      done += batch.length;
      options.onProgress?.(done, words.length);
    }
  }
  return { hiddenSize, vectors };
}

/**
 * Principal component projection of the rows of a [rows, columns] matrix onto its `components`
 * directions of largest variance, after centring: Model2Vec's step that keeps the informative
 * dimensions of the distilled vectors and drops the direction that all of them share.
 */
export function projectOnPrincipalComponents(matrix: Float32Array, columns: number, components: number): Float32Array {
  const rows = matrix.length / columns;
  const mean = new Float64Array(columns);
  for (let r = 0; r < rows; r += 1) for (let c = 0; c < columns; c += 1) mean[c] = (mean[c] as number) + (matrix[r * columns + c] as number) / rows;
  const covariance = new Float64Array(columns * columns);
  const centred = new Float64Array(columns);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < columns; c += 1) centred[c] = (matrix[r * columns + c] as number) - (mean[c] as number);
    for (let i = 0; i < columns; i += 1) {
      const x = centred[i] as number;
      if (x === 0) continue;
      const base = i * columns;
      for (let j = i; j < columns; j += 1) covariance[base + j] = (covariance[base + j] as number) + x * (centred[j] as number);
    }
  }
  for (let i = 0; i < columns; i += 1) for (let j = 0; j < i; j += 1) covariance[i * columns + j] = covariance[j * columns + i] as number;
  const { values, vectors } = symmetricEigen(covariance, columns);
  const order = [...values.keys()].sort((a, b) => (values[b] as number) - (values[a] as number)).slice(0, components);
  const out = new Float32Array(rows * order.length);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < columns; c += 1) centred[c] = (matrix[r * columns + c] as number) - (mean[c] as number);
    order.forEach((k, o) => {
      let dot = 0;
      for (let c = 0; c < columns; c += 1) dot += (centred[c] as number) * (vectors[c * columns + k] as number);
      out[r * order.length + o] = dot;
    });
  }
  return out;
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric n x n matrix by cyclic Jacobi
 * rotations; enough for the few hundred dimensions of a sentence encoder.
 */
export function symmetricEigen(symmetric: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(symmetric);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) v[i * n + i] = 1;
  let scale = 0;
  for (const x of a) scale += x * x;
  for (let sweep = 0; sweep < 100; sweep += 1) {
    let off = 0;
    for (let p = 0; p < n; p += 1) for (let q = p + 1; q < n; q += 1) off += (a[p * n + q] as number) ** 2;
    if (off <= 1e-22 * scale) break;
    for (let p = 0; p < n; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = ((a[q * n + q] as number) - (a[p * n + p] as number)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k += 1) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k += 1) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i += 1) values[i] = a[i * n + i] as number;
  return { values, vectors: v };
}
