import type { CallCommand, Prompt } from './call-commands.js';
import type { ActionResult, ActionSpeech, CallEvent } from './call-events.js';

/**
 * Events and commands as the call's history keeps them: what the caller said or keyed, phone
 * numbers and what the assistant said (it reads back slot values and balances) move under `pii`
 * keys (the slots handed to an agent are there already), so that a retention or erasure job can drop personal
 * data and keep the rest of the record (DESIGN.md §9).
 */
type EventOf<K extends CallEvent['kind']> = Extract<CallEvent, { readonly kind: K }>;
type CommandOf<K extends CallCommand['kind']> = Extract<CallCommand, { readonly kind: K }>;

export interface RecordedActionSpeech {
  readonly prompt: string;
  readonly pii?: { readonly values: Readonly<Record<string, string>> };
}

export type RecordedActionResult =
  | Extract<ActionResult, { readonly status: 'failed' | 'timedOut' }>
  | (Omit<Extract<ActionResult, { readonly status: 'succeeded' | 'notFound' }>, 'say'> & { readonly say: RecordedActionSpeech })
  | (Omit<Extract<ActionResult, { readonly status: 'retry' }>, 'say' | 'lockedSay'> & { readonly say: RecordedActionSpeech; readonly lockedSay: RecordedActionSpeech });

export type RecordedCallEvent =
  | Exclude<CallEvent, { readonly kind: 'SpeechRecognized' | 'KeysPressed' | 'ChoiceRecognized' | 'ParticipantsUpdated' | 'CallbackDue' | 'ActionCompleted' | 'DispositionRecorded' }>
  | (Omit<EventOf<'SpeechRecognized'>, 'text'> & { readonly pii: { readonly text: string } })
  | (Omit<EventOf<'KeysPressed'>, 'tones'> & { readonly pii: { readonly tones: string } })
  | (Omit<EventOf<'ChoiceRecognized'>, 'phrase'> & { readonly pii: { readonly phrase: string | undefined } })
  | (Omit<EventOf<'ParticipantsUpdated'>, 'participantIds'> & { readonly pii: { readonly participantIds: readonly string[] } })
  | (Omit<EventOf<'CallbackDue'>, 'phoneNumber'> & { readonly pii: { readonly phoneNumber: string } })
  | (Omit<EventOf<'ActionCompleted'>, 'result'> & { readonly result: RecordedActionResult })
  /** An agent's notes may say anything about the caller. */
  | (Omit<EventOf<'DispositionRecorded'>, 'notes'> & { readonly pii?: { readonly notes: string } });

export type RecordedPrompt = Omit<Prompt, 'text'> & { readonly pii: { readonly text: string } };

export type RecordedCallCommand =
  | Exclude<CallCommand, { readonly kind: 'PlayPrompt' | 'StartRecognition' }>
  | (Omit<CommandOf<'PlayPrompt'>, 'prompt'> & { readonly prompt: RecordedPrompt })
  | (Omit<CommandOf<'StartRecognition'>, 'prompt'> & { readonly prompt: RecordedPrompt });

function recordedSpeech({ prompt, values }: ActionSpeech): RecordedActionSpeech {
  return values === undefined ? { prompt } : { prompt, pii: { values } };
}

function recordedResult(result: ActionResult): RecordedActionResult {
  switch (result.status) {
    case 'succeeded':
    case 'notFound':
      return { ...result, say: recordedSpeech(result.say) };
    case 'retry':
      return { ...result, say: recordedSpeech(result.say), lockedSay: recordedSpeech(result.lockedSay) };
    default:
      return result;
  }
}

export function recordedEvent(event: CallEvent): RecordedCallEvent {
  switch (event.kind) {
    case 'SpeechRecognized': {
      const { text, ...rest } = event;
      return { ...rest, pii: { text } };
    }
    case 'KeysPressed': {
      const { tones, ...rest } = event;
      return { ...rest, pii: { tones } };
    }
    case 'ChoiceRecognized': {
      const { phrase, ...rest } = event;
      return { ...rest, pii: { phrase } };
    }
    case 'ParticipantsUpdated': {
      const { participantIds, ...rest } = event;
      return { ...rest, pii: { participantIds } };
    }
    case 'CallbackDue': {
      const { phoneNumber, ...rest } = event;
      return { ...rest, pii: { phoneNumber } };
    }
    case 'ActionCompleted':
      return { ...event, result: recordedResult(event.result) };
    case 'DispositionRecorded': {
      const { notes, ...rest } = event;
      return notes === undefined ? rest : { ...rest, pii: { notes } };
    }
    default:
      return event;
  }
}

function recordedPrompt({ text, ...rest }: Prompt): RecordedPrompt {
  return { ...rest, pii: { text } };
}

export function recordedCommand(command: CallCommand): RecordedCallCommand {
  switch (command.kind) {
    case 'PlayPrompt':
    case 'StartRecognition':
      return { ...command, prompt: recordedPrompt(command.prompt) };
    default:
      return command;
  }
}
