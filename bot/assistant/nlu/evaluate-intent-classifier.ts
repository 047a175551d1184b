import { measureCalibration, type CalibrationReport } from './calibration.js';
import { OUT_OF_SCOPE_LABEL, type IntentClassifier, type IntentPrediction, type LabelledUtterance } from './intent-classifier.js';

export interface IntentEvaluation {
  readonly count: number;
  readonly inScopeCount: number;
  readonly outOfScopeCount: number;
  /** Right intent for in-scope utterances, out-of-scope verdict for the others. */
  readonly accuracy: number;
  /** In-scope utterances given the right intent (an out-of-scope verdict counts as wrong). */
  readonly inScopeAccuracy: number;
  /** In-scope utterances whose best-ranked intent is right, ignoring the out-of-scope verdict. */
  readonly inScopeTop1Accuracy: number;
  /** Out-of-scope utterances flagged as such. */
  readonly outOfScopeRecall: number;
  /** Utterances flagged out of scope that really are. */
  readonly outOfScopePrecision: number;
  /** Calibration of `confidence` against "ranked[0] is the right intent", over every utterance. */
  readonly calibration: CalibrationReport;
}

const ratio = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

export function evaluatePredictions(
  examples: readonly LabelledUtterance[],
  predictions: readonly IntentPrediction[],
  outOfScopeLabel = OUT_OF_SCOPE_LABEL,
): IntentEvaluation {
  let inScope = 0;
  let inScopeRight = 0;
  let inScopeTop1Right = 0;
  let outOfScope = 0;
  let outOfScopeCaught = 0;
  let flagged = 0;
  const confidences: number[] = [];
  const correct: boolean[] = [];
  examples.forEach((example, i) => {
    const p = predictions[i] as IntentPrediction;
    const isOos = example.label === outOfScopeLabel;
    if (p.outOfScope) flagged += 1;
    if (isOos) {
      outOfScope += 1;
      if (p.outOfScope) outOfScopeCaught += 1;
    } else {
      inScope += 1;
      if (!p.outOfScope && p.intent === example.label) inScopeRight += 1;
      if (p.ranked[0]?.intent === example.label) inScopeTop1Right += 1;
    }
    confidences.push(p.confidence);
    correct.push(!isOos && p.ranked[0]?.intent === example.label);
  });
  return {
    count: examples.length,
    inScopeCount: inScope,
    outOfScopeCount: outOfScope,
    accuracy: ratio(inScopeRight + outOfScopeCaught, examples.length),
    inScopeAccuracy: ratio(inScopeRight, inScope),
    inScopeTop1Accuracy: ratio(inScopeTop1Right, inScope),
    outOfScopeRecall: ratio(outOfScopeCaught, outOfScope),
    outOfScopePrecision: ratio(outOfScopeCaught, flagged),
    calibration: measureCalibration(confidences, correct),
  };
}

export function evaluateIntentClassifier(
  classifier: IntentClassifier,
  examples: readonly LabelledUtterance[],
  outOfScopeLabel = OUT_OF_SCOPE_LABEL,
): IntentEvaluation {
  return evaluatePredictions(
    examples,
    examples.map((e) => classifier.classify(e.text)),
    outOfScopeLabel,
  );
}
