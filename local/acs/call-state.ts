import type { CallAutomationRequests, PlaySourceModel } from './call-automation-request-schemas.js';
import {
  rawIdOf,
  toIdentifierModel,
  type CommunicationIdentifier,
  type IdentifierModel,
} from './communication-identifier.js';
import type { RecognizeRequest } from './recognize-outcome.js';
import type { SimulatedCaller } from './simulated-caller.js';

/**
 * The emulator's model of calls. A `CallRecord` is one conversation (one serverCallId) with at most
 * one Call Automation connection: the app's leg, which receives the callbacks. People in the call
 * are its participants; simulated PSTN parties also keep their own conversation log.
 */

export type CallConnectionState =
  | 'connecting'
  | 'connected'
  | 'transferring'
  | 'transferAccepted'
  | 'disconnecting'
  | 'disconnected';

export interface ParticipantRecord {
  readonly identifier: CommunicationIdentifier;
  isMuted: boolean;
  isOnHold: boolean;
}

export interface ConnectionRecord {
  readonly callConnectionId: string;
  readonly callbackUri: string;
  state: CallConnectionState;
  /** The api-version of the request that created the connection; events carry it as `version`. */
  readonly apiVersion: string;
  readonly source?: CommunicationIdentifier;
  readonly targets: readonly CommunicationIdentifier[];
  readonly sourceCallerIdNumber?: string;
  readonly sourceDisplayName?: string;
  readonly answeredBy?: string;
  readonly answeredFor?: string;
  readonly createOperationContext?: string;
  readonly mediaStreamingConfigured: boolean;
  readonly transcriptionConfigured: boolean;
  /** Outbound calls: the create request's streaming options, acted on once the call connects. */
  readonly startStreamsAtConnect?: Pick<CallAutomationRequests['createCall'], 'mediaStreamingOptions' | 'transcriptionOptions'>;
}

export interface IncomingCallRecord {
  readonly incomingCallContext: string;
  readonly from: CommunicationIdentifier;
  readonly to: CommunicationIdentifier;
  readonly callerDisplayName: string;
  status: 'pending' | 'answered' | 'rejected' | 'redirected' | 'expired';
  /** Stops the ring timeout once the call is answered, rejected or redirected. */
  cancelRingTimeout: () => void;
}

export type InvitationPurpose = 'addParticipant' | 'transfer' | 'createCall' | 'redirect';

export interface InvitationRecord {
  readonly invitationId: string;
  readonly serverCallId: string;
  readonly purpose: InvitationPurpose;
  readonly target: CommunicationIdentifier;
  readonly transferee?: CommunicationIdentifier;
  readonly operationContext?: string;
  readonly operationCallbackUri?: string;
  readonly invitationTimeoutInSeconds: number;
  state: 'ringing' | 'accepted' | 'declined' | 'timedOut' | 'unreachable' | 'canceled';
  readonly startedAt: string;
  cancelTimers: () => void;
}

interface OperationTarget {
  readonly operationId: string;
  readonly operationContext?: string;
  readonly operationCallbackUri?: string;
}

export type MediaOperation =
  | (OperationTarget & {
      readonly kind: 'play';
      readonly sources: readonly PlaySourceModel[];
      readonly playTo: readonly CommunicationIdentifier[];
      readonly loop: boolean;
    })
  | (OperationTarget & {
      readonly kind: 'recognize';
      readonly request: RecognizeRequest;
      readonly target: CommunicationIdentifier;
    });

export interface RunningMediaOperation {
  readonly operation: MediaOperation;
  /** Stops the operation's pending timers (and a live caller's input wait). */
  cancelTimers: () => void;
}

export interface ContinuousDtmfRecord {
  readonly operationContext?: string;
  readonly operationCallbackUri?: string;
  sequenceId: number;
}

export interface RecordingRecord {
  readonly recordingId: string;
  readonly serverCallId: string;
  readonly callbackUri?: string;
  state: 'active' | 'inactive';
  stopped: boolean;
  readonly startDateTime: string;
  /** The blob container the files are written to (bring your own storage); absent: the temporary store. */
  readonly destinationContainerUrl?: string;
}

export interface CallRecord {
  readonly serverCallId: string;
  readonly correlationId: string;
  state: 'ringing' | 'established' | 'ended';
  connection?: ConnectionRecord;
  incoming?: IncomingCallRecord;
  /** People in the call, by raw id. */
  readonly participants: Map<string, ParticipantRecord>;
  /** Simulated PSTN parties of this call (connected or not yet), by raw id. */
  readonly phoneParties: Map<string, SimulatedCaller>;
  readonly media: { current?: RunningMediaOperation; readonly queue: MediaOperation[] };
  readonly continuousDtmf: Map<string, ContinuousDtmfRecord>;
  participantsSequenceNumber: number;
  /** Cancels the call's own timers (incoming-call timeout, hold music) when it ends. */
  readonly cancelers: Set<() => void>;
}

export function participantModel(participant: ParticipantRecord): {
  identifier: IdentifierModel;
  isMuted: boolean;
  isOnHold: boolean;
} {
  return { identifier: toIdentifierModel(participant.identifier), isMuted: participant.isMuted, isOnHold: participant.isOnHold };
}

/** The `CallConnectionPropertiesInternal` body of create, answer and get call. */
export function connectionProperties(call: CallRecord, connection: ConnectionRecord): Record<string, unknown> {
  return {
    callConnectionId: connection.callConnectionId,
    serverCallId: call.serverCallId,
    targets: connection.targets.map(toIdentifierModel),
    callConnectionState: connection.state,
    callbackUri: connection.callbackUri,
    ...(connection.sourceCallerIdNumber ? { sourceCallerIdNumber: { value: connection.sourceCallerIdNumber } } : {}),
    ...(connection.sourceDisplayName ? { sourceDisplayName: connection.sourceDisplayName } : {}),
    ...(connection.source ? { source: toIdentifierModel(connection.source) } : {}),
    correlationId: call.correlationId,
    ...(connection.answeredBy ? { answeredBy: { id: connection.answeredBy } } : {}),
    ...(connection.answeredFor ? { answeredFor: { value: connection.answeredFor } } : {}),
  };
}

export function participantKey(identifier: CommunicationIdentifier): string {
  return rawIdOf(identifier);
}

export type StartRecordingRequest = CallAutomationRequests['startRecording'];
