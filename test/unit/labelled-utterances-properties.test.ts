// `switchboard nlu eval` reads labelled files people export from elsewhere: any content, however
// broken, is read or refused with a LabelledDataError (a sentence for the user), never a crash.
import fc from 'fast-check';
import { LabelledDataError, parseLabelledUtterances } from '../../bot/assistant/nlu/labelled-utterances.js';

const line = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 8 })).map(([t, l]) => `"${t}",${l}`),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.record({ text: fc.oneof(fc.string(), fc.integer()), label: fc.oneof(fc.string(), fc.constant(null)) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.constantFrom('text,label', 'label,text', '"unclosed,quote', '\ufeff', '\r'),
);
const content = fc.oneof(
  fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ train: fc.jsonValue({ maxDepth: 2 }), val: fc.jsonValue({ maxDepth: 2 }), test: fc.jsonValue({ maxDepth: 2 }), oos_train: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
);

describe('a labelled data file with any content', () => {
  it('is read into text-label pairs or refused with a LabelledDataError', () => {
    fc.assert(
      fc.property(content, fc.constantFrom('clinc' as const, 'csv' as const, 'jsonl' as const), fc.constantFrom('train' as const, 'validation' as const, 'test' as const), (text, format, split) => {
        try {
          for (const u of parseLabelledUtterances(text, format, 'data.file', split)) {
            expect(typeof u.text).toBe('string');
            expect(typeof u.label).toBe('string');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(LabelledDataError);
          expect((error as Error).message).toContain('data.file');
        }
      }),
      { numRuns: 1000, seed: 20261207 },
    );
  });
});
