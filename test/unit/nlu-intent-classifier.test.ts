import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsvUtterances } from '../../bot/assistant/nlu/labelled-utterances.js';
import { IntentTrainingError, trainIntentClassifier, type TrainedIntentClassifier } from '../../bot/assistant/nlu/train-intent-classifier.js';
import { BUNDLED_WORD_VECTORS_URL, decodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';

const fixture = fileURLToPath(new URL('../fixtures/nlu/broadband-intents.csv', import.meta.url));
const examples = parseCsvUtterances(readFileSync(fixture, 'utf8'), 'broadband-intents.csv');
const wordVectors = decodeWordVectors(new Uint8Array(readFileSync(BUNDLED_WORD_VECTORS_URL)));

// Utterances that appear nowhere in the training file.
const paraphrases: [string, string][] = [
  ['my bill is higher than usual this month', 'billing'],
  ["I'd like to settle what I owe with my visa", 'payment'],
  ['the net is down in my whole area', 'outage'],
  ['my wireless is very slow', 'tech_support'],
  ["I'm relocating, can I keep my broadband", 'moving_house'],
  ['I want to terminate my account', 'cancellation'],
  ["where's the modem I ordered", 'order_status'],
  ['how much do I have to pay', 'account_balance'],
  ['can I speak to an actual human', 'agent'],
  ['do you have faster packages for new customers', 'new_service'],
];

const unrelated = [
  "what's the capital of france",
  'tell me a joke',
  'what is the weather tomorrow',
  'book a table for two at an italian restaurant',
  'how tall is mount everest',
];
const gibberish = ['asdkj qwpoe zzxv', 'blah', ''];

describe('the embedded intent classifier, trained on a broadband company intent set', () => {
  let classifier: TrainedIntentClassifier;
  beforeAll(() => {
    classifier = trainIntentClassifier(examples, { wordVectors });
  });

  it('knows the intents it was taught, and not the out-of-scope label', () => {
    expect(classifier.intents).toEqual([
      'account_balance', 'agent', 'billing', 'cancellation', 'moving_house', 'new_service', 'order_status', 'outage', 'payment', 'tech_support',
    ]);
  });

  it.each(paraphrases)('understands the paraphrase "%s" as %s', (text, intent) => {
    const prediction = classifier.classify(text);
    expect(prediction).toMatchObject({ intent, outOfScope: false });
    expect(prediction.ranked[0]?.intent).toBe(intent);
  });

  it.each([...unrelated, ...gibberish])('marks "%s" out of scope', (text) => {
    expect(classifier.classify(text)).toMatchObject({ intent: null, outOfScope: true });
  });

  it('gives probabilities: in [0, 1], ranked best first, at most three, summing to at most 1', () => {
    for (const text of [...paraphrases.map((p) => p[0]), ...unrelated, ...gibberish]) {
      const { confidence, ranked } = classifier.classify(text);
      expect(ranked.length).toBeGreaterThan(0);
      expect(ranked.length).toBeLessThanOrEqual(3);
      expect(confidence).toBe(ranked[0]?.confidence);
      for (const r of ranked) {
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
      }
      expect(ranked.map((r) => r.confidence)).toEqual([...ranked.map((r) => r.confidence)].sort((a, b) => b - a));
      expect(ranked.reduce((sum, r) => sum + r.confidence, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('is more confident about a clear request than about a vague one', () => {
    const clear = classifier.classify('I want to pay my bill with my credit card').confidence;
    const vague = classifier.classify('um I am not sure').confidence;
    expect(clear).toBeGreaterThan(0.8);
    expect(vague).toBeLessThan(0.5);
  });

  it('calibrates on cross-validation of its examples when no validation set is given', () => {
    expect(classifier.calibration.source).toBe('crossValidation');
    expect(classifier.calibration.temperature).toBeGreaterThan(0);
  });

  it('trains the same model from the same examples', () => {
    const again = trainIntentClassifier(examples, { wordVectors });
    for (const [text] of paraphrases) expect(again.classify(text)).toEqual(classifier.classify(text));
  });
});

describe('training', () => {
  it('works without word vectors, on word and character n-grams alone', () => {
    const classifier = trainIntentClassifier(examples);
    expect(classifier.classify('I want to cancel my internet service').intent).toBe('cancellation');
    expect(classifier.classify('where is my order').intent).toBe('order_status');
  });

  it('uses a validation set to calibrate and to choose the out-of-scope threshold', () => {
    const validation = examples.filter((_, i) => i % 5 === 0);
    const classifier = trainIntentClassifier(
      examples.filter((_, i) => i % 5 !== 0),
      { wordVectors, validation },
    );
    expect(classifier.calibration.source).toBe('validation');
    expect(classifier.classify('who wrote the odyssey').outOfScope).toBe(true);
  });

  it('chooses the out-of-scope threshold that catches the asked share of held-out out-of-scope examples', () => {
    const validation = examples.filter((_, i) => i % 3 === 0);
    const train = examples.filter((_, i) => i % 3 !== 0);
    const heldOut = validation.filter((e) => e.label === 'oos');
    const inScope = validation.filter((e) => e.label !== 'oos');
    expect(heldOut.length).toBeGreaterThanOrEqual(5);
    const rejected = (target: number): { caught: number; lost: number } => {
      const classifier = trainIntentClassifier(train, { wordVectors, validation, targetOutOfScopeRecall: target, maxInScopeRejection: 1 });
      return {
        caught: heldOut.filter((e) => classifier.classify(e.text).outOfScope).length / heldOut.length,
        lost: inScope.filter((e) => classifier.classify(e.text).outOfScope).length,
      };
    };
    const strict = rejected(1);
    const lenient = rejected(0.5);
    expect(strict.caught).toBe(1);
    expect(lenient.caught).toBeGreaterThanOrEqual(0.5);
    expect(lenient.lost).toBeLessThanOrEqual(strict.lost);
  });

  it('lowers the threshold rather than turn away more than the allowed share of in-scope examples', () => {
    const validation = examples.filter((_, i) => i % 3 === 0);
    const train = examples.filter((_, i) => i % 3 !== 0);
    const inScope = validation.filter((e) => e.label !== 'oos');
    const lostWith = (maxInScopeRejection: number): number => {
      const classifier = trainIntentClassifier(train, { wordVectors, validation, targetOutOfScopeRecall: 1, maxInScopeRejection });
      return inScope.filter((e) => classifier.classify(e.text).outOfScope).length / inScope.length;
    };
    const uncapped = lostWith(1);
    // Catching every out-of-scope example costs more in-scope ones than the cap allows here...
    expect(uncapped).toBeGreaterThan(0.1);
    // ...so the default keeps about nine in ten (an utterance with no word the examples know is turned away whatever the threshold).
    const capped = lostWith(0.1);
    expect(capped).toBeLessThan(uncapped);
    expect(capped).toBeLessThanOrEqual(0.12);
  });

  it("learns each intent's name as one of its examples, unless told not to", () => {
    // Only the names "reset_password" and "track_parcel" mention passwords and parcels.
    const few = [
      { text: 'I cannot get into my account', label: 'reset_password' },
      { text: 'my login stopped working', label: 'reset_password' },
      { text: 'where is my delivery', label: 'track_parcel' },
      { text: 'when will my order arrive', label: 'track_parcel' },
    ];
    const named = trainIntentClassifier(few);
    expect(named.classify('reset my password').intent).toBe('reset_password');
    expect(named.classify('track a parcel').intent).toBe('track_parcel');
    const unnamed = trainIntentClassifier(few, { labelNamesAsExamples: false, outOfScopeThreshold: 0 });
    expect(unnamed.classify('track a parcel').ranked[0]?.confidence).toBeLessThan(named.classify('track a parcel').ranked[0]?.confidence ?? 0);
  });

  it('adds the optional n-gram-only model only when intents have 40 or more examples on average', () => {
    // The sample set has about 20 examples per intent: asking for the lexical model changes nothing.
    const asked = trainIntentClassifier(examples, { wordVectors, lexical: { weight: 1 } });
    const plain = trainIntentClassifier(examples, { wordVectors });
    const forced = trainIntentClassifier(examples, { wordVectors, lexical: { weight: 1, minExamplesPerIntent: 0 } });
    for (const [text, intent] of paraphrases) {
      expect(asked.classify(text)).toEqual(plain.classify(text));
      expect(forced.classify(text).ranked[0]?.intent).toBe(intent);
    }
    const confidences = (c: TrainedIntentClassifier): number[] => paraphrases.map(([text]) => c.classify(text).confidence);
    expect(confidences(forced)).not.toEqual(confidences(plain));
  });

  it('refuses a training set with fewer than two intents', () => {
    expect(() => trainIntentClassifier([{ text: 'pay my bill', label: 'payment' }, { text: 'hello', label: 'oos' }])).toThrow(IntentTrainingError);
  });
});
