import { fileURLToPath } from 'node:url';
import { nluEval } from '../../local/cli/nlu-eval.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/nlu/${name}`, import.meta.url));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await nluEval(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('switchboard nlu eval', () => {
  it('trains on one file, measures on another and prints the figures', async () => {
    const { code, out, err } = await run(['--train', fixture('broadband-intents.csv'), '--test', fixture('clinc-mini.json'), '--no-vectors']);
    expect(code).toBe(0);
    expect(out).toMatch(/train {2}broadband-intents\.csv: 225 utterances, 10 intents, 25 out of scope/);
    expect(out).toMatch(/test {3}clinc-mini\.json: 3 utterances, 2 intents, 1 out of scope/);
    for (const line of [/^accuracy +\d+\.\d %$/m, /^in-scope accuracy +\d+\.\d %/m, /^out-of-scope recall +\d+\.\d %$/m, /^train time +\d+\.\d+ s/m, /^predict time +\d+\.\d{3} ms per utterance$/m]) {
      expect(out).toMatch(line);
    }
    expect(err).toMatch(/2 test label\(s\) never seen in training count as errors: balance, pay_bill/);
  });

  it('says which file is missing, without a stack trace', async () => {
    const { code, err } = await run(['--train', '/nonexistent/train.csv', '--test', fixture('small.jsonl')]);
    expect(code).toBe(2);
    expect(err).toBe('error: /nonexistent/train.csv: no such file.');
  });

  it('reports a malformed file with its name and line', async () => {
    const { code, err } = await run(['--train', fixture('bad-columns.csv'), '--test', fixture('clinc-mini.json')]);
    expect(code).toBe(1);
    expect(err).toBe('error: bad-columns.csv:3: expected 2 columns (text,label), found 1');
  });

  it('explains usage mistakes', async () => {
    expect(await run(['--test', fixture('small.jsonl')])).toMatchObject({ code: 2, err: expect.stringMatching(/^error: Missing --train\.[\s\S]*Usage: switchboard nlu eval/) });
    expect(await run(['--train', 'a.txt', '--test', 'b.csv'])).toMatchObject({ code: 2, err: 'error: a.txt: unknown file type; use .json (CLINC150), .csv or .jsonl.' });
    expect(await run(['--train', 'a.csv', '--test', 'b.csv', '--frobnicate'])).toMatchObject({ code: 2, err: expect.stringMatching(/^error: Unknown option '--frobnicate'/) });
  });
});
