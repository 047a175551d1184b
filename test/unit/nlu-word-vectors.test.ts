import { readFileSync } from 'node:fs';
import { BUNDLED_WORD_VECTORS_URL, WordVectorsFormatError, decodeWordVectors, encodeWordVectors, packWinkEmbeddings } from '../../bot/assistant/nlu/word-vectors.js';

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);

describe('word vectors', () => {
  it('round-trips unit vectors through the packed format within int8 precision', () => {
    const packed = encodeWordVectors(
      [
        ['pay', [3, 4, 0]],
        ['bill', [0, -2, 0]],
        ['bad\nword', [1, 1, 1]],
        ['zero', [0, 0, 0]],
      ],
      3,
    );
    const vectors = decodeWordVectors(packed);
    expect(vectors).toMatchObject({ size: 2, dimensions: 3 });
    expect(Array.from(vectors.vectorOf('pay') ?? [])).toEqual([expect.closeTo(0.6, 2), expect.closeTo(0.8, 2), 0]);
    expect(Array.from(vectors.vectorOf('bill') ?? [])).toEqual([0, -1, 0]);
    expect(vectors.rankOf('bill')).toBe(1);
    expect(vectors.vectorOf('zero')).toBeUndefined();
  });

  it('rejects a file that is not one, or is cut short', () => {
    const packed = encodeWordVectors([['pay', [1, 0]]], 2);
    expect(() => decodeWordVectors(new Uint8Array(20))).toThrow(WordVectorsFormatError);
    expect(() => decodeWordVectors(packed.subarray(0, packed.length - 1))).toThrow(/truncated/);
    expect(() => packWinkEmbeddings({ words: [] }, 10)).toThrow(WordVectorsFormatError);
  });

  it('packs the most frequent tokenizable words of a wink embeddings file', () => {
    const wink = { dimensions: 2, words: ['the', ',', 'bill', 'pay'], vectors: { the: [1, 0, 9, 0], ',': [0, 1, 1, 1], bill: [0, 1, 1, 2], pay: [1, 1, 1, 3] } };
    const vectors = decodeWordVectors(packWinkEmbeddings(wink, 2));
    expect(vectors.size).toBe(2);
    expect(vectors.vectorOf(',')).toBeUndefined();
    expect(vectors.vectorOf('pay')).toBeUndefined();
    expect(Array.from(vectors.vectorOf('bill') ?? [])).toEqual([0, 1]);
  });

  it('ships distilled vectors in which related words are closer than unrelated ones', () => {
    const vectors = decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));
    expect(vectors).toMatchObject({ size: 50_000, dimensions: 256 });
    expect(vectors.wordAt(0)).toBe('the');
    const v = (w: string): Float32Array => vectors.vectorOf(w) ?? new Float32Array(256);
    expect(cosine(v('invoice'), v('payment'))).toBeGreaterThan(cosine(v('invoice'), v('banana')));
    expect(cosine(v('cancel'), v('terminate'))).toBeGreaterThan(0.4);
    expect(cosine(v('modem'), v('router'))).toBeGreaterThan(cosine(v('modem'), v('banana')) + 0.3);
  });
});
