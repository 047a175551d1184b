import { softmaxInPlace } from './softmax-regression.js';

/**
 * The temperature T that minimises the negative log-likelihood of softmax(logits / T) on held-out
 * examples (temperature scaling): it rescales confidence without changing which class ranks first.
 */
export function fitTemperature(logits: readonly Float64Array[], labels: readonly number[]): number {
  if (logits.length === 0) return 1;
  const nll = (logT: number): number => {
    const t = Math.exp(logT);
    let total = 0;
    logits.forEach((row, i) => {
      const p = softmaxInPlace(Float64Array.from(row), t);
      total -= Math.log(Math.max(p[labels[i] as number] as number, 1e-12));
    });
    return total;
  };
  // Golden-section search over log T in [log 0.05, log 20]: NLL is unimodal in T.
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = nll(a);
  let fb = nll(b);
  for (let i = 0; i < 40; i += 1) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = nll(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = nll(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanConfidence: number;
  readonly accuracy: number;
}

export interface CalibrationReport {
  /** Expected calibration error: bin-size-weighted mean |accuracy - confidence|, in [0, 1]. */
  readonly expectedCalibrationError: number;
  readonly bins: readonly CalibrationBin[];
}

/** Reliability of confidences: equal-width bins over [0, 1]. */
export function measureCalibration(confidences: readonly number[], correct: readonly boolean[], binCount = 10): CalibrationReport {
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, correct: 0 }));
  confidences.forEach((c, i) => {
    const bin = sums[Math.min(binCount - 1, Math.floor(c * binCount))];
    if (bin === undefined) return;
    bin.count += 1;
    bin.confidence += c;
    if (correct[i] === true) bin.correct += 1;
  });
  const total = confidences.length;
  let ece = 0;
  const bins = sums.map((s, i) => {
    const meanConfidence = s.count === 0 ? 0 : s.confidence / s.count;
    const accuracy = s.count === 0 ? 0 : s.correct / s.count;
    if (total > 0) ece += (s.count / total) * Math.abs(accuracy - meanConfidence);
    return { lower: i / binCount, upper: (i + 1) / binCount, count: s.count, meanConfidence, accuracy };
  });
  return { expectedCalibrationError: ece, bins };
}
