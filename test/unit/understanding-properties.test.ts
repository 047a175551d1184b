// Whatever a recogniser hands over (any Unicode, any length, noise), the sample's classifiers and the
// date reader answer within their contracts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import { readSpokenDate } from '../../bot/call-flow/spoken-date.js';
import { readContactCenterConfig, trainIntentClassifiers } from '../../bot/load-assistant-flow.js';

const config = readContactCenterConfig(join(import.meta.dirname, '..', '..', 'config', 'contact-center.yaml'));
const classify = trainIntentClassifiers(config, decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL))));
const intents = new Set(config.intents.map((i) => i.name));
const examples = config.intents.flatMap((i) => Object.values(i.examples).flat());

/** Any text, and the config's own examples with pieces of any text around them. */
const utterance = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...examples), fc.string({ maxLength: 10 })).map(([a, b, c]) => `${a}${b}${c}`),
  fc.string({ maxLength: 3 }).map((s) => s.repeat(2000)),
);

describe('understanding any text', () => {
  it('the classifier returns a known intent or out of scope, with a confidence in [0, 1] and its top three in order', () => {
    fc.assert(
      fc.property(utterance, fc.constantFrom('en-US', 'es-ES', 'fr-FR'), (text, language) => {
        const p = classify(text, language);
        expect(p.confidence).toBeGreaterThanOrEqual(0);
        expect(p.confidence).toBeLessThanOrEqual(1);
        expect(p.outOfScope).toBe(p.intent === null);
        if (p.intent !== null) expect(intents.has(p.intent)).toBe(true);
        expect(p.ranked.length).toBeLessThanOrEqual(3);
        p.ranked.forEach((r, i) => {
          expect(intents.has(r.intent)).toBe(true);
          if (i > 0) expect(r.confidence).toBeLessThanOrEqual((p.ranked[i - 1] as { confidence: number }).confidence);
        });
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });

  it('the date reader returns a real calendar date inside the range, or says why not', () => {
    const now = new Date('2026-12-08T15:00:00Z');
    const dates = ['yesterday', 'tomorrow', 'next Friday', 'last Monday', 'March 3rd 1980', 'November 20th', '12/03', '31/02/2026', 'February 30th', 'el 3 de diciembre', 'el lunes pasado', 'in two weeks', '2026-02-30', 'am 3. Dezember'];
    const saidDate = fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...dates), fc.string({ maxLength: 8 })).map(([a, b, c]) => `${a} ${b} ${c}`);
    fc.assert(
      fc.property(fc.oneof(utterance, saidDate), fc.constantFrom('en-US', 'en-GB', 'es-ES', 'de-DE'), fc.constantFrom('future' as const, 'past' as const, 'any' as const), (text, language, range) => {
        const reading = readSpokenDate(text, language, now, 'America/New_York', range);
        if (reading.kind !== 'inRange') return;
        expect(reading.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(new Date(`${reading.date}T12:00:00Z`).toISOString().slice(0, 10)).toBe(reading.date);
        if (range === 'future') expect(reading.date >= '2026-12-08').toBe(true);
        if (range === 'past') expect(reading.date <= '2026-12-08').toBe(true);
      }),
      { numRuns: 500, seed: 20261207 },
    );
  });
});
