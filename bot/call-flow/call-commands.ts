/** What the call flow wants done. The shell executes these after the state is saved. */

export interface Prompt {
  /** Plain text spoken with the voice, or SSML when `ssml` is true. */
  readonly text: string;
  readonly ssml?: boolean;
  readonly voice: string;
  readonly language: string;
}

export interface Choice {
  readonly label: string;
  readonly phrases: readonly string[];
  readonly tone?: string;
}

export type RecognitionMode =
  | { readonly kind: 'speechOrDtmf'; readonly maxTonesToCollect: number }
  | { readonly kind: 'dtmf'; readonly maxTonesToCollect: number; readonly stopTones: readonly string[] }
  | { readonly kind: 'choices'; readonly choices: readonly Choice[] };

export interface RequiredSkill {
  readonly skill: string;
  readonly minProficiency: number;
}

/** What the agent's screen shows: what the assistant learned before the hand-off. */
export interface HandOffContext {
  readonly intent: string | undefined;
  readonly confidence: number | undefined;
  readonly language: string;
  /** The name of the line the caller dialled, when the config gives one. */
  readonly line?: string;
  readonly reason: string;
  /** The caller's number, the transcript, and the slots (masked ones as asterisks) for the agent's screen. */
  readonly pii: { readonly callerId: string; readonly transcript: readonly string[]; readonly slots: Readonly<Record<string, string>> };
}

export type CallCommand =
  | { readonly kind: 'PlayPrompt'; readonly prompt: Prompt; readonly operationContext: string }
  /** An audio file (music on hold), looped until cancelled. */
  | { readonly kind: 'PlayAudio'; readonly url: string; readonly loop: boolean; readonly operationContext: string }
  | {
      readonly kind: 'StartRecognition';
      readonly prompt: Prompt;
      readonly mode: RecognitionMode;
      readonly initialSilenceTimeoutInSeconds: number;
      /** Silence that ends a spoken answer (absent in commands saved before it existed: 1 s). */
      readonly endSilenceTimeoutInSeconds?: number;
      readonly interruptPrompt: boolean;
      readonly operationContext: string;
    }
  | { readonly kind: 'CancelMedia' }
  /** Records the call's audio (a voicemail); the shell reports the recording id as RecordingStarted. */
  | { readonly kind: 'StartRecording'; readonly operationContext: string }
  | { readonly kind: 'StopRecording'; readonly recordingId: string }
  /** `ringTimeInSeconds`: how long the Teams user rings (default 30 s). */
  | { readonly kind: 'AddTeamsUser'; readonly teamsUserId: string; readonly operationContext: string; readonly ringTimeInSeconds?: number }
  | { readonly kind: 'RemoveTeamsUser'; readonly teamsUserId: string; readonly operationContext: string }
  /** Hands the caller to a phone number outside the contact center (the bot leaves the call). */
  | { readonly kind: 'TransferToPhone'; readonly phoneNumber: string; readonly operationContext: string }
  | { readonly kind: 'HangUp' }
  | {
      readonly kind: 'RunAction';
      readonly actionId: string;
      readonly action: string;
      readonly language: string;
      readonly fillerDelayInMs: number;
      readonly timeoutInMs: number;
      /** The caller's date in the line's time zone (YYYY-MM-DD): the action says far-off dates with their year. */
      readonly today?: string;
      /** Slot values; personal data (a PIN) never leaves the outbox into history. */
      readonly pii: { readonly slots: Readonly<Record<string, string>> };
    }
  | {
      readonly kind: 'RequestRouting';
      readonly queueId: string;
      readonly priority: number;
      readonly requiredSkills: readonly RequiredSkill[];
      readonly context: HandOffContext;
    }
  | { readonly kind: 'CancelRouting'; readonly queueId: string; readonly reason: 'callerHungUp' }
  /** Outside the queue's hours: the call joins the queue as a callback when the queue opens (`at`). */
  | {
      readonly kind: 'ScheduleCallback';
      readonly queueId: string;
      readonly priority: number;
      readonly requiredSkills: readonly RequiredSkill[];
      readonly context: HandOffContext;
      readonly at: string;
      readonly pii: { readonly phoneNumber: string };
      /** The dial this booking is for, when it is not the first (a callback nobody answered). */
      readonly attempt?: number;
    }
  /** The caller answered their callback: routing treats them as waiting on the line again. */
  | { readonly kind: 'CallbackAnswered'; readonly queueId: string }
  /** The caller chose to be called back: they keep their place without staying on the line. */
  | { readonly kind: 'RequestCallback'; readonly queueId: string; readonly pii: { readonly phoneNumber: string } }
  /** Dial the caller back (a new call connection whose events come to this call). */
  | { readonly kind: 'CreateCall'; readonly fromNumber: string; readonly operationContext: string; readonly pii: { readonly phoneNumber: string } }
  /** Tells routing how an offer ended, or that a connected call is over (frees the agent). */
  | {
      readonly kind: 'NotifyRouting';
      readonly outcome: 'offerAccepted' | 'offerDeclined' | 'offerNotAnswered' | 'callEnded' | 'callbackFailed';
      readonly queueId: string;
      readonly offerId: string;
      readonly agentId: string;
      /** The agent talked with the caller and their part is over: the queue's after-call work (wrap-up) applies. */
      readonly wrapUp?: true;
    };

export type CallCommandKind = CallCommand['kind'];
