/**
 * How long things take in the emulated calls. Real Call Automation speaks prompts at human speed
 * and waits real seconds for silence and unanswered invitations; tests want none of that, so the
 * defaults make every step happen on the next tick and `realisticCallTiming` is for `npm start`.
 */
export interface CallTiming {
  /** Text-to-speech duration per character of text or SSML. */
  readonly playDurationPerCharacterInMs: number;
  /** Duration of a played audio file (the emulator never downloads it). */
  readonly filePlayDurationInMs: number;
  /** A scripted caller's pause after a prompt before answering. */
  readonly callerResponseDelayInMs: number;
  /** Multiplies initialSilenceTimeoutInSeconds / interToneTimeoutInSeconds for scripted silence. */
  readonly silenceTimeoutScale: number;
  /** Multiplies the silence timeout while a live caller (CLI, softphone) is expected to act. */
  readonly liveSilenceTimeoutScale: number;
  /** Multiplies invitationTimeoutInSeconds for Teams users and phones that never answer. */
  readonly invitationTimeoutScale: number;
  /** How long an incoming call rings without answer / reject / redirect before the caller gives up. */
  readonly incomingCallTimeoutInMs: number;
  /** Pauses between delivery attempts of a callback or Event Grid event (one retry per entry). */
  readonly deliveryRetryDelaysInMs: readonly number[];
}

export const fastCallTiming: CallTiming = {
  playDurationPerCharacterInMs: 0,
  filePlayDurationInMs: 0,
  callerResponseDelayInMs: 0,
  silenceTimeoutScale: 0,
  liveSilenceTimeoutScale: 1,
  invitationTimeoutScale: 0,
  incomingCallTimeoutInMs: 60_000,
  deliveryRetryDelaysInMs: [10, 50, 200],
};

export const realisticCallTiming: CallTiming = {
  playDurationPerCharacterInMs: 60,
  filePlayDurationInMs: 3_000,
  callerResponseDelayInMs: 800,
  silenceTimeoutScale: 1,
  liveSilenceTimeoutScale: 1,
  invitationTimeoutScale: 1,
  incomingCallTimeoutInMs: 60_000,
  deliveryRetryDelaysInMs: [1_000, 5_000, 15_000],
};
