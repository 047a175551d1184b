import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { RingBehaviour, TeamsUserDirectory } from '../teams/teams-user-directory.js';
import { AcsError } from './acs-error.js';
import { acsResults, type InvitingOperation, type ResultInformation } from './acs-result-codes.js';
import type { CallAutomationRequests } from './call-automation-request-schemas.js';
import type { CallbackSender } from './callback-sender.js';
import { CallEvents } from './call-events.js';
import {
  connectionProperties,
  participantKey,
  participantModel,
  type CallRecord,
  type ConnectionRecord,
  type InvitationPurpose,
  type InvitationRecord,
  type RecordingRecord,
} from './call-state.js';
import type { CallTiming } from './call-timing.js';
import {
  describeIdentifier,
  identifierFromModel,
  identifierFromRawId,
  phoneIdentifier,
  rawIdOf,
  toIdentifierModel,
  type CommunicationIdentifier,
} from './communication-identifier.js';
import type { EventGridSender } from './event-grid-sender.js';
import type { MediaFiles } from './media-files.js';
import { MediaOperations, playSourceProblem } from './media-operations.js';
import { tonesOfKeys, type CallerInput } from './recognize-outcome.js';
import {
  SimulatedCaller,
  type CallerStep,
  type Conversation,
  type EndReason,
  type WhenScriptEnds,
} from './simulated-caller.js';
import type { TimerSet } from './timer-set.js';

/** A REST answer: the status the SDK expects and, when it has one, the JSON body. */
export interface RestResult {
  readonly status: number;
  readonly body?: unknown;
}

/** A simulator request that cannot be carried out (unknown call, nothing ringing, ...). */
export class SimulatorError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export interface PlaceCallOptions {
  /** The caller's number (E.164), e.g. +14255550123. */
  readonly from: string;
  /** The ACS number called. */
  readonly to: string;
  readonly callerDisplayName?: string;
  readonly script?: readonly CallerStep[];
  readonly whenScriptEnds?: WhenScriptEnds;
}

/** How a simulated phone number answers when the app calls, adds or transfers to it. */
export interface PhoneBehaviour {
  readonly ringBehaviour?: RingBehaviour;
  readonly script?: readonly CallerStep[];
  readonly whenScriptEnds?: WhenScriptEnds;
}

export interface InvitationView {
  readonly invitationId: string;
  readonly purpose: InvitationPurpose;
  readonly target: string;
  /** The Teams user rung, when the target is one. */
  readonly userId?: string;
  readonly serverCallId: string;
  /** The PSTN numbers already in the call (what a Teams toast shows). */
  readonly callers: readonly string[];
  readonly state: InvitationRecord['state'];
  readonly startedAt: string;
  /** How long it rings before it is cancelled, as the app asked. */
  readonly invitationTimeoutInSeconds: number;
}

export interface CallAutomationServiceOptions {
  readonly teams: TeamsUserDirectory;
  readonly callbacks: CallbackSender;
  readonly eventGrid: EventGridSender;
  /** The Event Grid subscription for RecordingFileStatusUpdated (its own, as in Azure). */
  readonly recordingEvents?: EventGridSender;
  readonly timers: TimerSet;
  readonly timing: CallTiming;
  readonly logger: Logger;
  /** The audio files requests name, as downloaded before each request (see MediaFiles). */
  readonly files: MediaFiles;
}

type Requests = CallAutomationRequests;
type StreamsAtConnect = Pick<Requests['answerCall'], 'mediaStreamingOptions' | 'transcriptionOptions'>;

/** Used when a request gives none; the REST contract bounds it to 0-180 s. */
const defaultInvitationTimeoutInSeconds = 60;
const recordingKind = 'azureCommunicationServices';
/** Ended calls kept for the simulator's conversation log before the oldest are forgotten. */
const retainedEndedCalls = 1000;

/**
 * The behaviour behind the Call Automation REST API and the simulator: calls, their connections,
 * participants, media operations, invitations and recordings, and the callbacks each step emits.
 * Everything happens in memory; time passes through the shared TimerSet and `timing`.
 */
export class CallAutomationService {
  private readonly calls = new Map<string, CallRecord>();
  private readonly liveConnections = new Map<string, CallRecord>();
  private readonly incomingContexts = new Map<string, CallRecord>();
  private readonly invitations = new Map<string, InvitationRecord>();
  private readonly recordings = new Map<string, RecordingRecord>();
  private readonly conversations = new Map<string, { readonly caller: SimulatedCaller; readonly call: CallRecord }>();
  private readonly phoneBehaviours = new Map<string, PhoneBehaviour>();
  private readonly endedCalls: string[] = [];
  private readonly invitationEvents = new EventEmitter();
  private readonly teams: TeamsUserDirectory;
  private readonly eventGrid: EventGridSender;
  private readonly timing: CallTiming;
  private readonly logger: Logger;
  private readonly events: CallEvents;
  private readonly media: MediaOperations;
  private readonly files: MediaFiles;

  private readonly recordingEvents: EventGridSender | undefined;

  constructor(options: CallAutomationServiceOptions) {
    this.teams = options.teams;
    this.eventGrid = options.eventGrid;
    this.recordingEvents = options.recordingEvents;
    this.timing = options.timing;
    this.logger = options.logger;
    this.events = new CallEvents(options.callbacks, options.timers);
    this.files = options.files;
    this.media = new MediaOperations(this.events, options.timing, (call, party) => this.partyHangsUp(call, party), options.files);
    this.invitationEvents.setMaxListeners(0);
  }

  // ---------------------------------------------------------------- calls: create, answer, redirect, reject

  createCall(request: Requests['createCall'], apiVersion: string): RestResult {
    const targets = request.targets.map(identifierFromModel);
    if (targets.some((t) => t.kind === 'phoneNumber') && !request.sourceCallerIdNumber) {
      // Microsoft's troubleshooting tips: CreateCall, Transfer, AddParticipant and Redirect to
      // phone numbers need the SourceCallerId.
      throw AcsError.badRequest('sourceCallerIdNumber is required to call a phone number.');
    }
    const call = this.newCall();
    const connection: ConnectionRecord = {
      callConnectionId: randomUUID(),
      callbackUri: request.callbackUri,
      state: 'connecting',
      apiVersion,
      ...(request.source ? { source: { kind: 'communicationUser', id: request.source.id } as const } : {}),
      targets,
      ...(request.sourceCallerIdNumber ? { sourceCallerIdNumber: request.sourceCallerIdNumber.value } : {}),
      ...(request.sourceDisplayName ? { sourceDisplayName: request.sourceDisplayName } : {}),
      ...(request.operationContext !== undefined ? { createOperationContext: request.operationContext } : {}),
      mediaStreamingConfigured: request.mediaStreamingOptions !== undefined,
      transcriptionConfigured: request.transcriptionOptions !== undefined,
      startStreamsAtConnect: request,
    };
    call.connection = connection;
    this.liveConnections.set(connection.callConnectionId, call);
    for (const target of targets) {
      this.invite(call, 'createCall', target, {
        ...(request.operationContext !== undefined ? { operationContext: request.operationContext } : {}),
        invitationTimeoutInSeconds: defaultInvitationTimeoutInSeconds,
      });
    }
    this.logger.info({ callConnectionId: connection.callConnectionId, serverCallId: call.serverCallId, targets: targets.length }, 'outbound call created');
    return { status: 201, body: connectionProperties(call, connection) };
  }

  answerCall(request: Requests['answerCall'], apiVersion: string): RestResult {
    const call = this.pendingIncomingCall(request.incomingCallContext);
    const incoming = call.incoming!;
    incoming.status = 'answered';
    const connection: ConnectionRecord = {
      callConnectionId: randomUUID(),
      callbackUri: request.callbackUri,
      state: 'connected',
      apiVersion,
      source: incoming.from,
      targets: [incoming.to],
      ...(request.answeredBy ? { answeredBy: request.answeredBy.id } : {}),
      ...(incoming.to.kind === 'phoneNumber' ? { answeredFor: incoming.to.phoneNumber } : {}),
      ...(request.operationContext !== undefined ? { createOperationContext: request.operationContext } : {}),
      mediaStreamingConfigured: request.mediaStreamingOptions !== undefined,
      transcriptionConfigured: request.transcriptionOptions !== undefined,
    };
    call.connection = connection;
    call.state = 'established';
    this.liveConnections.set(connection.callConnectionId, call);
    this.join(call, incoming.from, connection.callConnectionId, 'answered by the app');
    this.events.emit(call, 'CallConnected', {}, { operationContext: request.operationContext, resultInformation: acsResults.success });
    this.events.participantsUpdated(call);
    this.startStreamsRequestedAtConnect(call, request);
    this.logger.info({ callConnectionId: connection.callConnectionId, serverCallId: call.serverCallId }, 'incoming call answered');
    return { status: 200, body: connectionProperties(call, connection) };
  }

  redirectCall(request: Requests['redirectCall']): RestResult {
    const call = this.pendingIncomingCall(request.incomingCallContext);
    call.incoming!.status = 'redirected';
    const target = identifierFromModel(request.target);
    this.invite(call, 'redirect', target, {
      invitationTimeoutInSeconds: defaultInvitationTimeoutInSeconds,
    });
    return { status: 204 };
  }

  rejectCall(request: Requests['rejectCall']): RestResult {
    const call = this.pendingIncomingCall(request.incomingCallContext);
    call.incoming!.status = 'rejected';
    this.endCall(call, acsResults.conversationEnded, 'rejected');
    return { status: 204 };
  }

  getCall(callConnectionId: string): RestResult {
    const { call, connection } = this.requireConnection(callConnectionId);
    return { status: 200, body: connectionProperties(call, connection) };
  }

  /** DELETE: the app leaves; the call goes on only if two people are still in it. */
  hangUp(callConnectionId: string): RestResult {
    const { call, connection } = this.requireConnection(callConnectionId);
    this.disconnectApp(call, connection, acsResults.endedByCallAutomation);
    if (call.participants.size < 2) {
      this.endCall(call, acsResults.endedByCallAutomation, 'appHungUp');
    } else {
      for (const party of call.phoneParties.values()) if (!party.isEnded) party.record({ kind: 'callEvent', description: 'the app left the call' });
    }
    return { status: 204 };
  }

  terminate(callConnectionId: string): RestResult {
    const { call } = this.requireConnection(callConnectionId);
    this.endCall(call, acsResults.endedByCallAutomation, 'appHungUp');
    return { status: 204 };
  }

  // ---------------------------------------------------------------- participants

  listParticipants(callConnectionId: string): RestResult {
    const { call } = this.requireConnection(callConnectionId);
    return { status: 200, body: { value: [...call.participants.values()].map(participantModel) } };
  }

  getParticipant(callConnectionId: string, participantRawId: string): RestResult {
    const { call } = this.requireConnection(callConnectionId);
    const participant = call.participants.get(participantKey(identifierFromRawId(participantRawId)));
    if (!participant) throw AcsError.notFound(`Participant ${participantRawId} is not in the call.`);
    return { status: 200, body: participantModel(participant) };
  }

  addParticipant(callConnectionId: string, request: Requests['addParticipant']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.participantToAdd);
    if (target.kind === 'phoneNumber' && !request.sourceCallerIdNumber) {
      throw AcsError.badRequest('sourceCallerIdNumber is required to add a phone number.');
    }
    if (call.participants.has(participantKey(target))) {
      throw AcsError.badRequest(`Participant ${rawIdOf(target)} is already in the call.`);
    }
    const invitation = this.invite(call, 'addParticipant', target, {
      ...operationOf(request),
      invitationTimeoutInSeconds: request.invitationTimeoutInSeconds ?? defaultInvitationTimeoutInSeconds,
    });
    return {
      status: 202,
      body: {
        participant: { identifier: toIdentifierModel(target), isMuted: false, isOnHold: false },
        ...(request.operationContext !== undefined ? { operationContext: request.operationContext } : {}),
        invitationId: invitation.invitationId,
      },
    };
  }

  cancelAddParticipant(callConnectionId: string, request: Requests['cancelAddParticipant']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const invitation = this.invitations.get(request.invitationId);
    const options = { ...operationOf(request), resultInformation: acsResults.success };
    if (invitation?.serverCallId === call.serverCallId && invitation.purpose === 'addParticipant' && invitation.state === 'ringing') {
      invitation.state = 'canceled';
      invitation.cancelTimers();
      this.publishInvitation(invitation);
      this.events.emit(call, 'CancelAddParticipantSucceeded', { invitationId: invitation.invitationId }, {
        ...options,
        resultInformation: acsResults.invitationCanceled(rawIdOf(invitation.target)),
      });
    } else {
      this.events.emit(call, 'CancelAddParticipantFailed', { invitationId: request.invitationId }, {
        ...options,
        resultInformation: acsResults.invitationNotFound,
      });
    }
    return { status: 202, body: { invitationId: request.invitationId, ...contextOf(request) } };
  }

  removeParticipant(callConnectionId: string, request: Requests['removeParticipant']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.participantToRemove);
    if (!call.participants.has(participantKey(target))) {
      throw AcsError.notFound(`Participant ${rawIdOf(target)} is not in the call.`);
    }
    this.leave(call, target, 'removed');
    this.events.emit(call, 'RemoveParticipantSucceeded', { participant: toIdentifierModel(target) }, {
      ...operationOf(request),
      resultInformation: acsResults.success,
    });
    this.afterParticipantLeft(call);
    return { status: 202, body: contextOf(request) };
  }

  mute(callConnectionId: string, request: Requests['mute']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const participants = request.targetParticipants.map((m) => this.requireParticipant(call, identifierFromModel(m)));
    for (const participant of participants) participant.isMuted = true;
    this.events.participantsUpdated(call);
    return { status: 200, body: contextOf(request) };
  }

  transferToParticipant(callConnectionId: string, request: Requests['transferToParticipant']): RestResult {
    const { call, connection } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    const transferee = request.transferee
      ? identifierFromModel(request.transferee)
      : [...call.participants.values()][0]?.identifier;
    if (!transferee) throw AcsError.badRequest('There is nobody in the call to transfer.');
    if (request.transferee) this.requireParticipant(call, transferee);
    connection.state = 'transferring';
    this.invite(call, 'transfer', target, {
      ...operationOf(request),
      transferee,
      invitationTimeoutInSeconds: defaultInvitationTimeoutInSeconds,
    });
    return { status: 202, body: contextOf(request) };
  }

  // ---------------------------------------------------------------- media: play, recognize, cancel, hold, DTMF

  play(callConnectionId: string, request: Requests['play']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const playTo = (request.playTo ?? []).map(identifierFromModel);
    for (const target of playTo) this.requireParticipant(call, target);
    this.media.enqueue(
      call,
      {
        kind: 'play',
        ...operationOf(request),
        sources: request.playSources,
        playTo,
        loop: request.playOptions?.loop ?? false,
      },
      request.interruptCallMediaOperation ?? false,
    );
    return { status: 202 };
  }

  recognize(callConnectionId: string, request: Requests['recognize']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.recognizeOptions.targetParticipant);
    this.requireParticipant(call, target);
    if (request.recognizeInputType === 'choices' && !request.recognizeOptions.choices?.length) {
      throw AcsError.badRequest('Recognize with choices needs at least one choice.');
    }
    this.media.enqueue(
      call,
      { kind: 'recognize', ...operationOf(request), request, target },
      request.interruptCallMediaOperation ?? false,
    );
    return { status: 202 };
  }

  cancelAllMediaOperations(callConnectionId: string): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    this.media.cancelAll(call);
    return { status: 202 };
  }

  hold(callConnectionId: string, request: Requests['hold']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    const participant = this.requireParticipant(call, target);
    const music = request.playSourceInfo;
    const musicProblem = music ? playSourceProblem(music, this.files) : undefined;
    if (musicProblem) {
      this.events.emit(call, 'HoldFailed', {}, { ...operationOf(request), resultInformation: musicProblem });
      return { status: 200 };
    }
    participant.isOnHold = true;
    const party = call.phoneParties.get(participantKey(target));
    if (party) {
      party.record({ kind: 'callEvent', description: 'put on hold' });
      if (music) this.media.hear(call, party, music, 'holdMusic', { loop: true, operationContext: request.operationContext });
    }
    this.events.participantsUpdated(call);
    return { status: 200 };
  }

  unhold(callConnectionId: string, request: Requests['unhold']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    const participant = this.requireParticipant(call, target);
    participant.isOnHold = false;
    call.phoneParties.get(participantKey(target))?.record({ kind: 'callEvent', description: 'taken off hold' });
    this.events.participantsUpdated(call);
    return { status: 200 };
  }

  startContinuousDtmfRecognition(callConnectionId: string, request: Requests['continuousDtmfRecognition']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    this.requireParticipant(call, target);
    call.continuousDtmf.set(participantKey(target), { ...operationOf(request), sequenceId: 0 });
    return { status: 200 };
  }

  stopContinuousDtmfRecognition(callConnectionId: string, request: Requests['continuousDtmfRecognition']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    this.requireParticipant(call, target);
    call.continuousDtmf.delete(participantKey(target));
    this.events.emit(call, 'ContinuousDtmfRecognitionStopped', {}, { ...operationOf(request), resultInformation: acsResults.actionCompleted });
    return { status: 200 };
  }

  sendDtmfTones(callConnectionId: string, request: Requests['sendDtmfTones']): RestResult {
    const { call } = this.requireEstablished(callConnectionId);
    const target = identifierFromModel(request.targetParticipant);
    this.requireParticipant(call, target);
    const party = call.phoneParties.get(participantKey(target));
    if (party) this.media.noteHeard(call, party, { via: 'dtmf', text: request.tones.join(' ') });
    this.events.after(call, 0, () =>
      this.events.emit(call, 'SendDtmfTonesCompleted', {}, { ...operationOf(request), resultInformation: acsResults.actionCompleted }),
    );
    return { status: 202, body: contextOf(request) };
  }

  startMediaStreaming(callConnectionId: string, request: Requests['mediaStreaming'], start: boolean): RestResult {
    const { call, connection } = this.requireEstablished(callConnectionId);
    if (!connection.mediaStreamingConfigured) {
      throw new AcsError(405, '8522', 'Missing configuration: media streaming options must be set when the call is answered or created.');
    }
    this.emitMediaStreaming(call, start, operationOf(request));
    return { status: 202 };
  }

  private emitMediaStreaming(call: CallRecord, start: boolean, options: { operationContext?: string; operationCallbackUri?: string }): void {
    this.events.emit(
      call,
      start ? 'MediaStreamingStarted' : 'MediaStreamingStopped',
      {
        mediaStreamingUpdate: {
          contentType: 'Audio',
          mediaStreamingStatus: start ? 'mediaStreamingStarted' : 'mediaStreamingStopped',
          mediaStreamingStatusDetails: start ? 'subscriptionStarted' : 'subscriptionStopped',
        },
      },
      { ...options, resultInformation: acsResults.actionCompleted },
    );
  }

  startTranscription(callConnectionId: string, request: Requests['transcription'], start: boolean): RestResult {
    const { call, connection } = this.requireEstablished(callConnectionId);
    if (!connection.transcriptionConfigured) {
      throw new AcsError(405, '8522', 'Missing configuration: transcription options must be set when the call is answered or created.');
    }
    this.emitTranscription(call, start, operationOf(request));
    return { status: 202 };
  }

  private emitTranscription(call: CallRecord, start: boolean, options: { operationContext?: string; operationCallbackUri?: string }): void {
    this.events.emit(
      call,
      start ? 'TranscriptionStarted' : 'TranscriptionStopped',
      {
        transcriptionUpdate: {
          transcriptionStatus: start ? 'transcriptionStarted' : 'transcriptionStopped',
          transcriptionStatusDetails: start ? 'subscriptionStarted' : 'subscriptionStopped',
        },
      },
      { ...options, resultInformation: acsResults.actionCompleted },
    );
  }

  /** `startMediaStreaming` / `startTranscription` in the answer or create options start them at once. */
  private startStreamsRequestedAtConnect(call: CallRecord, request: StreamsAtConnect): void {
    if (request.mediaStreamingOptions?.startMediaStreaming) this.emitMediaStreaming(call, true, {});
    if (request.transcriptionOptions?.startTranscription) this.emitTranscription(call, true, {});
  }

  // ---------------------------------------------------------------- recording

  startRecording(request: Requests['startRecording']): RestResult {
    if (!request.callConnectionId && !request.callLocator?.serverCallId) {
      throw AcsError.badRequest('Give callConnectionId or a serverCallLocator.');
    }
    const call = request.callConnectionId
      ? this.liveConnections.get(request.callConnectionId)
      : this.calls.get(request.callLocator!.serverCallId!);
    if (!call || call.state === 'ended') throw AcsError.notFound('Call not found.');
    if (call.state !== 'established') throw AcsError.callNotEstablished('The call is not established.');
    const storage = request.externalStorage;
    if (storage && storage.recordingStorageKind !== 'azureBlobStorage' && storage.recordingStorageKind !== 'azureCommunicationServices') {
      throw AcsError.badRequest(`Unknown recordingStorageKind "${storage.recordingStorageKind}".`);
    }
    if (storage?.recordingStorageKind === 'azureBlobStorage' && !storage.recordingDestinationContainerUrl) {
      throw AcsError.badRequest('recordingDestinationContainerUrl is required for azureBlobStorage.');
    }
    const active = [...this.recordings.values()].find((r) => r.serverCallId === call.serverCallId && !r.stopped);
    if (active) throw new AcsError(400, '8559', 'A recording is already in progress for this call.');
    const recording: RecordingRecord = {
      recordingId: Buffer.from(JSON.stringify({ platformEndpointId: randomUUID(), resourceSpecificId: randomUUID() })).toString('base64'),
      serverCallId: call.serverCallId,
      ...(request.recordingStateCallbackUri ? { callbackUri: request.recordingStateCallbackUri } : {}),
      state: request.pauseOnStart ? 'inactive' : 'active',
      stopped: false,
      startDateTime: new Date().toISOString(),
      ...(storage?.recordingStorageKind === 'azureBlobStorage' && storage.recordingDestinationContainerUrl ? { destinationContainerUrl: storage.recordingDestinationContainerUrl } : {}),
    };
    this.recordings.set(recording.recordingId, recording);
    this.emitRecordingState(call, recording);
    return { status: 200, body: recordingBody(recording) };
  }

  getRecording(recordingId: string): RestResult {
    return { status: 200, body: recordingBody(this.requireRecording(recordingId)) };
  }

  stopRecording(recordingId: string): RestResult {
    const recording = this.requireRecording(recordingId);
    recording.stopped = true;
    this.setRecordingState(recording, 'inactive');
    this.publishRecordingFile(recording, 'CallEnded');
    return { status: 204 };
  }

  /**
   * The recording's file is ready: RecordingFileStatusUpdated over Event Grid, with one chunk whose
   * content is in the bring-your-own-storage container, or else in the temporary store. The paths
   * are this emulator's own; no file is written (there is no local Blob Storage).
   */
  private publishRecordingFile(recording: RecordingRecord, sessionEndReason: string): void {
    const events = this.recordingEvents;
    if (!events) return;
    const call = this.calls.get(recording.serverCallId);
    const correlationId = call?.correlationId ?? 'unknown';
    const documentId = randomUUID();
    const day = recording.startDateTime.slice(0, 10).replaceAll('-', '');
    const folder = recording.destinationContainerUrl
      ? `${recording.destinationContainerUrl.replace(/\/+$/, '')}/${day}/${correlationId}/${documentId}`
      : `https://local-acs-recordings.invalid/v1/objects/${documentId}`;
    const durationMs = Math.max(0, Date.now() - Date.parse(recording.startDateTime));
    void events.publish('Microsoft.Communication.RecordingFileStatusUpdated', `/recording/call/${correlationId}/serverCallId/${recording.serverCallId}`, {
      recordingStorageInfo: {
        recordingChunks: [{ documentId, index: 0, endReason: 'SessionEnded', contentLocation: `${folder}/${recording.destinationContainerUrl ? 'audio.wav' : 'content/audio'}`, metadataLocation: `${folder}/${recording.destinationContainerUrl ? 'metadata.json' : 'content/acsmetadata'}`, deleteLocation: folder }],
      },
      recordingStartTime: recording.startDateTime,
      recordingDurationMs: durationMs,
      recordingContentType: 'Audio',
      recordingChannelType: 'Mixed',
      recordingFormatType: 'Wav',
      sessionEndReason,
    });
  }

  pauseRecording(recordingId: string, pause: boolean): RestResult {
    const recording = this.requireRecording(recordingId);
    if (recording.stopped) throw AcsError.badRequest('The recording has been stopped.');
    this.setRecordingState(recording, pause ? 'inactive' : 'active');
    return { status: 202 };
  }

  // ---------------------------------------------------------------- simulator: PSTN parties

  async placeCall(options: PlaceCallOptions): Promise<{ simulatedCallId: string; incomingCallDelivered: boolean }> {
    const call = this.newCall();
    const from = phoneIdentifier(options.from);
    const to = phoneIdentifier(options.to);
    const incomingCallContext = randomBytes(48).toString('base64url');
    call.incoming = {
      incomingCallContext,
      from,
      to,
      callerDisplayName: options.callerDisplayName ?? '',
      status: 'pending',
      cancelRingTimeout: () => undefined,
    };
    this.incomingContexts.set(incomingCallContext, call);
    const caller = this.newParty(call, {
      direction: 'inbound',
      phoneNumber: options.from,
      otherNumber: options.to,
      script: options.script ?? [],
      whenScriptEnds: options.whenScriptEnds ?? 'hangUp',
    });
    caller.record({ kind: 'callEvent', description: `dialing ${options.to}` });
    call.incoming.cancelRingTimeout = this.events.after(call, this.timing.incomingCallTimeoutInMs, () => {
      if (call.incoming?.status !== 'pending') return;
      call.incoming.status = 'expired';
      this.endCall(call, acsResults.conversationEnded, 'notAnswered');
    });
    this.logger.info({ simulatedCallId: caller.simulatedCallId, serverCallId: call.serverCallId, pii: { from: options.from } }, 'simulated call placed');
    const delivered = await this.eventGrid.publish('Microsoft.Communication.IncomingCall', `/caller/${rawIdOf(from)}/recipient/${rawIdOf(to)}`, {
      to: toIdentifierModel(to),
      from: toIdentifierModel(from),
      serverCallId: call.serverCallId,
      callerDisplayName: call.incoming.callerDisplayName,
      incomingCallContext,
      correlationId: call.correlationId,
    });
    caller.setIncomingCallDelivered(delivered);
    return { simulatedCallId: caller.simulatedCallId, incomingCallDelivered: delivered };
  }

  registerPhone(phoneNumber: string, behaviour: PhoneBehaviour): void {
    this.phoneBehaviours.set(phoneNumber, behaviour);
  }

  conversation(simulatedCallId: string): Conversation | undefined {
    return this.conversations.get(simulatedCallId)?.caller.snapshot();
  }

  /** Every recording started, with where its files go. */
  listRecordings(): readonly { readonly recordingId: string; readonly serverCallId: string; readonly destinationContainerUrl?: string; readonly stopped: boolean }[] {
    return [...this.recordings.values()].map(({ recordingId, serverCallId, destinationContainerUrl, stopped }) => ({ recordingId, serverCallId, stopped, ...(destinationContainerUrl ? { destinationContainerUrl } : {}) }));
  }

  listConversations(): Conversation[] {
    return [...this.conversations.values()].map(({ caller }) => caller.snapshot());
  }

  waitForConversation(simulatedCallId: string, predicate: (c: Conversation) => boolean, timeoutInMs?: number): Promise<Conversation> {
    return this.requireParty(simulatedCallId).caller.waitFor(predicate, timeoutInMs);
  }

  /** The party says something: answers a recognize that waits for it live, else it is only logged. */
  callerSays(simulatedCallId: string, text: string, confidence?: number): Conversation {
    const { caller, call } = this.requireParty(simulatedCallId, true);
    this.liveInput(call, caller, caller.speechInput(text, confidence));
    return caller.snapshot();
  }

  /** Keys answer a recognize that waits live, else feed continuous DTMF recognition if it is on. */
  callerPresses(simulatedCallId: string, keys: string): Conversation {
    const { caller, call } = this.requireParty(simulatedCallId, true);
    if (tonesOfKeys(keys).length === 0) throw new SimulatorError(400, 'keys must be DTMF keys: 0-9, *, #, A-D');
    this.liveInput(call, caller, { kind: 'keys', keys });
    return caller.snapshot();
  }

  callerHangsUp(simulatedCallId: string): Conversation {
    const { caller, call } = this.requireParty(simulatedCallId, true);
    this.partyHangsUp(call, caller);
    return caller.snapshot();
  }

  // ---------------------------------------------------------------- simulator: Teams users

  listInvitations(userId?: string): InvitationView[] {
    return [...this.invitations.values()]
      .filter((i) => i.state === 'ringing' && (userId === undefined || (i.target.kind === 'microsoftTeamsUser' && i.target.userId === userId)))
      .map((i) => this.invitationView(i));
  }

  /** Resolves with the first invitation ringing the Teams user (already ringing, or the next one). */
  waitForInvitation(userId: string, timeoutInMs?: number): Promise<InvitationView> {
    const ringing = this.listInvitations(userId)[0];
    if (ringing) return Promise.resolve(ringing);
    return new Promise((resolve, reject) => {
      const listener = (view: InvitationView) => {
        if (view.userId !== userId || view.state !== 'ringing') return;
        cleanup();
        resolve(view);
      };
      const timer =
        timeoutInMs === undefined
          ? undefined
          : setTimeout(() => {
              cleanup();
              reject(new SimulatorError(404, `no invitation rang ${userId} within ${timeoutInMs} ms`));
            }, timeoutInMs).unref();
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        this.invitationEvents.off('invitation', listener);
      };
      this.invitationEvents.on('invitation', listener);
    });
  }

  /** A Teams user (by id) or a simulated phone (by its +number) answers what rings for them, by hand. */
  answerInvitation(userId: string, answer: 'accept' | 'decline', invitationId?: string): InvitationView {
    const phone = userId.startsWith('+');
    const invitation = [...this.invitations.values()].find(
      (i) =>
        i.state === 'ringing' &&
        (phone ? i.target.kind === 'phoneNumber' && i.target.phoneNumber === userId : i.target.kind === 'microsoftTeamsUser' && i.target.userId === userId) &&
        (invitationId === undefined || i.invitationId === invitationId),
    );
    if (!invitation) throw new SimulatorError(404, phone ? `nothing is ringing for ${userId}` : `nothing is ringing for Teams user ${userId}`);
    this.resolveInvitation(invitation, answer === 'accept' ? 'accepted' : 'declined');
    return this.invitationView(invitation);
  }

  /** The Teams user hangs up every call they are in. Returns how many calls they left. */
  teamsUserHangsUp(userId: string): number {
    const identifier: CommunicationIdentifier = { kind: 'microsoftTeamsUser', userId };
    let left = 0;
    for (const call of this.calls.values()) {
      if (call.state === 'ended' || !call.participants.has(participantKey(identifier))) continue;
      this.leave(call, identifier, 'otherPartyHungUp');
      left++;
      this.afterParticipantLeft(call);
    }
    return left;
  }

  /** Ends every call (without callbacks) so close() leaves nobody Busy in the directory. */
  endAllCalls(): void {
    for (const call of this.calls.values()) {
      if (call.connection) call.connection.state = 'disconnected';
      this.endCall(call, acsResults.conversationEnded, 'emulatorClosed');
    }
  }

  // ---------------------------------------------------------------- internals: calls and parties

  private newCall(): CallRecord {
    const call: CallRecord = {
      serverCallId: Buffer.from(`https://local.acs.emulator/conversations/${randomUUID()}`).toString('base64'),
      correlationId: randomUUID(),
      state: 'ringing',
      participants: new Map(),
      phoneParties: new Map(),
      media: { queue: [] },
      continuousDtmf: new Map(),
      participantsSequenceNumber: 0,
      cancelers: new Set(),
    };
    this.calls.set(call.serverCallId, call);
    return call;
  }

  private newParty(
    call: CallRecord,
    init: { direction: 'inbound' | 'outbound'; phoneNumber: string; otherNumber: string; script: readonly CallerStep[]; whenScriptEnds: WhenScriptEnds },
  ): SimulatedCaller {
    const caller = new SimulatedCaller({
      simulatedCallId: randomUUID(),
      serverCallId: call.serverCallId,
      correlationId: call.correlationId,
      ...init,
    });
    call.phoneParties.set(participantKey(phoneIdentifier(init.phoneNumber)), caller);
    this.conversations.set(caller.simulatedCallId, { caller, call });
    return caller;
  }

  private pendingIncomingCall(incomingCallContext: string): CallRecord {
    const call = this.incomingContexts.get(incomingCallContext);
    if (!call?.incoming) throw AcsError.badRequest('The incoming call context is not valid.');
    if (call.incoming.status !== 'pending' || call.state === 'ended') {
      throw AcsError.badRequest(`The incoming call is no longer pending (${call.incoming.status}).`);
    }
    call.incoming.cancelRingTimeout();
    return call;
  }

  private requireConnection(callConnectionId: string): { call: CallRecord; connection: ConnectionRecord } {
    const call = this.liveConnections.get(callConnectionId);
    const connection = call?.connection;
    if (!call || !connection || connection.state === 'disconnected' || call.state === 'ended') {
      throw AcsError.notFound(`Call ${callConnectionId} not found.`);
    }
    return { call, connection };
  }

  private requireEstablished(callConnectionId: string): { call: CallRecord; connection: ConnectionRecord } {
    const found = this.requireConnection(callConnectionId);
    if (found.connection.state !== 'connected') {
      throw AcsError.callNotEstablished(`Action is not supported while the call is ${found.connection.state}.`);
    }
    return found;
  }

  private requireParticipant(call: CallRecord, identifier: CommunicationIdentifier) {
    const participant = call.participants.get(participantKey(identifier));
    if (!participant) throw AcsError.badRequest(`Participant ${rawIdOf(identifier)} is not in the call.`);
    return participant;
  }

  private requireRecording(recordingId: string): RecordingRecord {
    const recording = this.recordings.get(recordingId);
    if (!recording) throw AcsError.notFound(`Recording ${recordingId} not found.`);
    return recording;
  }

  private requireParty(simulatedCallId: string, mustBeLive = false): { caller: SimulatedCaller; call: CallRecord } {
    const found = this.conversations.get(simulatedCallId);
    if (!found) throw new SimulatorError(404, `unknown simulated call ${simulatedCallId}`);
    if (mustBeLive && found.caller.isEnded) throw new SimulatorError(409, `simulated call ${simulatedCallId} has ended`);
    return found;
  }

  private join(call: CallRecord, identifier: CommunicationIdentifier, callConnectionId: string | undefined, description: string): void {
    const key = participantKey(identifier);
    call.participants.set(key, { identifier, isMuted: false, isOnHold: false });
    if (identifier.kind === 'microsoftTeamsUser' && this.teams.get(identifier.userId)) {
      this.teams.joinCall(identifier.userId, call.serverCallId);
    }
    const party = call.phoneParties.get(key);
    party?.connected(callConnectionId, description);
    for (const [otherKey, other] of call.phoneParties) {
      if (otherKey !== key && !other.isEnded) other.record({ kind: 'callEvent', description: 'joined', participant: describeIdentifier(identifier) });
    }
  }

  private leave(call: CallRecord, identifier: CommunicationIdentifier, reason: EndReason): void {
    const key = participantKey(identifier);
    if (!call.participants.delete(key)) return;
    call.continuousDtmf.delete(key);
    if (identifier.kind === 'microsoftTeamsUser' && this.teams.get(identifier.userId)) {
      this.teams.leaveCall(identifier.userId, call.serverCallId);
    }
    call.phoneParties.get(key)?.end(reason);
    for (const [otherKey, other] of call.phoneParties) {
      if (otherKey !== key && !other.isEnded) other.record({ kind: 'callEvent', description: 'left', participant: describeIdentifier(identifier) });
    }
    this.media.participantLeft(call, identifier);
  }

  /** The call ends when fewer than two parties (people plus the app's connection) remain. */
  private afterParticipantLeft(call: CallRecord): void {
    if (call.state === 'ended') return;
    const appInCall = call.connection !== undefined && call.connection.state !== 'disconnected';
    if (call.participants.size + (appInCall ? 1 : 0) < 2) {
      this.endCall(call, acsResults.conversationEnded, 'otherPartyHungUp');
    } else {
      this.events.participantsUpdated(call);
    }
  }

  private partyHangsUp(call: CallRecord, caller: SimulatedCaller): void {
    if (caller.isEnded) return;
    caller.record({ kind: 'hungUp' });
    const identifier = phoneIdentifier(caller.phoneNumber);
    if (call.state === 'ringing') {
      if (call.incoming?.status === 'pending') call.incoming.status = 'expired';
      this.endCall(call, acsResults.conversationEnded, 'callerHungUp');
      return;
    }
    if (call.participants.has(participantKey(identifier))) {
      this.leave(call, identifier, 'callerHungUp');
      this.afterParticipantLeft(call);
    } else {
      caller.end('callerHungUp');
    }
  }

  /** Live input answers a recognize waiting for the party; keys outside one feed continuous DTMF when it is on. */
  private liveInput(call: CallRecord, caller: SimulatedCaller, input: CallerInput): void {
    if (this.media.liveInput(call, caller, input)) return;
    caller.recordInput(input);
    if (input.kind !== 'keys') return;
    const continuous = call.continuousDtmf.get(participantKey(phoneIdentifier(caller.phoneNumber)));
    if (!continuous) return;
    for (const tone of tonesOfKeys(input.keys)) {
      continuous.sequenceId++;
      this.events.emit(call, 'ContinuousDtmfRecognitionToneReceived', { tone, sequenceId: continuous.sequenceId }, {
        operationContext: continuous.operationContext,
        operationCallbackUri: continuous.operationCallbackUri,
        resultInformation: acsResults.actionCompleted,
      });
    }
  }

  private disconnectApp(call: CallRecord, connection: ConnectionRecord, resultInformation: ResultInformation): void {
    if (connection.state === 'disconnected') return;
    this.events.emit(call, 'CallDisconnected', {}, { operationContext: connection.createOperationContext, resultInformation });
    connection.state = 'disconnected';
    this.liveConnections.delete(connection.callConnectionId);
    this.media.stopAll(call);
  }

  /** Ends the call for everyone: the app gets CallDisconnected, and no callback after it. */
  private endCall(call: CallRecord, resultForApp: ResultInformation, reasonForParties: EndReason): void {
    if (call.state === 'ended') return;
    if (call.connection) this.disconnectApp(call, call.connection, resultForApp);
    call.state = 'ended';
    for (const cancel of [...call.cancelers]) cancel();
    for (const invitation of this.invitations.values()) {
      if (invitation.serverCallId === call.serverCallId && invitation.state === 'ringing') {
        invitation.state = 'canceled';
        invitation.cancelTimers();
        this.publishInvitation(invitation);
      }
    }
    for (const participant of [...call.participants.values()]) this.leave(call, participant.identifier, reasonForParties);
    for (const party of call.phoneParties.values()) party.end(reasonForParties);
    for (const recording of this.recordings.values()) {
      if (recording.serverCallId === call.serverCallId && !recording.stopped) {
        recording.state = 'inactive';
        recording.stopped = true;
        this.publishRecordingFile(recording, 'CallEnded');
      }
    }
    call.continuousDtmf.clear();
    this.logger.info({ serverCallId: call.serverCallId, reason: reasonForParties }, 'call ended');
    this.endedCalls.push(call.serverCallId);
    if (this.endedCalls.length > retainedEndedCalls) this.forget(this.endedCalls.shift()!);
  }

  /** Drops an ended call and everything about it, so a long-running `npm start` stays small. */
  private forget(serverCallId: string): void {
    const call = this.calls.get(serverCallId);
    this.calls.delete(serverCallId);
    if (call?.incoming) this.incomingContexts.delete(call.incoming.incomingCallContext);
    for (const [id, invitation] of this.invitations) if (invitation.serverCallId === serverCallId) this.invitations.delete(id);
    for (const [id, recording] of this.recordings) if (recording.serverCallId === serverCallId) this.recordings.delete(id);
    for (const [id, conversation] of this.conversations) if (conversation.call === call) this.conversations.delete(id);
  }

  // ---------------------------------------------------------------- internals: invitations

  private invite(
    call: CallRecord,
    purpose: InvitationPurpose,
    target: CommunicationIdentifier,
    options: {
      operationContext?: string;
      operationCallbackUri?: string;
      transferee?: CommunicationIdentifier;
      invitationTimeoutInSeconds: number;
    },
  ): InvitationRecord {
    const invitation: InvitationRecord = {
      invitationId: randomUUID(),
      serverCallId: call.serverCallId,
      purpose,
      target,
      ...(options.transferee ? { transferee: options.transferee } : {}),
      ...(options.operationContext !== undefined ? { operationContext: options.operationContext } : {}),
      ...(options.operationCallbackUri !== undefined ? { operationCallbackUri: options.operationCallbackUri } : {}),
      invitationTimeoutInSeconds: options.invitationTimeoutInSeconds,
      state: 'ringing',
      startedAt: new Date().toISOString(),
      cancelTimers: () => undefined,
    };
    this.invitations.set(invitation.invitationId, invitation);
    const behaviour = this.ringBehaviourOf(target);
    const timeoutInMs = invitation.invitationTimeoutInSeconds * 1000;
    const cancels: (() => void)[] = [];
    if (behaviour === undefined) {
      cancels.push(this.events.after(call, 0, () => this.resolveInvitation(invitation, 'unreachable')));
    } else if (behaviour.kind !== 'noAnswer' && behaviour.afterMs < timeoutInMs) {
      const outcome = behaviour.kind === 'accept' ? 'accepted' : 'declined';
      cancels.push(this.events.after(call, behaviour.afterMs, () => this.resolveInvitation(invitation, outcome)));
    } else {
      cancels.push(this.events.after(call, timeoutInMs * this.timing.invitationTimeoutScale, () => this.resolveInvitation(invitation, 'timedOut')));
    }
    invitation.cancelTimers = () => cancels.forEach((cancel) => cancel());
    this.logger.debug({ invitationId: invitation.invitationId, purpose, target: rawIdOf(target) }, 'invitation ringing');
    this.publishInvitation(invitation);
    return invitation;
  }

  /** How the target answers; undefined when it cannot be reached at all. */
  private ringBehaviourOf(target: CommunicationIdentifier): RingBehaviour | undefined {
    switch (target.kind) {
      case 'microsoftTeamsUser': {
        const user = this.teams.get(target.userId);
        if (!user || user.availability === 'Offline') return undefined;
        return user.ringBehaviour;
      }
      case 'phoneNumber':
        return this.phoneBehaviours.get(target.phoneNumber)?.ringBehaviour ?? { kind: 'accept', afterMs: 0 };
      case 'communicationUser':
      case 'microsoftTeamsApp':
      case 'unknown':
        return undefined;
    }
  }

  private resolveInvitation(invitation: InvitationRecord, outcome: 'accepted' | 'declined' | 'timedOut' | 'unreachable'): void {
    if (invitation.state !== 'ringing') return;
    invitation.state = outcome;
    invitation.cancelTimers();
    this.publishInvitation(invitation);
    const call = this.calls.get(invitation.serverCallId);
    if (!call || call.state === 'ended') return;
    const target = invitation.target;
    const options = { operationContext: invitation.operationContext, operationCallbackUri: invitation.operationCallbackUri };
    const operationName: InvitingOperation = {
      addParticipant: 'addParticipants',
      transfer: 'transferCall',
      createCall: 'createCall',
      redirect: 'redirectCall',
    }[invitation.purpose] as InvitingOperation;
    const failure =
      outcome === 'declined'
        ? acsResults.declined(operationName, rawIdOf(target))
        : outcome === 'timedOut'
          ? acsResults.notAnswered(operationName, rawIdOf(target))
          : acsResults.unreachable(operationName, rawIdOf(target));
    if (outcome === 'accepted' && target.kind === 'phoneNumber' && !call.phoneParties.has(participantKey(target))) {
      const behaviour = this.phoneBehaviours.get(target.phoneNumber);
      const caller = this.newParty(call, {
        direction: 'outbound',
        phoneNumber: target.phoneNumber,
        otherNumber: call.connection?.sourceCallerIdNumber ?? '',
        script: behaviour?.script ?? [],
        whenScriptEnds: behaviour?.whenScriptEnds ?? 'hangUp',
      });
      caller.record({ kind: 'callEvent', description: 'ringing' });
    }
    const connectionId = call.connection?.callConnectionId;

    switch (invitation.purpose) {
      case 'addParticipant':
        if (outcome === 'accepted') {
          this.join(call, target, undefined, 'answered');
          this.events.participantsUpdated(call);
          this.events.emit(call, 'AddParticipantSucceeded', { participant: toIdentifierModel(target) }, { ...options, resultInformation: acsResults.success });
        } else {
          this.events.emit(call, 'AddParticipantFailed', { participant: toIdentifierModel(target) }, { ...options, resultInformation: failure });
        }
        return;
      case 'createCall': {
        const connection = call.connection;
        if (outcome === 'accepted') {
          this.join(call, target, connectionId, 'answered');
          if (connection?.state === 'connecting') {
            connection.state = 'connected';
            call.state = 'established';
            this.events.emit(call, 'CallConnected', {}, { operationContext: connection.createOperationContext, resultInformation: acsResults.success });
            this.events.participantsUpdated(call);
            if (connection.startStreamsAtConnect) this.startStreamsRequestedAtConnect(call, connection.startStreamsAtConnect);
            return;
          }
          this.events.participantsUpdated(call);
          return;
        }
        const stillRinging = [...this.invitations.values()].some((i) => i.serverCallId === call.serverCallId && i.state === 'ringing');
        if (connection?.state === 'connecting' && !stillRinging) {
          this.events.emit(call, 'CreateCallFailed', {}, { operationContext: connection.createOperationContext, resultInformation: failure });
          connection.state = 'disconnected';
          this.liveConnections.delete(connection.callConnectionId);
          this.endCall(call, failure, outcome === 'declined' ? 'declined' : 'notAnswered');
        }
        return;
      }
      case 'transfer': {
        const connection = call.connection;
        if (outcome === 'accepted' && connection) {
          connection.state = 'transferAccepted';
          this.join(call, target, undefined, 'answered the transfer');
          this.events.emit(
            call,
            'CallTransferAccepted',
            { transferTarget: toIdentifierModel(target), ...(invitation.transferee ? { transferee: toIdentifierModel(invitation.transferee) } : {}) },
            { ...options, resultInformation: acsResults.success },
          );
          this.disconnectApp(call, connection, acsResults.transferCompleted);
          if (call.participants.size < 2) this.endCall(call, acsResults.conversationEnded, 'otherPartyHungUp');
        } else if (connection) {
          connection.state = 'connected';
          this.events.emit(call, 'CallTransferFailed', {}, { ...options, resultInformation: failure });
        }
        return;
      }
      case 'redirect':
        if (outcome === 'accepted') {
          call.state = 'established';
          if (call.incoming) this.join(call, call.incoming.from, undefined, `redirected to ${describeIdentifier(target)}`);
          this.join(call, target, undefined, 'answered the redirected call');
        } else {
          this.endCall(call, failure, outcome === 'declined' ? 'declined' : 'notAnswered');
        }
        return;
    }
  }

  private invitationView(invitation: InvitationRecord): InvitationView {
    const call = this.calls.get(invitation.serverCallId);
    const callers = call
      ? [...call.phoneParties.values()].filter((p) => !p.isEnded).map((p) => p.phoneNumber)
      : [];
    return {
      invitationId: invitation.invitationId,
      purpose: invitation.purpose,
      target: rawIdOf(invitation.target),
      ...(invitation.target.kind === 'microsoftTeamsUser' ? { userId: invitation.target.userId } : {}),
      serverCallId: invitation.serverCallId,
      callers,
      state: invitation.state,
      startedAt: invitation.startedAt,
      invitationTimeoutInSeconds: invitation.invitationTimeoutInSeconds,
    };
  }

  private publishInvitation(invitation: InvitationRecord): void {
    this.invitationEvents.emit('invitation', this.invitationView(invitation));
  }

  // ---------------------------------------------------------------- internals: callbacks

  private setRecordingState(recording: RecordingRecord, state: 'active' | 'inactive'): void {
    recording.state = state;
    const call = this.calls.get(recording.serverCallId);
    if (call) this.emitRecordingState(call, recording);
  }

  private emitRecordingState(call: CallRecord, recording: RecordingRecord): void {
    this.events.emit(
      call,
      'RecordingStateChanged',
      { recordingId: recording.recordingId, state: recording.state, startDateTime: recording.startDateTime, recordingKind },
      { operationCallbackUri: recording.callbackUri },
    );
  }
}

function operationOf(request: { operationContext?: string | undefined; operationCallbackUri?: string | undefined }) {
  return {
    ...(request.operationContext !== undefined ? { operationContext: request.operationContext } : {}),
    ...(request.operationCallbackUri !== undefined ? { operationCallbackUri: request.operationCallbackUri } : {}),
  };
}

function contextOf(request: { operationContext?: string | undefined }) {
  return request.operationContext !== undefined ? { operationContext: request.operationContext } : {};
}

function recordingBody(recording: RecordingRecord) {
  return { recordingId: recording.recordingId, recordingState: recording.state, recordingKind };
}
