import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeWordVectors, encodeWordVectors, WordVectorsFormatError } from '../../bot/assistant/nlu/word-vectors.js';
import { embedWords, projectOnPrincipalComponents, type StaticPooling } from '../nlu/distill-word-vectors.js';
import { createOnnxTokenEncoder, OnnxRuntimeMissingError } from '../nlu/onnx-token-encoder.js';
import { createWordPieceTokenizer, WordPieceVocabularyError } from '../nlu/wordpiece-tokenizer.js';
import type { CliOutput } from './nlu-eval.js';

const usage = `Usage: switchboard nlu distill-vectors --model model.onnx --vocab vocab.txt --words FILE --to FILE
         [--max-words N] [--dimensions N] [--pooling pieces|mean|cls] [--threads N] [--runtime MODULE]

  Distils a BERT-style sentence encoder (e.g. all-MiniLM-L6-v2 as ONNX, with its WordPiece
  vocab.txt) into static word vectors: each of the first N (default 50000) words of --words (a
  word vectors file, whose words are sorted by frequency, or a text file with one word a line) is
  encoded alone as "[CLS] pieces [SEP]", its word pieces' outputs are averaged (--pooling), and
  the vectors are projected on their N (default 256) principal components and packed into the
  file the classifier loads. Needs onnxruntime-node, which the project does not install:
  \`npm i --no-save onnxruntime-node\`, or --runtime PATH to its dist/index.js elsewhere.
`;

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

class UsageProblem extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

async function readInput(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageProblem(`${path}: cannot read it (${(error as Error).message}).`, 2);
  }
}

/** Words of a word vectors file (in its frequency order) or of a text file with one word a line. */
function wordListOf(path: string, bytes: Buffer): string[] {
  try {
    const vectors = decodeWordVectors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return Array.from({ length: vectors.size }, (_, i) => vectors.wordAt(i) as string);
  } catch (error) {
    if (!(error instanceof WordVectorsFormatError)) throw error;
  }
  const words = bytes.toString('utf8').split(/\r?\n/).map((w) => w.trim()).filter((w) => w !== '');
  if (words.length === 0) throw new UsageProblem(`${path}: no words in it.`, 1);
  return words;
}

const POOLINGS: readonly StaticPooling[] = ['pieces', 'mean', 'cls'];

async function run(args: string[], io: CliOutput): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        model: { type: 'string' },
        vocab: { type: 'string' },
        words: { type: 'string' },
        to: { type: 'string' },
        'max-words': { type: 'string' },
        dimensions: { type: 'string' },
        pooling: { type: 'string' },
        threads: { type: 'string' },
        runtime: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageProblem(`${(error as Error).message}\n\n${usage}`, 2);
  }
  const maxWords = Number(values['max-words'] ?? 50_000);
  const dimensions = Number(values.dimensions ?? 256);
  const threads = Number(values.threads ?? 2);
  const pooling = (values.pooling ?? 'pieces') as StaticPooling;
  if (
    values.model === undefined ||
    values.vocab === undefined ||
    values.words === undefined ||
    values.to === undefined ||
    ![maxWords, dimensions, threads].every((n) => Number.isInteger(n) && n > 0) ||
    !POOLINGS.includes(pooling)
  ) {
    throw new UsageProblem(usage, 2);
  }
  const words = wordListOf(values.words, await readInput(values.words)).slice(0, maxWords);
  const tokenizer = createWordPieceTokenizer((await readInput(values.vocab)).toString('utf8'));
  const encoder = await createOnnxTokenEncoder(values.model, { threads, ...(values.runtime === undefined ? {} : { runtime: values.runtime }) });
  const started = performance.now();
  let reported = 0;
  const embedded = await embedWords(words, tokenizer, encoder, {
    poolings: [pooling],
    onProgress: (done, total) => {
      if (done - reported < 10_000 && done < total) return;
      reported = done;
      io.out(`encoded ${done} of ${total} words (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    },
  });
  const hidden = embedded.vectors.get(pooling) as Float32Array;
  const kept = Math.min(dimensions, embedded.hiddenSize);
  const projected = projectOnPrincipalComponents(hidden, embedded.hiddenSize, kept);
  const packed = encodeWordVectors(
    words.map((word, i) => [word, projected.subarray(i * kept, (i + 1) * kept)] as const),
    kept,
  );
  await writeFile(values.to, packed);
  io.out(`${values.to}: ${decodeWordVectors(packed).size} words, ${kept} dimensions, ${packed.length} bytes`);
  return 0;
}

/** `switchboard nlu distill-vectors ...`: static word vectors from a sentence encoder. */
export async function nluDistillVectors(args: string[], io: CliOutput = consoleOutput): Promise<number> {
  try {
    return await run(args, io);
  } catch (error) {
    if (error instanceof UsageProblem) {
      io.err(`error: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof OnnxRuntimeMissingError || error instanceof WordPieceVocabularyError) {
      io.err(`error: ${error.message}.`);
      return 2;
    }
    throw error;
  }
}
