/**
 * The language-understanding port. The embedded classifier (train-intent-classifier.ts) implements
 * it; a deployment may put Azure AI Language or Azure OpenAI behind the same shape, so nothing here
 * may mention how a model works inside.
 */

export interface RankedIntent {
  readonly intent: string;
  /** Calibrated probability that this intent is what the caller meant, in [0, 1]. */
  readonly confidence: number;
}

export interface IntentPrediction {
  /** The recognised intent, or null when the utterance is out of scope. */
  readonly intent: string | null;
  /**
   * Calibrated probability that the best in-scope intent (`ranked[0]`) is what the caller meant:
   * of all predictions made with confidence 0.8, about 80 % are right. Low when out of scope.
   */
  readonly confidence: number;
  /** True when the utterance matches none of the known intents. */
  readonly outOfScope: boolean;
  /** The best in-scope intents, most likely first, at most three. */
  readonly ranked: readonly RankedIntent[];
}

export interface IntentClassifier {
  /** In-scope intents this classifier can return, sorted. */
  readonly intents: readonly string[];
  classify(text: string): IntentPrediction;
}

export interface LabelledUtterance {
  readonly text: string;
  readonly label: string;
}

/** Label that marks out-of-scope examples in training and evaluation data (CLINC150's convention). */
export const OUT_OF_SCOPE_LABEL = 'oos';
