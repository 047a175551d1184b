import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWordVectors, encodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import { nluDistillVectors } from '../../local/cli/nlu-distill-vectors.js';
import { embedWords, projectOnPrincipalComponents, symmetricEigen, type TokenEncoder } from '../../local/nlu/distill-word-vectors.js';
import { createWordPieceTokenizer, WordPieceVocabularyError } from '../../local/nlu/wordpiece-tokenizer.js';

const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'pay', 'bill', 'my', '##ing', 'un', '##pay', '##able', 'cafe', '!', "'"].join('\n');

describe('WordPiece tokenizer', () => {
  const tokenizer = createWordPieceTokenizer(vocab);
  const pieces = (text: string): string[] => tokenizer.encode(text).map((id) => tokenizer.pieceOf(id) ?? '?');

  it('lower-cases, folds accents, splits punctuation and cuts words into the longest pieces', () => {
    expect(pieces('Pay my BILL!')).toEqual(['pay', 'my', 'bill', '!']);
    expect(pieces('unpayable paying')).toEqual(['un', '##pay', '##able', 'pay', '##ing']);
    expect(pieces('Café')).toEqual(['cafe']);
    expect(pieces("my'bill")).toEqual(['my', "'", 'bill']);
  });

  it('turns a word it cannot cut into one [UNK]', () => {
    expect(pieces('payx bill')).toEqual(['[UNK]', 'bill']);
    expect(pieces('p'.repeat(101))).toEqual(['[UNK]']);
  });

  it('knows its special tokens and refuses a vocabulary without them', () => {
    expect([tokenizer.classifyId, tokenizer.separatorId, tokenizer.vocabularySize]).toEqual([2, 3, 14]);
    expect(() => createWordPieceTokenizer('pay\nbill\n')).toThrow(WordPieceVocabularyError);
  });
});

/** A stand-in encoder: position p of a sequence outputs [id, p, 1]. */
const fakeEncoder = (calls: number[][][]): TokenEncoder => ({
  async encode(sequences) {
    calls.push(sequences.map((s) => [...s]));
    const length = sequences[0]?.length ?? 0;
    const hidden = new Float32Array(sequences.length * length * 3);
    sequences.forEach((s, b) => s.forEach((id, p) => hidden.set([id, p, 1], (b * length + p) * 3)));
    return { hidden, hiddenSize: 3 };
  },
});

describe('static distillation', () => {
  it('encodes each word alone between [CLS] and [SEP], batched by length, and pools its outputs', async () => {
    const calls: number[][][] = [];
    const words = ['paying', 'bill', 'xyz!', 'my'];
    const tokenizer = createWordPieceTokenizer(vocab);
    const { hiddenSize, vectors } = await embedWords(words, tokenizer, fakeEncoder(calls), { poolings: ['pieces', 'mean', 'cls'], batchSize: 8 });
    expect(hiddenSize).toBe(3);
    expect(calls).toEqual([
      [
        [2, 5, 3],
        [2, 6, 3],
      ],
      [
        [2, 4, 7, 3],
        [2, 1, 12, 3],
      ],
    ]);
    const row = (pooling: 'pieces' | 'mean' | 'cls', word: number): number[] => Array.from(vectors.get(pooling)?.subarray(word * 3, word * 3 + 3) ?? []);
    expect(row('pieces', 0)).toEqual([5.5, 1.5, 1]);
    expect(row('mean', 1)).toEqual([expect.closeTo(10 / 3, 5), 1, 1]);
    expect(row('cls', 3)).toEqual([2, 0, 1]);
  });

  it('finds the eigenvectors of a symmetric matrix', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect([...values].sort()).toEqual([expect.closeTo(1, 9), expect.closeTo(3, 9)]);
    const top = values[0] as number > (values[1] as number) ? 0 : 1;
    expect(Math.abs(vectors[top] as number)).toBeCloseTo(Math.SQRT1_2, 9);
    expect(Math.abs(vectors[2 + top] as number)).toBeCloseTo(Math.SQRT1_2, 9);
  });

  it('projects centred rows on the direction of largest variance first', () => {
    // Points along (1, 1, 0) with a little noise on z: one component carries nearly everything.
    const rows = [-2, -1, 0, 1, 2].flatMap((t, i) => [t + 5, t + 5, (i % 2) * 0.1]);
    const projected = projectOnPrincipalComponents(Float32Array.from(rows), 3, 2);
    expect(projected.length).toBe(10);
    const first = [0, 2, 4, 6, 8].map((i) => projected[i] as number);
    expect(Math.abs(first[4] as number)).toBeCloseTo(2 * Math.SQRT2, 5);
    expect(first.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(Math.abs(projected[1] as number)).toBeLessThan(0.1);
  });
});

describe('switchboard nlu distill-vectors', () => {
  async function run(args: string[]): Promise<{ code: number; err: string }> {
    const err: string[] = [];
    const code = await nluDistillVectors(args, { out: () => undefined, err: (l) => err.push(l) });
    return { code, err: err.join('\n') };
  }

  it('explains its usage', async () => {
    expect(await run(['--model', 'm.onnx'])).toMatchObject({ code: 2, err: expect.stringMatching(/Usage: switchboard nlu distill-vectors/) });
    expect(await run(['--bogus'])).toMatchObject({ code: 2, err: expect.stringMatching(/Unknown option '--bogus'/) });
  });

  it('says when onnxruntime is not there, after reading the words and the vocabulary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distill-'));
    writeFileSync(join(dir, 'vocab.txt'), vocab);
    writeFileSync(join(dir, 'words.swv'), encodeWordVectors([['pay', [1, 0]]], 2));
    const { code, err } = await run(['--model', join(dir, 'm.onnx'), '--vocab', join(dir, 'vocab.txt'), '--words', join(dir, 'words.swv'), '--to', join(dir, 'out.swv'), '--runtime', join(dir, 'no-such-runtime.js')]);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot load .*no-such-runtime\.js.*npm i --no-save onnxruntime-node/);
    expect(decodeWordVectors(new Uint8Array(readFileSync(join(dir, 'words.swv')))).wordAt(0)).toBe('pay');
  });
});
