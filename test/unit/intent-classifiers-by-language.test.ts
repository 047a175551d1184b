// The sample config's languages have 15+ examples for every intent and each gets a classifier of its
// own; a language with fewer (the sample cut to 12 Spanish examples per intent) is understood by the
// one trained on every language.
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

  it('the sample\'s Spanish, 19+ examples per intent, is judged against Spanish alone', () => {
    const spanish = trainIntentClassifier(trainingExamplesOf(config, 'es-ES'), { wordVectors });
    for (const text of ['problema con el wifi', 'quiero pagar mi factura']) expect(classify(text, 'es-ES')).toEqual(spanish.classify(text));
    expect(classify('quiero pagar mi factura', 'es-ES')).toMatchObject({ intent: 'make_payment' });
  });

  it('a language with fewer examples shares the model trained on every language', () => {
    const fewerSpanish = {
      ...config,
      intents: config.intents.map((intent) => ({ ...intent, examples: { ...intent.examples, 'es-ES': (intent.examples['es-ES'] ?? []).slice(0, 12) } })),
    };
    const classifyFewer = trainIntentClassifiers(fewerSpanish, wordVectors);
    const shared = trainIntentClassifier(trainingExamplesOf(fewerSpanish), { wordVectors });
    for (const text of ['problema con el wifi', 'quiero pagar mi factura']) expect(classifyFewer(text, 'es-ES')).toEqual(shared.classify(text));
    expect(classifyFewer('quiero pagar mi factura', 'es-ES')).toMatchObject({ intent: 'make_payment' });
    // English keeps its own classifier.
    expect(classifyFewer('I want to pay my bill', 'en-US')).toEqual(trainIntentClassifier(trainingExamplesOf(fewerSpanish, 'en-US'), { wordVectors }).classify('I want to pay my bill'));
  });
});
