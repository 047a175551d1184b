// The sample config's languages: English has 15+ examples for every intent and gets a classifier of
// its own; Spanish (12 each) is understood by the one trained on both languages.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainIntentClassifier } from '../../bot/assistant/nlu/train-intent-classifier.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import { readContactCenterConfig, trainIntentClassifiers, trainingExamplesOf } from '../../bot/load-assistant-flow.js';

const wordVectors = decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));
const config = readContactCenterConfig(join(import.meta.dirname, '..', '..', 'config', 'contact-center.yaml'));

describe('intent classifiers by language', () => {
  const classify = trainIntentClassifiers(config, wordVectors);

  it('a caller in a fully trained language is judged against that language alone', () => {
    const english = trainIntentClassifier(trainingExamplesOf(config, 'en-US'), { wordVectors });
    for (const text of ['internet thing', 'I want to pay my bill', 'my wifi keeps dropping']) {
      expect(classify(text, 'en-US')).toEqual(english.classify(text));
    }
    expect(trainingExamplesOf(config, 'en-US').some((e) => e.text === 'quiero pagar mi factura')).toBe(false);
  });

  it('a language with fewer examples shares the model trained on every language', () => {
    const shared = trainIntentClassifier(trainingExamplesOf(config), { wordVectors });
    for (const text of ['problema con el wifi', 'quiero pagar mi factura']) expect(classify(text, 'es-ES')).toEqual(shared.classify(text));
    expect(classify('quiero pagar mi factura', 'es-ES')).toMatchObject({ intent: 'make_payment' });
  });
});
