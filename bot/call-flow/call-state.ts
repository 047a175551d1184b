import type { CallCommand, Prompt, RecognitionMode } from './call-commands.js';
import type { RecordedCallCommand, RecordedCallEvent } from './recorded-history.js';

import type { EscalationTarget } from './assistant-flow.js';

export const callStateSchemaVersion = 1;

export type CallStage =
  | 'answering' | 'languageMenu' | 'understanding' | 'clarifying' | 'confirmingIntent' | 'collectingSlot' | 'confirmingSlot'
  | 'runningAction' | 'anythingElse' | 'escalating' | 'queued' | 'connected' | 'ending'
  /** Recording a message for the queue (overflow to voicemail). */
  | 'voicemail'
  /** The caller hung up to be called back and keeps their place in the queue. */
  | 'callbackPending'
  /** Dialling the caller back, an agent reserved. */
  | 'callingBack'
  /** Outside business hours: a callback when the queue opens (1), or a message (2), is on offer. */
  | 'closed'
  | 'ended';

/** Everything a call needs between invocations; plain JSON, stored in Cosmos. */
export interface CallState {
  readonly schemaVersion: typeof callStateSchemaVersion;
  readonly callId: string;
  readonly stage: CallStage;
  readonly callConnectionId: string | undefined;
  readonly language: string;
  /** Counter that makes every media operation's context unique. */
  readonly operationSequence: number;
  /** Context of the media operation whose outcome the flow waits for; other outcomes are stale. */
  readonly pendingOperation: string | undefined;
  /** No-input / no-match retries at the current question. */
  readonly retries: number;
  /** Where the caller was last sent, to send them there again after a request that could not be sent. */
  readonly routingTarget?: EscalationTarget;
  /** A routing request failed to be sent and was sent once more. */
  readonly routingResent?: boolean;
  /** Announcements heard in the current queue: the first is led by queueWelcome, later ones by queueStillWaiting. */
  readonly queueAnnouncements?: number;
  /** Music on hold is playing: an announcement stops it first; otherwise it waits its turn behind the prompt. */
  readonly holdMusicPlaying?: boolean;
  /** Hold music files of the current queue that Call Automation could not play: the next one in the flow's list plays. */
  readonly holdMusicFailures?: number;
  /** The operation context of the music last played, so that its failure counts even after an announcement took over. */
  readonly holdMusicOperation?: string;
  readonly intent: string | undefined;
  readonly confidence: number | undefined;
  readonly clarifyBetween: readonly string[];
  /** Clarifying questions asked since an intent was last accepted (absent in states saved before it existed). */
  readonly clarifications?: number;
  /** Times the caller moved to another intent while asked for a slot's value (absent: none). */
  readonly intentChanges?: number;
  readonly slotIndex: number;
  /** Attempts of the current action (a wrong PIN asks again). */
  readonly actionAttempts?: number;
  readonly actionId: string | undefined;
  readonly queueId: string | undefined;
  /** The agent on the call and the offer that brought them (stage `connected`). */
  readonly agent: { readonly agentId: string; readonly offerId: string; readonly teamsUserId?: string } | undefined;
  /** A transfer to a phone number an agent asked for, until the number answers or the transfer fails. */
  readonly phoneTransfer?: { readonly phoneNumber: string; readonly operationContext: string };
  /** The voicemail recording, once started. */
  readonly recordingId?: string;
  /** Call Automation's ids of the calls that dialled the caller back (their events' own call ids). */
  readonly callbackCorrelationIds?: readonly string[];
  /** The recording of the conversation with agents (a queue that records agent calls), once started. */
  readonly agentCallRecordingId?: string;
  /** Its start was asked for (not asked again when a later agent joins). */
  readonly agentCallRecordingAsked?: boolean;
  /** The sequence number of the last participant snapshot applied on the current connection. */
  readonly participantsSequence?: number;
  /** Callbacks dialled and not answered so far (absent: none). */
  readonly callbackAttempts?: number;
  /** The callback being placed: the offer and agent reserved for it. */
  readonly callback?: { readonly offerId: string; readonly agentId: string; readonly teamsUserId: string; readonly ringTimeInSeconds?: number };
  /** What a callback chosen in the `closed` stage is queued with, and when. */
  readonly callbackWhenOpen?: {
    readonly target: EscalationTarget;
    readonly reason: string;
    readonly opensAt: string;
    readonly voicemail: boolean;
    /** Confirms the booking (see AfterHours); absent in states saved before it existed. */
    readonly confirmedPrompt?: string;
    readonly timeZone?: string;
  };
  /** Experts conferenced in, or an agent being transferred to, until they join or leave. */
  readonly consultants?: readonly { readonly agentId: string; readonly teamsUserId: string; readonly purpose: 'consult' | 'transfer'; readonly joined: boolean }[];
  readonly endReason: string | undefined;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  /** Personal data: the caller's number, what they said, slot values (a PIN until its action runs). */
  readonly pii: {
    readonly callerId: string;
    readonly calledNumber: string;
    readonly transcript: readonly string[];
    readonly slots: Readonly<Record<string, string>>;
    /** The open question asked last (it may read back what the caller gave), for a caller who asks to hear it again. */
    readonly question?: {
      readonly prompt: Prompt;
      readonly mode: RecognitionMode;
      /** The question as it was asked, where that differs from `prompt` (a greeting before it). */
      readonly asked?: Prompt;
    };
  };
  /** Times the current question was repeated on request. */
  readonly repeats?: number;
}

/** One entry of the call's history; written next to the state in the call's partition. */
export type HistoryEntry =
  /** `line`: the config's name for the number dialled. */
  | { readonly kind: 'callReceived'; readonly line?: string; readonly pii: { readonly callerId: string; readonly calledNumber: string } }
  /** Events and commands keep personal data under `pii` (see recorded-history.ts). */
  | { readonly kind: 'event'; readonly event: RecordedCallEvent; readonly ignored?: 'stale' | 'unknown' | 'ended' }
  | { readonly kind: 'command'; readonly command: RecordedCallCommand }
  | { readonly kind: 'commandFailed'; readonly command: RecordedCallCommand['kind']; readonly error: string }
  /** An abandoned outbox entry's command left out when it was finished: the call had moved past it. */
  | { readonly kind: 'commandSkipped'; readonly command: RecordedCallCommand['kind']; readonly reason: string }
  | { readonly kind: 'stageChanged'; readonly from: CallStage; readonly to: CallStage }
  | { readonly kind: 'callerTurn'; readonly input: 'speech' | 'dtmf' | 'choice'; readonly confidence: number | undefined; readonly pii: { readonly text: string } }
  | { readonly kind: 'intentDecision'; readonly intent: string | null; readonly confidence: number; readonly verdict: 'accepted' | 'clarify' | 'noMatch' | 'outOfScope' | 'keypad' | 'startOver' }
  /** `reason`: why a failed action failed (a backend's status or broken answer), for whoever reads the history. */
  | { readonly kind: 'actionResult'; readonly actionId: string; readonly status: string; readonly reason?: string }
  | { readonly kind: 'callEnded'; readonly reason: string }
  | { readonly kind: 'routingDecision'; readonly queueId: string; readonly decision: unknown }
  | { readonly kind: 'voicemailRecorded'; readonly queueId: string; readonly recordingId: string }
  /** The conversation with agents is recorded (the queue records agent calls). */
  | { readonly kind: 'callRecorded'; readonly queueId: string; readonly recordingId: string }
  /** An agent's consult or transfer the call could not act on, and why (the agent API answers 409 with it). */
  | { readonly kind: 'requestRefused'; readonly request: 'consult' | 'transfer'; readonly reason: string }
  /** The caller's personal data was erased from this call (an erasure request). */
  | { readonly kind: 'personalDataErased' }
  /** The caller would have gone to this queue, but it was outside its business hours. */
  | { readonly kind: 'queueClosed'; readonly queueId: string; readonly reason: string };

export interface Decision {
  readonly state: CallState;
  readonly commands: readonly CallCommand[];
  readonly history: readonly HistoryEntry[];
}
