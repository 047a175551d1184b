import { acsResults, type ResultInformation } from './acs-result-codes.js';
import type { CallAutomationRequests, DtmfToneName } from './call-automation-request-schemas.js';

export type RecognizeRequest = CallAutomationRequests['recognize'];

/** What the caller did while a recognize was listening. */
export type CallerInput =
  | { readonly kind: 'speech'; readonly text: string; readonly confidence: number }
  | { readonly kind: 'keys'; readonly keys: string }
  | { readonly kind: 'silence' };

export type RecognizeOutcome =
  | {
      readonly type: 'RecognizeCompleted';
      readonly resultInformation: ResultInformation;
      readonly data: Record<string, unknown>;
      /** Silence the recognizer waits out before it reports (inter-digit timeout). */
      readonly afterSilenceInSeconds: number;
    }
  | {
      readonly type: 'RecognizeFailed';
      readonly resultInformation: ResultInformation;
      readonly afterSilenceInSeconds: number;
    };

const toneByKey: Readonly<Record<string, DtmfToneName>> = {
  '0': 'zero', '1': 'one', '2': 'two', '3': 'three', '4': 'four', '5': 'five', '6': 'six', '7': 'seven',
  '8': 'eight', '9': 'nine', a: 'a', b: 'b', c: 'c', d: 'd', '#': 'pound', '*': 'asterisk',
};

/** Keys as typed on a keypad ("12#") to Call Automation tone names; other characters are skipped. */
export function tonesOfKeys(keys: string): DtmfToneName[] {
  return [...keys.toLowerCase()].flatMap((key) => {
    const tone = toneByKey[key];
    return tone ? [tone] : [];
  });
}

/** The SDK fills these defaults in itself; a raw REST client may leave them out. */
const defaultInitialSilenceTimeoutInSeconds = 5;
const defaultInterToneTimeoutInSeconds = 2;

function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Decides the event a recognize produces for what the caller did, with the codes of Microsoft's
 * recognize "Event codes" table (see acs-result-codes.ts). Tones only count where the input type
 * listens for them (dtmf, speechOrDtmf, choices with tones), speech only where it listens for
 * speech; anything else is silence to the recognizer.
 */
export function decideRecognizeOutcome(request: RecognizeRequest, input: CallerInput): RecognizeOutcome {
  const options = request.recognizeOptions;
  const initialSilence = options.initialSilenceTimeoutInSeconds ?? defaultInitialSilenceTimeoutInSeconds;
  const silence: RecognizeOutcome = {
    type: 'RecognizeFailed',
    resultInformation: acsResults.recognizeInitialSilenceTimeout,
    afterSilenceInSeconds: initialSilence,
  };
  const type = request.recognizeInputType;
  if (input.kind === 'silence') return silence;

  if (input.kind === 'speech') {
    if (type === 'dtmf' || normalizePhrase(input.text) === '') return silence;
    if (type === 'choices') {
      const said = normalizePhrase(input.text);
      const choice = (options.choices ?? []).find((c) => c.phrases.some((p) => normalizePhrase(p) === said));
      if (!choice) {
        return { type: 'RecognizeFailed', resultInformation: acsResults.recognizeSpeechOptionNotMatched, afterSilenceInSeconds: 0 };
      }
      return completed(acsResults.recognizeSpeechOptionMatched, {
        recognitionType: 'choices',
        choiceResult: { label: choice.label, recognizedPhrase: input.text, confidence: input.confidence },
      });
    }
    return completed(acsResults.recognizeSpeechRecognized, {
      recognitionType: 'speech',
      speechResult: { speech: input.text, confidence: input.confidence },
    });
  }

  const tones = tonesOfKeys(input.keys);
  if (type === 'speech' || tones.length === 0) return silence;
  if (type === 'choices') {
    const first = tones[0];
    const choice = (options.choices ?? []).find((c) => c.tone !== undefined && c.tone === first);
    if (!choice) {
      return { type: 'RecognizeFailed', resultInformation: acsResults.recognizeIncorrectTone, afterSilenceInSeconds: 0 };
    }
    return completed(acsResults.recognizeDtmfOptionMatched, { recognitionType: 'choices', choiceResult: { label: choice.label } });
  }

  const dtmf = options.dtmfOptions ?? {};
  const maxTones = dtmf.maxTonesToCollect ?? 1;
  const stopTones = new Set(dtmf.stopTones ?? []);
  const collected: DtmfToneName[] = [];
  for (const tone of tones) {
    if (stopTones.has(tone)) {
      return completed(acsResults.recognizeStopToneDetected, { recognitionType: 'dtmf', dtmfResult: { tones: collected } });
    }
    collected.push(tone);
    if (collected.length >= maxTones) {
      return completed(acsResults.recognizeMaxDigitsReceived, { recognitionType: 'dtmf', dtmfResult: { tones: collected } });
    }
  }
  return completed(
    acsResults.recognizeInterDigitTimeout,
    { recognitionType: 'dtmf', dtmfResult: { tones: collected } },
    dtmf.interToneTimeoutInSeconds ?? defaultInterToneTimeoutInSeconds,
  );
}

function completed(resultInformation: ResultInformation, data: Record<string, unknown>, afterSilenceInSeconds = 0): RecognizeOutcome {
  return { type: 'RecognizeCompleted', resultInformation, data, afterSilenceInSeconds };
}
