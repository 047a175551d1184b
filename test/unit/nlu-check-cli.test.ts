import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import { readContactCenterConfig } from '../../bot/load-assistant-flow.js';
import { checkIntentExamples, nluCheck } from '../../local/cli/nlu-check.js';

const root = join(import.meta.dirname, '..', '..');
const sampleFile = join(root, 'config', 'contact-center.yaml');
const sample = readContactCenterConfig(sampleFile);
const wordVectors = decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await nluCheck(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('switchboard nlu check', () => {
  it('reports each language of the sample: the share right, the weakest intents and the pairs confused, with examples', async () => {
    const { code, out } = await run([sampleFile, '--folds', '3']);
    expect(code).toBe(0);
    for (const language of ['en-US', 'es-ES']) {
      expect(out).toMatch(new RegExp(`${language} \\(its own classifier\\), \\d+ examples, 3-fold cross-validated:`));
    }
    expect(out).toMatch(/the example's own intent first: \d+\.\d %; taken as out of scope: \d+\.\d %; out-of-scope examples caught: \d+\.\d %/);
    expect(out).toMatch(/weakest intents: \w+ \d+\/\d+, \w+ \d+\/\d+, \w+ \d+\/\d+/);
    expect(out).toMatch(/ {2}\w+ taken for \w+: \d+ \(".+"\)/);
  });

  it('names the out-of-scope examples the classifier takes for an intent, the surest first', () => {
    // "what are your opening hours" taught as out of scope: cross-validated, it is taken for opening_hours.
    const nearMiss = { ...sample, outOfScopeExamples: { ...sample.outOfScopeExamples, 'en-US': [...sample.outOfScopeExamples['en-US']!, 'what are your opening hours please'] } };
    const [english] = checkIntentExamples(nearMiss, wordVectors, { folds: 3 });
    expect(english!.outOfScopeMissed[0]).toMatchObject({ text: 'what are your opening hours please', takenFor: 'opening_hours' });
    const confidences = english!.outOfScopeMissed.map((m) => m.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
  });

  it('names the pair of intents whose examples say the same thing first', () => {
    // upgrade_plan taught new_service's English examples word for word: the two cannot be told apart.
    const newService = sample.intents.find((i) => i.name === 'new_service')!;
    const muddled = {
      ...sample,
      intents: sample.intents.map((i) => (i.name === 'upgrade_plan' ? { ...i, examples: { ...i.examples, 'en-US': [...newService.examples['en-US']!] } } : i)),
    };
    const [english] = checkIntentExamples(muddled, wordVectors, { folds: 3 });
    const top = english!.confusions[0]!;
    expect([top.intent, top.takenFor].sort()).toEqual(['new_service', 'upgrade_plan']);
    expect(english!.intents[0]!.intent).toMatch(/^(new_service|upgrade_plan)$/);
    const clean = checkIntentExamples(sample, wordVectors, { folds: 3 })[0]!;
    expect(english!.accuracy).toBeLessThan(clean.accuracy);
  });

  it('exits 1 when a language is below --min-accuracy, and 2 on bad options or an invalid config', async () => {
    expect((await run([sampleFile, '--folds', '3', '--min-accuracy', '99.9'])).code).toBe(1);
    expect(await run(['--folds', '1'])).toMatchObject({ code: 2, err: expect.stringContaining('--folds must be a whole number from 2 to 20, got "1".') });
    expect(await run(['/nonexistent.yaml'])).toMatchObject({ code: 2, err: expect.stringContaining('/nonexistent.yaml: cannot read (ENOENT)') });
  });
});
