import { fitTemperature, measureCalibration } from '../../bot/assistant/nlu/calibration.js';
import { createSeededRandom } from '../../bot/assistant/nlu/seeded-random.js';
import { softmaxInPlace } from '../../bot/assistant/nlu/softmax-regression.js';

/** Logits whose labels are drawn from softmax(logits / trueTemperature): a model that is over- or under-confident by that factor. */
function syntheticScores(trueTemperature: number, count: number): { logits: Float64Array[]; labels: number[] } {
  const random = createSeededRandom(11);
  const logits: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const row = Float64Array.from({ length: 5 }, () => random() * 6);
    const p = softmaxInPlace(Float64Array.from(row), trueTemperature);
    let u = random();
    let label = 0;
    while (label < 4 && u > (p[label] as number)) u -= p[label++] as number;
    logits.push(row);
    labels.push(label);
  }
  return { logits, labels };
}

describe('temperature scaling', () => {
  it.each([0.5, 1, 2.5])('recovers the temperature %p that makes the scores honest probabilities', (trueTemperature) => {
    const { logits, labels } = syntheticScores(trueTemperature, 1500);
    expect(fitTemperature(logits, labels)).toBeCloseTo(trueTemperature, 0);
    expect(Math.abs(fitTemperature(logits, labels) - trueTemperature) / trueTemperature).toBeLessThan(0.15);
  });

  it('lowers the calibration error of an overconfident model', () => {
    const { logits, labels } = syntheticScores(2.5, 1500);
    const ece = (temperature: number): number => {
      const top = logits.map((row) => {
        const p = softmaxInPlace(Float64Array.from(row), temperature);
        const best = p.indexOf(Math.max(...p));
        return { confidence: p[best] as number, best };
      });
      return measureCalibration(
        top.map((t) => t.confidence),
        top.map((t, i) => t.best === labels[i]),
      ).expectedCalibrationError;
    };
    const fitted = fitTemperature(logits, labels);
    expect(ece(1)).toBeGreaterThan(0.1);
    expect(ece(fitted)).toBeLessThan(0.03);
  });

  it('leaves the scores alone when there is nothing to fit on', () => {
    expect(fitTemperature([], [])).toBe(1);
  });
});

describe('expected calibration error', () => {
  it('is zero when confidence matches accuracy bin by bin and grows with the gap', () => {
    const confidences = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55, 0.55, 0.55];
    expect(measureCalibration(confidences, [true, true, true, true, true, true, false, false]).expectedCalibrationError).toBeCloseTo(0.05 * 0.5 + 0.05 * 0.5);
    expect(measureCalibration(confidences, [false, false, false, false, true, true, false, false]).expectedCalibrationError).toBeCloseTo(0.95 * 0.5 + 0.05 * 0.5);
    const report = measureCalibration([1, 0], [true, false]);
    expect(report.bins).toHaveLength(10);
    expect(report.bins[9]).toMatchObject({ count: 1, accuracy: 1 });
  });
});
