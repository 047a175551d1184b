import { packLinearModel, packSplitLinearModel } from '../../bot/assistant/nlu/linear-model.js';
import { createSeededRandom } from '../../bot/assistant/nlu/seeded-random.js';
import { fitTextFeaturizer } from '../../bot/assistant/nlu/text-featurizer.js';
import { decodeWordVectors, encodeWordVectors } from '../../bot/assistant/nlu/word-vectors.js';
import { DEFAULT_FEATURES } from '../../bot/assistant/nlu/train-intent-classifier.js';

const random = createSeededRandom(3);
const vocabulary = ['pay', 'my', 'bill', 'the', 'internet', 'is', 'down', 'cancel', 'account', 'please'];
const dimensions = 8;
const wordVectors = decodeWordVectors(
  encodeWordVectors(
    vocabulary.map((w) => [w, Array.from({ length: dimensions }, () => random() - 0.5)] as const),
    dimensions,
  ),
);
const training = ['pay my bill', 'the internet is down', 'cancel my account please'];
const utterances = ['please pay the bill', 'internet down again', 'cancel cancel cancel', 'unknown words only', ''];

describe('scoring the mean of word vectors per word', () => {
  for (const pooling of ['mean', 'meanAndMax', 'meanMaxMin'] as const) {
    it(`gives the same class scores as scoring the whole feature vector (${pooling} pooling)`, () => {
      const featurizer = fitTextFeaturizer(training, { ...DEFAULT_FEATURES, embeddingPooling: pooling }, wordVectors);
      const classes = 4;
      const weights = Float64Array.from({ length: featurizer.dimension * classes }, () => random() - 0.5);
      const bias = Float64Array.from({ length: classes }, () => random());
      const whole = packLinearModel({ weights, bias }, classes, featurizer.dimension, featurizer.denseFrom);
      const split = packSplitLinearModel({ weights, bias }, classes, featurizer.dimension, featurizer.denseFrom, featurizer.meanDimensions);
      for (const text of [...utterances, ...utterances]) {
        const expected = Array.from(whole.logits(featurizer.featurize(text)));
        const actual = Array.from(split.logits(featurizer.featurizeSplit(text)));
        actual.forEach((v, c) => expect(v).toBeCloseTo(expected[c] as number, 4));
      }
    });
  }
});
