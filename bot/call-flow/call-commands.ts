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

export type CallCommand =
  | { readonly kind: 'PlayPrompt'; readonly prompt: Prompt; readonly operationContext: string }
  | {
      readonly kind: 'StartRecognition';
      readonly prompt: Prompt;
      readonly mode: RecognitionMode;
      readonly initialSilenceTimeoutInSeconds: number;
      readonly interruptPrompt: boolean;
      readonly operationContext: string;
    }
  | { readonly kind: 'CancelMedia' }
  | { readonly kind: 'HangUp' };

export type CallCommandKind = CallCommand['kind'];
