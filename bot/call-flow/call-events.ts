import type { Understanding } from './assistant-flow.js';

/**
 * What happened on a call, in the bot's own words. Adapters translate Call Automation callbacks
 * (and the results of the bot's own actions) into these; the decider consumes nothing else.
 */
interface EventBase {
  /** CloudEvent id (or a deterministic id for the bot's own events): the unit of de-duplication. */
  readonly eventId: string;
  readonly occurredAt: string;
  readonly operationContext?: string;
}

export type CallEvent =
  /** `correlationId`: Call Automation's id of the call (a callback's new call has its own). */
  | (EventBase & { readonly kind: 'CallConnected'; readonly callConnectionId: string; readonly correlationId?: string })
  | (EventBase & { readonly kind: 'CallDisconnected' })
  | (EventBase & { readonly kind: 'PlayCompleted' })
  | (EventBase & { readonly kind: 'PlayFailed'; readonly code: number; readonly subCode: number; readonly message: string })
  | (EventBase & { readonly kind: 'PlayCanceled' })
  /** `understanding`: what a language service made of the words, when the shell asked one before deciding. */
  | (EventBase & { readonly kind: 'SpeechRecognized'; readonly text: string; readonly confidence: number; readonly understanding?: Understanding })
  | (EventBase & { readonly kind: 'KeysPressed'; readonly tones: string })
  | (EventBase & { readonly kind: 'ChoiceRecognized'; readonly label: string; readonly phrase: string | undefined })
  | (EventBase & { readonly kind: 'RecognitionTimedOut' })
  | (EventBase & { readonly kind: 'RecognitionFailed'; readonly code: number; readonly subCode: number; readonly message: string })
  | (EventBase & { readonly kind: 'RecognitionCanceled' })
  /** The shell could not start the recognition (Call Automation refused it): the caller heard nothing. */
  | (EventBase & { readonly kind: 'RecognitionNotStarted'; readonly reason: string })
  /**
   * Who is on the call now. `sequenceNumber` grows with each snapshot of a call connection: a
   * snapshot delivered late (a retried callback) is older than one already applied.
   */
  | (EventBase & { readonly kind: 'ParticipantsUpdated'; readonly participantIds: readonly string[]; readonly sequenceNumber?: number })
  /** An invited participant (an agent) joined; operationContext names the offer. */
  | (EventBase & { readonly kind: 'ParticipantAdded'; readonly participantRawId: string })
  | (EventBase & { readonly kind: 'AddParticipantFailed'; readonly participantRawId: string; readonly code: number; readonly subCode: number; readonly message: string })
  /** The phone number an agent transferred the caller to answered: the call goes on without the assistant. */
  | (EventBase & { readonly kind: 'CallTransferAccepted' })
  /** It did not (busy, no answer, refused), or the transfer could not be sent: the caller is still on this call. */
  | (EventBase & { readonly kind: 'CallTransferFailed'; readonly code: number; readonly subCode: number; readonly message: string })
  | (EventBase & { readonly kind: 'ActionCompleted'; readonly actionId: string; readonly result: ActionResult })
  | (EventBase & { readonly kind: 'ActionSlow'; readonly actionId: string })
  /** `failed`: the request could not be sent (Service Bus unreachable), as opposed to no routing deployed. */
  | (EventBase & { readonly kind: 'RoutingUnavailable'; readonly reason: string; readonly failed?: boolean })
  /** From routing: the caller's place in the queue, to be announced. */
  | (EventBase & { readonly kind: 'QueuePositionAnnounced'; readonly position: number; readonly expectedWaitInSeconds: number })
  /** From routing: the queue gives the call up (too long, too many, nobody logged in, dead-lettered). */
  | (EventBase & { readonly kind: 'QueueOverflowed'; readonly queueId: string; readonly reason: string; readonly action: OverflowTarget })
  /** From routing: the expected wait is long; offer a callback. */
  | (EventBase & { readonly kind: 'CallbackOffered'; readonly expectedWaitInSeconds: number })
  /** From routing: the callback's turn has come and an agent is reserved; dial the caller. */
  /** `ringTimeInSeconds`: how long the reserved agent rings, the queue's own (absent before it was carried: 30 s). */
  | (EventBase & { readonly kind: 'CallbackDue'; readonly offerId: string; readonly agentId: string; readonly teamsUserId: string; readonly phoneNumber: string; readonly ringTimeInSeconds?: number })
  /** The shell started a voicemail recording; its id is needed to stop it. */
  | (EventBase & { readonly kind: 'RecordingStarted'; readonly recordingId: string })
  /** `operationContext` names what the recording is for: `voicemail:<n>` or `agentCall:<n>`. */
  /** Call Automation refused to start the voicemail recording (a 5xx after the SDK's retries): no message can be taken. */
  | (EventBase & { readonly kind: 'RecordingNotStarted'; readonly reason: string })
  /** The outbound call (a callback) could not be placed or was not answered. */
  | (EventBase & { readonly kind: 'CallNotAnswered'; readonly code: number; readonly subCode: number })
  /** From the agent API: bring a subject-matter expert into the call (conference). */
  | (EventBase & { readonly kind: 'ConsultRequested'; readonly agentId: string; readonly teamsUserId: string })
  /** From the agent API: blind transfer of the caller to a queue, an agent or a phone number. */
  | (EventBase & { readonly kind: 'TransferRequested'; readonly target: TransferTarget })
  /**
   * From Event Grid: a recording of the call (a voicemail) is stored; `contentLocations` are its
   * files (in the deployment's recordings container). Recorded in any stage.
   */
  | (EventBase & { readonly kind: 'RecordingFileAvailable'; readonly contentLocations: readonly string[]; readonly durationMs?: number })
  /** From the agent API: how the call ended for the agent (a disposition code) and their notes, recorded in any stage. */
  | (EventBase & { readonly kind: 'DispositionRecorded'; readonly agentId: string; readonly disposition: string; readonly notes?: string })
  | (EventBase & { readonly kind: 'UnknownCallEvent'; readonly type: string });

export type TransferTarget =
  | { readonly kind: 'queue'; readonly queueId: string }
  | { readonly kind: 'agent'; readonly agentId: string; readonly teamsUserId: string }
  | { readonly kind: 'phone'; readonly phoneNumber: string };

export type OverflowTarget =
  | { readonly kind: 'queue'; readonly queueId: string }
  | { readonly kind: 'voicemail' }
  | { readonly kind: 'callback' }
  /** `message` is a prompt key. */
  | { readonly kind: 'disconnect'; readonly message: string };

export type CallEventKind = CallEvent['kind'];

/**
 * What an action's outcome says: one of the config's prompts by key, with its placeholder values
 * (the flow renders it in the caller's language and voice, escaping the values inside SSML).
 */
export interface ActionSpeech {
  readonly prompt: string;
  readonly values?: Readonly<Record<string, string>>;
}

/** Outcome of a self-service action, fed back into the call flow as an event. */
export type ActionResult =
  | { readonly status: 'succeeded'; readonly say: ActionSpeech }
  | { readonly status: 'notFound'; readonly say: ActionSpeech }
  /** A value was wrong (a PIN): ask for `slot` again, at most `maxAttempts` times in all, then `lockedSay` and a person. */
  | { readonly status: 'retry'; readonly say: ActionSpeech; readonly slot: string; readonly maxAttempts: number; readonly lockedSay: ActionSpeech }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'timedOut' };
