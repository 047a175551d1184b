import { assertNever } from '../../assert-never.js';
import { tokenizeUtterance } from './tokenize-utterance.js';
import type { WordVectors } from './word-vectors.js';

/** A sparse feature vector: parallel arrays of indices and values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

export interface TextFeaturizerOptions {
  /** Longest word n-gram (1 = unigrams only). */
  readonly wordNgramMax: number;
  /** Character n-grams inside word boundaries, from min to max length; max 0 turns them off. */
  readonly charNgramMin: number;
  readonly charNgramMax: number;
  /** An n-gram seen in fewer training utterances than this is dropped. */
  readonly minDocumentFrequency: number;
  /** Relative weights of the L2-normalised blocks: word n-grams, char n-grams, pooled word vectors. */
  readonly wordWeight: number;
  readonly charWeight: number;
  readonly embeddingWeight: number;
  /**
   * Weight of each word in the mean vector: training-set IDF, or a / (a + p(word)) with p estimated
   * from the word's frequency rank (Zipf), which needs no training data.
   */
  readonly embeddingWordWeighting: 'idf' | 'frequency';
  /**
   * Pooling of word vectors: their weighted mean, followed by the element-wise max and min
   * (power means p = 1, +inf, -inf) when asked; each pooled block is L2-normalised.
   */
  readonly embeddingPooling: 'mean' | 'meanAndMax' | 'meanMaxMin';
  /** Replace digit runs by "0" so that numbers share features. */
  readonly foldDigits: boolean;
}

/** A word's vector and its weight in the mean of word vectors. */
export interface WeightedWordVector {
  readonly token: string;
  readonly vector: Float32Array;
  readonly weight: number;
}

/**
 * The features of an utterance with the mean-of-word-vectors block left as its parts: the block
 * equals `meanScale * sum(weight * vector)` over `meanWords`. A linear model scores the block as
 * the same weighted sum of each word's own scores, which it can remember per word: for a short
 * utterance that is far less work than a dot product with every dimension for every class.
 */
export interface SplitFeatures {
  /** Every feature except the mean block. */
  readonly rest: SparseVector;
  readonly meanWords: readonly WeightedWordVector[];
  /** 0 when no word has a vector (the block is absent). */
  readonly meanScale: number;
}

export interface TextFeaturizer {
  readonly dimension: number;
  /** First index of the dense block (pooled word vectors); equals `dimension` when there is none. */
  readonly denseFrom: number;
  /** Dimensions of the mean-of-word-vectors block, which starts at `denseFrom` (0 when there is none). */
  readonly meanDimensions: number;
  featurize(text: string): SparseVector;
  featurizeSplit(text: string): SplitFeatures;
  /** How many of the utterance's words occur in the training utterances. */
  countKnownWords(text: string): number;
}

const SIF_SMOOTHING = 1e-3;
/** Tokens outside the training vocabulary whose char n-grams and vector are remembered. */
const UNSEEN_TOKEN_CACHE_SIZE = 20_000;

interface Block {
  readonly offset: number;
  readonly index: Map<string, number>;
  readonly idf: Float64Array;
}

interface TokenFeatures {
  /** Char n-gram feature indices of the token (repeats kept: they are term counts). */
  readonly charIndices: Int32Array;
  readonly vector: Float32Array | undefined;
  readonly vectorWeight: number;
}

function wordNgrams(tokens: readonly string[], maxN: number): string[] {
  const out: string[] = [];
  for (let n = 1; n <= maxN; n += 1) {
    for (let i = 0; i + n <= tokens.length; i += 1) {
      out.push(n === 1 ? (tokens[i] as string) : tokens.slice(i, i + n).join(' '));
    }
  }
  return out;
}

function charNgrams(token: string, minN: number, maxN: number): string[] {
  const out: string[] = [];
  const padded = ` ${token} `;
  for (let n = minN; n <= maxN; n += 1) {
    for (let i = 0; i + n <= padded.length; i += 1) out.push(padded.slice(i, i + n));
  }
  return out;
}

function fitBlock(documents: readonly (readonly string[])[], minDf: number, offset: number): Block {
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const index = new Map<string, number>();
  const idfValues: number[] = [];
  const n = documents.length;
  for (const [term, count] of [...df.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (count < minDf) continue;
    index.set(term, offset + idfValues.length);
    idfValues.push(Math.log((1 + n) / (1 + count)) + 1);
  }
  return { offset, index, idf: Float64Array.from(idfValues) };
}

/**
 * Sublinear TF-IDF of the block's known terms (given as feature indices, repeats = counts),
 * L2-normalised and scaled, appended to the output arrays.
 */
function weighIndices(block: Block, indices: readonly number[], scale: number, outIndices: number[], outValues: number[]): void {
  if (indices.length === 0) return;
  const sorted = [...indices].sort((a, b) => a - b);
  const start = outIndices.length;
  let norm = 0;
  for (let i = 0; i < sorted.length; ) {
    const index = sorted[i] as number;
    let count = 0;
    while (i < sorted.length && sorted[i] === index) {
      count += 1;
      i += 1;
    }
    const value = (1 + Math.log(count)) * (block.idf[index - block.offset] as number);
    outIndices.push(index);
    outValues.push(value);
    norm += value * value;
  }
  const factor = scale / Math.sqrt(norm);
  for (let i = start; i < outValues.length; i += 1) outValues[i] = (outValues[i] as number) * factor;
}

function appendNormalised(dense: Float64Array, offset: number, scale: number, outIndices: number[], outValues: number[]): void {
  let norm = 0;
  for (const x of dense) norm += x * x;
  if (norm === 0) return;
  const factor = scale / Math.sqrt(norm);
  dense.forEach((x, d) => {
    outIndices.push(offset + d);
    outValues.push(x * factor);
  });
}

/** Learns the vocabularies and IDF weights from training utterances. */
export function fitTextFeaturizer(texts: readonly string[], options: TextFeaturizerOptions, wordVectors?: WordVectors): TextFeaturizer {
  const tokensOf = (text: string): string[] => {
    const tokens = tokenizeUtterance(text);
    return options.foldDigits ? tokens.map((t) => t.replace(/[0-9]+/g, '0')) : tokens;
  };
  const tokenized = texts.map(tokensOf);
  const useWords = options.wordWeight > 0;
  const useChars = options.charWeight > 0 && options.charNgramMax > 0;
  const useEmbeddings = wordVectors !== undefined && options.embeddingWeight > 0;

  const words = fitBlock(useWords ? tokenized.map((t) => wordNgrams(t, options.wordNgramMax)) : [], options.minDocumentFrequency, 0);
  const chars = fitBlock(
    useChars ? tokenized.map((t) => t.flatMap((token) => charNgrams(token, options.charNgramMin, options.charNgramMax))) : [],
    options.minDocumentFrequency,
    words.offset + words.idf.length,
  );
  const embeddingOffset = chars.offset + chars.idf.length;
  const dimensions = useEmbeddings ? wordVectors.dimensions : 0;
  const embeddingBlocks = options.embeddingPooling === 'meanMaxMin' ? 3 : options.embeddingPooling === 'meanAndMax' ? 2 : 1;

  // Unigram IDF weighs words in the mean vector; a word never seen in training counts as rare.
  const unigrams = fitBlock(useEmbeddings ? tokenized : [], 1, 0);
  const unseenIdf = Math.log(1 + texts.length) + 1;
  const harmonic = Math.log(wordVectors?.size ?? 1) + 0.5772;
  const vectorWeightOf = (token: string): number => {
    switch (options.embeddingWordWeighting) {
      case 'frequency': {
        const p = 1 / (((wordVectors?.rankOf(token) ?? 0) + 1) * harmonic);
        return SIF_SMOOTHING / (SIF_SMOOTHING + p);
      }
      case 'idf': {
        const i = unigrams.index.get(token);
        return i === undefined ? unseenIdf : (unigrams.idf[i] as number);
      }
      default:
        return assertNever(options.embeddingWordWeighting, 'embedding word weighting');
    }
  };
  const computeTokenFeatures = (token: string): TokenFeatures => {
    const charIndices: number[] = [];
    if (useChars) {
      for (const gram of charNgrams(token, options.charNgramMin, options.charNgramMax)) {
        const index = chars.index.get(gram);
        if (index !== undefined) charIndices.push(index);
      }
    }
    const vector = useEmbeddings ? wordVectors.vectorOf(token) : undefined;
    return { charIndices: Int32Array.from(charIndices), vector, vectorWeight: vector === undefined ? 0 : vectorWeightOf(token) };
  };

  // Per-token work (char n-grams, vector decoding) is done once per distinct token.
  const known = new Map<string, TokenFeatures>();
  for (const tokens of tokenized) for (const t of tokens) if (!known.has(t)) known.set(t, computeTokenFeatures(t));
  const unseen = new Map<string, TokenFeatures>();
  const featuresOf = (token: string): TokenFeatures => {
    const cached = known.get(token) ?? unseen.get(token);
    if (cached !== undefined) return cached;
    const computed = computeTokenFeatures(token);
    if (unseen.size >= UNSEEN_TOKEN_CACHE_SIZE) unseen.clear();
    unseen.set(token, computed);
    return computed;
  };

  /** The features; with `splitMean` the mean block is returned as its weighted words instead. */
  const build = (text: string, splitMean: boolean): { rest: { indices: number[]; values: number[] }; meanWords: WeightedWordVector[]; meanScale: number } => {
    const tokens = tokensOf(text);
    const tokenFeatures = tokens.map(featuresOf);
    const indices: number[] = [];
    const values: number[] = [];
    const meanWords: WeightedWordVector[] = [];
    let meanScale = 0;
    if (useWords) {
      const wordIndices: number[] = [];
      for (const gram of wordNgrams(tokens, options.wordNgramMax)) {
        const index = words.index.get(gram);
        if (index !== undefined) wordIndices.push(index);
      }
      weighIndices(words, wordIndices, options.wordWeight, indices, values);
    }
    if (useChars) {
      const charIndices: number[] = [];
      for (const f of tokenFeatures) for (const index of f.charIndices) charIndices.push(index);
      weighIndices(chars, charIndices, options.charWeight, indices, values);
    }
    if (useEmbeddings) {
      const mean = new Float64Array(dimensions);
      const max = new Float64Array(embeddingBlocks >= 2 ? dimensions : 0).fill(-Infinity);
      const min = new Float64Array(embeddingBlocks >= 3 ? dimensions : 0).fill(Infinity);
      tokenFeatures.forEach((f, t) => {
        if (f.vector === undefined) return;
        const weight = f.vectorWeight;
        if (splitMean) meanWords.push({ token: tokens[t] as string, vector: f.vector, weight });
        for (let d = 0; d < dimensions; d += 1) mean[d] = (mean[d] as number) + weight * (f.vector[d] as number);
        // Max and min only when pooled: with the mean alone they would be half the featurizing time.
        for (let d = 0; d < max.length; d += 1) if ((f.vector[d] as number) > (max[d] as number)) max[d] = f.vector[d] as number;
        for (let d = 0; d < min.length; d += 1) if ((f.vector[d] as number) < (min[d] as number)) min[d] = f.vector[d] as number;
      });
      let norm = 0;
      for (const x of mean) norm += x * x;
      if (norm > 0) {
        if (splitMean) meanScale = options.embeddingWeight / Math.sqrt(norm);
        else appendNormalised(mean, embeddingOffset, options.embeddingWeight, indices, values);
        if (embeddingBlocks >= 2) appendNormalised(max, embeddingOffset + dimensions, options.embeddingWeight, indices, values);
        if (embeddingBlocks >= 3) appendNormalised(min, embeddingOffset + 2 * dimensions, options.embeddingWeight, indices, values);
      }
    }
    return { rest: { indices, values }, meanWords, meanScale };
  };

  return {
    dimension: embeddingOffset + dimensions * embeddingBlocks,
    denseFrom: embeddingOffset,
    meanDimensions: dimensions,
    countKnownWords(text) {
      return tokensOf(text).filter((t) => known.has(t)).length;
    },
    featurize(text) {
      return toSparse(build(text, false).rest);
    },
    featurizeSplit(text) {
      const built = build(text, true);
      return { rest: toSparse(built.rest), meanWords: built.meanWords, meanScale: built.meanScale };
    },
  };
}

function toSparse(parts: { indices: number[]; values: number[] }): SparseVector {
  return { indices: Int32Array.from(parts.indices), values: Float64Array.from(parts.values) };
}
