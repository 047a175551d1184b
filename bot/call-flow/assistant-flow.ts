import type { Prompt, RequiredSkill } from './call-commands.js';
import type { DateRange } from './spoken-date.js';

/**
 * The call flow's view of the contact-center configuration: what to say, how to understand and
 * what each intent leads to. Built once from the YAML config (bot/assistant) and the trained
 * classifier; the decider reads it and nothing else, so it stays pure.
 */
export type PromptKey =
  | 'greeting' | 'openQuestion' | 'languageMenu' | 'clarify' | 'noInput' | 'noMatch'
  | 'transferring' | 'noAgents' | 'afterHours' | 'goodbye' | 'filler' | 'actionFailed'
  | 'anythingElse' | 'confirmSlot' | 'queuePosition' | 'queueExpectedWait'
  /** Before the first announcement in a queue (nobody free), and before each later one. */
  | 'queueWelcome' | 'queueStillWaiting'
  /** A fault of ours: said before the caller's request for a person is sent once more. */
  | 'technicalDifficulty'
  | 'callbackOffer' | 'callbackConfirmed' | 'callbackConnecting' | 'voicemailPrompt' | 'voicemailSaved'
  /** One line of the keypad menu: {label} and {key}. */
  | 'keypadMenuOption';

export interface Understanding {
  readonly intent: string | null;
  readonly confidence: number;
  readonly outOfScope: boolean;
  readonly ranked: readonly { readonly intent: string; readonly confidence: number }[];
}

export type SlotType = 'digits' | 'date' | 'yesNo' | 'freeText';

export interface SlotDefinition {
  readonly name: string;
  readonly type: SlotType;
  /** How the caller may answer; `dtmf` for secrets such as a PIN. */
  readonly input: 'speechOrDtmf' | 'dtmf' | 'speech';
  /** Prompt text per language asking for this slot. */
  readonly ask: (language: string) => Prompt;
  /** Said before asking again when a value was heard but is not valid. */
  readonly invalid?: (language: string) => Prompt;
  /** Date slots: said instead of `invalid` when a date was heard but is outside `dateRange` ("yesterday" for a booking). */
  readonly outOfRange?: (language: string) => Prompt;
  readonly minLength: number;
  readonly maxLength: number;
  /** Kept out of history (a PIN): recorded as asterisks. */
  readonly mask: boolean;
  /** Read back to the caller for a yes / no before it is used. */
  readonly confirm: boolean;
  /** Date slots: which dates are valid (a booking is in the future); default any. */
  readonly dateRange?: DateRange;
}

export interface EscalationTarget {
  readonly queueId: string;
  readonly priority: number;
  readonly requiredSkills: readonly RequiredSkill[];
}

export type IntentOutcome =
  /** `slots` are asked for before the caller is queued, for the agent's screen. */
  | { readonly kind: 'escalate'; readonly target: EscalationTarget; readonly slots?: readonly SlotDefinition[] }
  /** `timeoutInMs`: the action's own hard limit, when it has one (else the assistant's actionTimeoutInMs). */
  | { readonly kind: 'selfService'; readonly action: string; readonly slots: readonly SlotDefinition[]; readonly timeoutInMs?: number }
  | { readonly kind: 'goodbye' }
  /** The assistant answers itself (opening hours as they stand at `now`), then asks whether there is anything else. */
  | { readonly kind: 'inform'; readonly answer: (language: string, now: Date) => Prompt };

/** The slots an intent asks for: before its action, or before the caller is queued. */
export function slotsOf(outcome: IntentOutcome): readonly SlotDefinition[] {
  return outcome.kind === 'selfService' ? outcome.slots : outcome.kind === 'escalate' ? (outcome.slots ?? []) : [];
}

export interface IntentDefinition {
  readonly name: string;
  /** Spoken name in a language, used in the clarifying question ("technical support", "asistencia técnica"). */
  readonly spokenName: (language: string) => string;
  readonly dtmfKey: string | undefined;
  readonly outcome: IntentOutcome;
  /** A yes / no question asked before acting (e.g. before cancelling service). */
  readonly confirm?: (language: string) => Prompt;
}

/** A closed schedule's message (a prompt named in the config) and whether a message can be left. */
export interface AfterHours {
  readonly prompt: string;
  /** Closed for a holiday: the prompt said first ({holiday} is its name), if the schedule names one. */
  readonly holidayPrompt?: string;
  readonly holiday?: string;
  readonly voicemail: boolean;
  /** The prompt offering a callback when the schedule opens (press 1; press 2 for a message), if it offers one. */
  readonly callbackPrompt?: string;
  /** When the schedule opens next (ISO 8601); a callback is placed in the queue then. */
  readonly opensAt?: string;
  /** The prompt that confirms that callback, its {opensAt} spoken in `timeZone`; else callbackConfirmed. */
  readonly callbackConfirmedPrompt?: string;
  /** The schedule's IANA time zone. */
  readonly timeZone?: string;
}

export interface LineEntry {
  /** The config's name for the line ("Customer care (main line)"), for history and the agent's screen. */
  readonly name?: string;
  readonly language: string;
  readonly languageMenu: boolean;
  /** IANA time zone in which callers' dates ("tomorrow") are read; UTC when absent. */
  readonly timeZone?: string;
  readonly queue?: { readonly queueId: string; readonly priority: number };
}

export interface LanguageOption {
  readonly code: string;
  readonly spokenName: string;
  readonly dtmfKey: string;
}

/** What callers say, in one language, to answer the assistant's own menus. */
export interface MenuWords {
  readonly yes: readonly string[];
  /** Also "nothing" / "that's all" when the assistant asks whether there is anything else. */
  readonly no: readonly string[];
  readonly person: readonly string[];
  readonly callback: readonly string[];
  /** Leaving a message (voicemail). */
  readonly message: readonly string[];
  /** Staying in the queue rather than being called back. */
  readonly wait: readonly string[];
  /** Picking the first or the second of the two intents the clarifying question names (may be empty). */
  readonly first: readonly string[];
  readonly second: readonly string[];
  /** Asking to hear the question again ("can you repeat that"); may be empty. */
  readonly repeat: readonly string[];
  /** Going back to the open question from a question about a value ("start over", "main menu"); may be empty. */
  readonly startOver: readonly string[];
}

export interface AssistantFlow {
  readonly languages: readonly LanguageOption[];
  readonly defaultLanguage: string;
  /** Menu words for a language (the default language's for one the config does not list). */
  menuWords(language: string): MenuWords;
  prompt(language: string, key: PromptKey, values?: Readonly<Record<string, string>>): Prompt;
  /** A prompt the config names (an overflow message); undefined when it has none by that key. */
  namedPrompt(language: string, key: string, values?: Readonly<Record<string, string>>): Prompt | undefined;
  understand(text: string, language: string): Understanding;
  readonly intents: ReadonlyMap<string, IntentDefinition>;
  /** The skill an agent needs to take a call in this language (e.g. spanish), if any. */
  languageSkill(language: string): RequiredSkill | undefined;
  /**
   * Music a caller hears while waiting in a queue: WAV URLs, the queue's own first, then the
   * app's built-in tone. When Call Automation cannot play one (it cannot download or read the
   * file), the next is played.
   */
  holdMusicUrls(queueId: string): readonly string[];
  /** Whether the queue's calls are recorded from the moment an agent joins (quality, compliance). */
  recordsAgentCalls(queueId: string): boolean;
  /** Where "0" and an unresolved caller go. */
  readonly personTarget: EscalationTarget;
  /** The key that always reaches a person (assistant.operator.dtmfKey). */
  readonly personKey: string;
  /** The key that asks to hear the question again (*), unless the config gives it another meaning. */
  readonly repeatKey: string | undefined;
  /** What a caller of this number hears when its line is closed at `now`; undefined while open. */
  lineClosed(calledNumber: string, now: Date): AfterHours | undefined;
  /** What a caller escalated to this queue hears when the queue is closed at `now`; undefined while open. */
  queueClosed(queueId: string, now: Date): AfterHours | undefined;
  /**
   * The language a line starts in, whether it offers the language menu, and the queue it goes
   * straight to (an advertised sales line) instead of the assistant.
   */
  line(calledNumber: string): LineEntry;
  /** Prompt keys of the notices a line plays after its greeting at `now`, in config order. */
  notices(calledNumber: string, now: Date): readonly string[];
  readonly acceptConfidence: number;
  readonly clarifyConfidence: number;
  /** Clarifying questions in a row ("Did you mean A, or B?") before a person; 0: none, low confidence is no match. */
  readonly maxClarifications: number;
  /** Reprompts at one question: after silence, and after an answer not understood (one count for both). */
  readonly maxNoInputRetries: number;
  readonly maxNoMatchRetries: number;
  /** Callers may speak or press keys over a question's prompt. */
  readonly bargeIn: boolean;
  /** Silence that ends a spoken answer. */
  readonly endSilenceTimeoutInSeconds: number;
  readonly initialSilenceTimeoutInSeconds: number;
  readonly actionFillerDelayInMs: number;
  readonly actionTimeoutInMs: number;
  /** Longest voicemail message; the caller may end it sooner with #. */
  readonly maxVoicemailInSeconds: number;
  /**
   * A queue's callbacks nobody answers: `attempts`, times one is dialled before it is given up (the
   * first try included); `retryDelayInSeconds`, the wait before it joins its queue again to be dialled.
   */
  callbackRetries(queueId: string): CallbackRetries;
}

export interface CallbackRetries {
  readonly attempts: number;
  readonly retryDelayInSeconds: number;
}
