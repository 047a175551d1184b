/**
 * The local Call Automation (Azure Communication Services) service, one `node:http` server:
 *
 *   /calling/...     the REST API exactly as @azure/communication-call-automation 1.6 calls it,
 *                    every request HMAC-SHA256 verified with the access key (401 otherwise):
 *     POST   /calling/callConnections                                   create call        201
 *     POST   /calling/callConnections:answer | :redirect | :reject      answer 200, redirect / reject 204
 *     GET    /calling/callConnections/{id}                              call properties    200
 *     DELETE /calling/callConnections/{id}                              hang up            204
 *     POST   /calling/callConnections/{id}:terminate                    hang up for all    204
 *     POST   /calling/callConnections/{id}:transferToParticipant                           202
 *     GET    /calling/callConnections/{id}/participants[/{rawId}]                          200
 *     POST   /calling/callConnections/{id}/participants:add | :remove | :cancelAddParticipant  202, :mute 200
 *     POST   /calling/callConnections/{id}:play | :recognize | :cancelAllMediaOperations   202
 *     POST   /calling/callConnections/{id}:hold | :unhold                                  200
 *     POST   /calling/callConnections/{id}:startContinuousDtmfRecognition | :stop...      200
 *     POST   /calling/callConnections/{id}:sendDtmfTones                                   202
 *     POST   /calling/callConnections/{id}:start|stopMediaStreaming, :start|stopTranscription 202
 *     POST   /calling/recordings; GET | DELETE /calling/recordings/{id}; POST {id}:pause | :resume
 *   GET /calling/keys  the JWKS of the callback JWTs (no auth)
 *   /simulator/...     the simulated callers and Teams users (simulator-http-api.ts lists the routes)
 *
 * Errors are `{ error: { code, message } }` as Call Automation answers them (acs-error.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import type { TeamsUserDirectory } from '../teams/teams-user-directory.js';
import { AcsError } from './acs-error.js';
import { callAutomationRequestSchemas, type CallAutomationRequests } from './call-automation-request-schemas.js';
import {
  CallAutomationService,
  type InvitationView,
  type PhoneBehaviour,
  type PlaceCallOptions,
  type RestResult,
} from './call-automation-service.js';
import { fastCallTiming, type CallTiming } from './call-timing.js';
import { CallbackSender, type CallbackDelivery } from './callback-sender.js';
import { EventGridSender, type WebhookSubscription } from './event-grid-sender.js';
import { BodyTooLargeError, parseJsonBody, readRequestBody, sendJson } from './http-json.js';
import type { Conversation } from './simulated-caller.js';
import { MediaFiles } from './media-files.js';
import { handleSimulatorRequest } from './simulator-http-api.js';
import { TimerSet } from './timer-set.js';
import { verifyHmacSignature } from './verify-hmac-signature.js';
import { FaultQueue, type FaultRule } from '../fault-queue.js';

export interface CallAutomationEmulatorOptions {
  /** 0 (tests) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Base64 access key of the connection string; generated when absent. */
  readonly accessKey?: string;
  readonly teams: TeamsUserDirectory;
  /** `iss` of the callback JWTs; defaults to the real Call Automation issuer. */
  readonly callbackIssuer?: string;
  /** `aud` of the callback JWTs: in Azure, the ACS resource's immutable id. */
  readonly callbackAudience?: string;
  /** Event Grid webhook for `Microsoft.Communication.IncomingCall`; validated at start. */
  readonly incomingCallWebhookUrl?: string;
  readonly timing?: Partial<CallTiming>;
  readonly logger?: Logger;
  /** The Event Grid topic (the ACS resource id) put on IncomingCall events. */
  readonly resourceId?: string;
}

export interface PlacedCall {
  readonly simulatedCallId: string;
  readonly incomingCallDelivered: boolean;
}

/**
 * The local Call Automation service: the REST API the real `@azure/communication-call-automation`
 * client calls (HMAC-verified), signed CloudEvent callbacks, Event Grid IncomingCall delivery, and
 * the simulator that plays the PSTN callers and Teams users (in process, or over `/simulator`).
 */
export interface CallAutomationEmulator {
  /** `http://127.0.0.1:PORT/`, the ACS endpoint. */
  readonly endpoint: string;
  readonly accessKey: string;
  /** `endpoint=http://127.0.0.1:PORT/;accesskey=...` */
  readonly connectionString: string;
  /** Where the callback JWT signing keys are published. */
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Base URL of the simulator HTTP API (`{endpoint}simulator`). */
  readonly simulatorUrl: string;
  readonly incomingCallWebhook: WebhookSubscription;
  /** Subscribes the IncomingCall webhook and runs the Event Grid validation handshake; never rejects. */
  setIncomingCallWebhook(url: string | undefined): Promise<WebhookSubscription>;
  /** Subscribes a webhook to Microsoft.Communication.RecordingFileStatusUpdated (a recording's file is ready). */
  setRecordingFileWebhook(url: string | undefined): Promise<WebhookSubscription>;

  /** A PSTN caller dials an ACS number; resolves once Event Grid delivered (or could not deliver) IncomingCall. */
  placeCall(options: PlaceCallOptions): Promise<PlacedCall>;
  say(simulatedCallId: string, text: string, options?: { readonly confidence?: number }): Conversation;
  press(simulatedCallId: string, keys: string): Conversation;
  hangUp(simulatedCallId: string): Conversation;
  getConversation(simulatedCallId: string): Conversation | undefined;
  listConversations(): Conversation[];
  /** Recordings started, with the blob container each writes to (absent: the 24-hour temporary store). */
  listRecordings(): readonly { readonly recordingId: string; readonly serverCallId: string; readonly destinationContainerUrl?: string; readonly stopped: boolean }[];
  /** Resolves once the conversation satisfies `predicate` (checked now and after every change). */
  waitForConversation(simulatedCallId: string, predicate: (conversation: Conversation) => boolean, timeoutInMs?: number): Promise<Conversation>;
  waitForCallEnd(simulatedCallId: string, timeoutInMs?: number): Promise<Conversation>;
  /** Resolves when a recognize waits for this (live) caller to act. */
  waitForCallerTurn(simulatedCallId: string, timeoutInMs?: number): Promise<Conversation>;
  /** How a phone number the app calls, adds or transfers to answers, and its script. */
  registerPhone(phoneNumber: string, behaviour: PhoneBehaviour): void;

  listInvitations(userId?: string): InvitationView[];
  waitForInvitation(userId: string, timeoutInMs?: number): Promise<InvitationView>;
  /** `userId`: a Teams user's id, or a simulated phone's +number (a transfer ringing it). */
  acceptInvitation(userId: string, invitationId?: string): InvitationView;
  declineInvitation(userId: string, invitationId?: string): InvitationView;
  /** The Teams user hangs up the calls they are in; returns how many. */
  teamsUserHangUp(userId: string): number;

  /** The last callbacks posted (delivered or not), oldest first. */
  callbackDeliveries(): readonly CallbackDelivery[];
  onCallbackDelivery(listener: (delivery: CallbackDelivery) => void): () => void;
  /** Resolves once every queued callback, and every recording file event, has been delivered or given up on. */
  callbacksIdle(): Promise<void>;
  /** Answers the next matching Call Automation requests with a service error (local only). */
  readonly faults: CallAutomationFaults;
  close(): Promise<void>;
}

export interface CallAutomationFault extends FaultRule {
  /** 500 (internal error), 502, 503 (unavailable) or 504. */
  readonly status: 500 | 502 | 503 | 504;
}

/** Answers chosen signed requests with a service error; `matches` sees e.g. `/calling/callConnections/{id}:play`. */
export type CallAutomationFaults = Pick<FaultQueue<CallAutomationFault>, 'inject' | 'pending' | 'clear'>;

/** The issuer real Call Automation puts on callback tokens (Microsoft's secure-webhook guide). */
export const defaultCallbackIssuer = 'https://acscallautomation.communication.azure.com';
export const defaultCallbackAudience = '00000000-0000-4000-8000-00000000ac5e';

const maxBodyInBytes = 1024 * 1024;
const repeatabilityWindowInMs = 5 * 60 * 1000;

export async function startCallAutomationEmulator(options: CallAutomationEmulatorOptions): Promise<CallAutomationEmulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ level: 'silent' });
  const accessKey = options.accessKey ?? randomBytes(64).toString('base64');
  const timing: CallTiming = { ...fastCallTiming, ...options.timing };
  const issuer = options.callbackIssuer ?? defaultCallbackIssuer;
  const audience = options.callbackAudience ?? defaultCallbackAudience;
  const timers = new TimerSet();
  const callbacks = await CallbackSender.create({ issuer, audience, retryDelaysInMs: timing.deliveryRetryDelaysInMs, timers, logger });
  const eventGrid = new EventGridSender({
    topic:
      options.resourceId ??
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Communication/communicationServices/local-acs',
    subscriptionName: 'incoming-call',
    retryDelaysInMs: timing.deliveryRetryDelaysInMs,
    timers,
    logger,
  });
  const recordingEvents = new EventGridSender({
    topic:
      options.resourceId ??
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Communication/communicationServices/local-acs',
    subscriptionName: 'recording-file-status',
    retryDelaysInMs: timing.deliveryRetryDelaysInMs,
    timers,
    logger,
  });
  const files = new MediaFiles();
  const service = new CallAutomationService({ teams: options.teams, callbacks, eventGrid, recordingEvents, timers, timing, logger, files });
  const repeatability = new RepeatabilityCache();
  const faults = new FaultQueue<CallAutomationFault>('Call Automation');

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error, method: request.method, url: request.url }, 'emulator request failed');
      sendJson(response, 500, { error: { code: '9999', message: 'Unknown error in the Call Automation emulator.' } });
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    let body: Buffer;
    try {
      body = await readRequestBody(request, maxBodyInBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(response, 413, { error: { code: 'RequestEntityTooLarge', message: error.message } });
        return;
      }
      throw error;
    }

    if (path === '/calling/keys' && method === 'GET') {
      sendJson(response, 200, callbacks.jwks);
      return;
    }
    if (path === '/simulator' || path.startsWith('/simulator/')) {
      await handleSimulatorRequest({ method, url, body, response, service, eventGrid, callbacks, teams: options.teams, logger });
      return;
    }

    const verification = verifyHmacSignature({ method, url, headers: request.headers, body, accessKey });
    if (!verification.ok) {
      logger.warn({ method, path, reason: verification.reason }, 'call automation request rejected: bad signature');
      sendAcsError(response, AcsError.unauthorized());
      return;
    }
    const fault = faults.take({ method, path });
    if (fault) {
      sendAcsError(response, new AcsError(fault.status, 'ServiceUnavailable', 'Injected by the local Call Automation: the service is unavailable.'));
      return;
    }
    const repeatabilityKey = method === 'POST' ? headerValue(request, 'repeatability-request-id') : undefined;
    const repeated = repeatabilityKey ? repeatability.get(`${path}|${repeatabilityKey}`) : undefined;
    if (repeated) {
      sendJson(response, repeated.status, repeated.body);
      return;
    }
    const apiVersion = new URL(url, 'http://placeholder').searchParams.get('api-version') ?? '2025-05-15';
    // Hold music is checked before the hold is answered; plays and recognizes fetch their files as they start.
    if (method === 'POST' && holdsWithMusic.test(path)) await files.download(body);
    let result: RestResult;
    try {
      result = route(method, path, body, apiVersion);
    } catch (error) {
      if (error instanceof AcsError) {
        logger.debug({ method, path, status: error.status, code: error.code, message: error.message }, 'call automation request refused');
        sendAcsError(response, error);
        return;
      }
      throw error;
    }
    if (repeatabilityKey) repeatability.set(`${path}|${repeatabilityKey}`, result);
    logger.debug({ method, path, status: result.status }, 'call automation request');
    sendJson(response, result.status, result.body);
  }

  /** A hold names its music: its body is searched for files to download. */
  const holdsWithMusic = /^\/calling\/callConnections\/[^/:]+:hold$/;

  function route(method: string, path: string, body: Buffer, apiVersion: string): RestResult {
    const read = <K extends keyof CallAutomationRequests>(name: K): CallAutomationRequests[K] =>
      parseRequest(callAutomationRequestSchemas[name], body) as CallAutomationRequests[K];

    if (path === '/calling/callConnections') {
      if (method === 'POST') return service.createCall(read('createCall'), apiVersion);
      throw methodNotAllowed(method, path);
    }
    const callAction = /^\/calling\/callConnections:([A-Za-z]+)$/.exec(path);
    if (callAction) {
      requireMethod(method, 'POST', path);
      switch (callAction[1]) {
        case 'answer':
          return service.answerCall(read('answerCall'), apiVersion);
        case 'redirect':
          return service.redirectCall(read('redirectCall'));
        case 'reject':
          return service.rejectCall(read('rejectCall'));
        case 'connect':
          throw notSupported('connect');
        default:
          throw noResource(path);
      }
    }
    const participant = /^\/calling\/callConnections\/([^/:]+)\/participants\/([^/]+)$/.exec(path);
    if (participant?.[1] && participant[2]) {
      requireMethod(method, 'GET', path);
      return service.getParticipant(decodeURIComponent(participant[1]), decodeURIComponent(participant[2]));
    }
    const participants = /^\/calling\/callConnections\/([^/:]+)\/participants(?::([A-Za-z]+))?$/.exec(path);
    if (participants?.[1]) {
      const id = decodeURIComponent(participants[1]);
      if (participants[2] === undefined) {
        requireMethod(method, 'GET', path);
        return service.listParticipants(id);
      }
      requireMethod(method, 'POST', path);
      switch (participants[2]) {
        case 'add':
          return service.addParticipant(id, read('addParticipant'));
        case 'remove':
          return service.removeParticipant(id, read('removeParticipant'));
        case 'mute':
          return service.mute(id, read('mute'));
        case 'cancelAddParticipant':
          return service.cancelAddParticipant(id, read('cancelAddParticipant'));
        case 'moveHere':
          throw notSupported('moveParticipants');
        default:
          throw noResource(path);
      }
    }
    const connection = /^\/calling\/callConnections\/([^/:]+)(?::([A-Za-z]+))?$/.exec(path);
    if (connection?.[1]) {
      const id = decodeURIComponent(connection[1]);
      const action = connection[2];
      if (action === undefined) {
        if (method === 'GET') return service.getCall(id);
        if (method === 'DELETE') return service.hangUp(id);
        throw methodNotAllowed(method, path);
      }
      requireMethod(method, 'POST', path);
      switch (action) {
        case 'terminate':
          return service.terminate(id);
        case 'transferToParticipant':
          return service.transferToParticipant(id, read('transferToParticipant'));
        case 'play':
          return service.play(id, read('play'));
        case 'recognize':
          return service.recognize(id, read('recognize'));
        case 'cancelAllMediaOperations':
          return service.cancelAllMediaOperations(id);
        case 'startContinuousDtmfRecognition':
          return service.startContinuousDtmfRecognition(id, read('continuousDtmfRecognition'));
        case 'stopContinuousDtmfRecognition':
          return service.stopContinuousDtmfRecognition(id, read('continuousDtmfRecognition'));
        case 'sendDtmfTones':
          return service.sendDtmfTones(id, read('sendDtmfTones'));
        case 'hold':
          return service.hold(id, read('hold'));
        case 'unhold':
          return service.unhold(id, read('unhold'));
        case 'startMediaStreaming':
          return service.startMediaStreaming(id, read('mediaStreaming'), true);
        case 'stopMediaStreaming':
          return service.startMediaStreaming(id, read('mediaStreaming'), false);
        case 'startTranscription':
          return service.startTranscription(id, read('transcription'), true);
        case 'stopTranscription':
          return service.startTranscription(id, read('transcription'), false);
        case 'updateTranscription':
          throw notSupported('updateTranscription');
        default:
          throw noResource(path);
      }
    }
    if (path === '/calling/recordings') {
      requireMethod(method, 'POST', path);
      return service.startRecording(read('startRecording'));
    }
    const recording = /^\/calling\/recordings\/([^/:]+)(?::([A-Za-z]+))?$/.exec(path);
    if (recording?.[1]) {
      const id = decodeURIComponent(recording[1]);
      if (recording[2] === undefined) {
        if (method === 'GET') return service.getRecording(id);
        if (method === 'DELETE') return service.stopRecording(id);
        throw methodNotAllowed(method, path);
      }
      requireMethod(method, 'POST', path);
      if (recording[2] === 'pause') return service.pauseRecording(id, true);
      if (recording[2] === 'resume') return service.pauseRecording(id, false);
    }
    throw noResource(path);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host}:${port}/`;
  let closed = false;

  const emulator: CallAutomationEmulator = {
    endpoint,
    accessKey,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    jwksUrl: `${endpoint}calling/keys`,
    issuer,
    audience,
    simulatorUrl: `${endpoint}simulator`,
    get incomingCallWebhook() {
      return eventGrid.subscription;
    },
    setIncomingCallWebhook: (url) => eventGrid.subscribe(url),
    setRecordingFileWebhook: (url) => recordingEvents.subscribe(url),
    placeCall: (placeOptions) => service.placeCall(placeOptions),
    say: (id, text, sayOptions) => service.callerSays(id, text, sayOptions?.confidence),
    press: (id, keys) => service.callerPresses(id, keys),
    hangUp: (id) => service.callerHangsUp(id),
    getConversation: (id) => service.conversation(id),
    listConversations: () => service.listConversations(),
    listRecordings: () => service.listRecordings(),
    waitForConversation: (id, predicate, timeoutInMs) => service.waitForConversation(id, predicate, timeoutInMs),
    waitForCallEnd: (id, timeoutInMs) => service.waitForConversation(id, (c) => c.state === 'ended', timeoutInMs),
    waitForCallerTurn: (id, timeoutInMs) =>
      service.waitForConversation(id, (c) => c.awaitingInput || c.state === 'ended', timeoutInMs),
    registerPhone: (phoneNumber, behaviour) => service.registerPhone(phoneNumber, behaviour),
    listInvitations: (userId) => service.listInvitations(userId),
    waitForInvitation: (userId, timeoutInMs) => service.waitForInvitation(userId, timeoutInMs),
    acceptInvitation: (userId, invitationId) => service.answerInvitation(userId, 'accept', invitationId),
    declineInvitation: (userId, invitationId) => service.answerInvitation(userId, 'decline', invitationId),
    teamsUserHangUp: (userId) => service.teamsUserHangsUp(userId),
    faults,
    callbackDeliveries: () => callbacks.deliveries(),
    onCallbackDelivery: (listener) => callbacks.onDelivery(listener),
    callbacksIdle: async () => {
      // A recording's file event follows the call's end; its delivery can bring no callback.
      await callbacks.idle();
      await recordingEvents.idle();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      service.endAllCalls();
      timers.clearAll();
      callbacks.close();
      eventGrid.close();
      recordingEvents.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  if (options.incomingCallWebhookUrl) await emulator.setIncomingCallWebhook(options.incomingCallWebhookUrl);
  logger.info({ endpoint }, 'call automation emulator listening');
  return emulator;
}

function parseRequest(schema: z.ZodType, body: Buffer): unknown {
  let json: unknown;
  try {
    json = parseJsonBody(body);
  } catch {
    throw AcsError.badRequest('The request body is not valid JSON.');
  }
  const parsed = schema.safeParse(json ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw AcsError.badRequest(`Invalid request: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function sendAcsError(response: ServerResponse, error: AcsError): void {
  sendJson(response, error.status, error.body);
}

function requireMethod(method: string, expected: string, path: string): void {
  if (method !== expected) throw methodNotAllowed(method, path);
}

function methodNotAllowed(method: string, path: string): AcsError {
  return new AcsError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}' (${path}).`);
}

function noResource(path: string): AcsError {
  return new AcsError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}'.`);
}

/** 405 / 8520 "Functionality not supported at this time" (Call Automation troubleshooting codes). */
function notSupported(operation: string): AcsError {
  return new AcsError(405, '8520', `The Call Automation emulator does not support ${operation}.`);
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Answers a retried request (same Repeatability-Request-ID) with the first answer instead of
 * doing it twice, as the repeatability headers the SDK sends ask for.
 */
class RepeatabilityCache {
  private readonly entries = new Map<string, { result: RestResult; at: number }>();

  get(key: string): RestResult | undefined {
    const entry = this.entries.get(key);
    return entry && Date.now() - entry.at < repeatabilityWindowInMs ? entry.result : undefined;
  }

  set(key: string, result: RestResult): void {
    const now = Date.now();
    for (const [oldKey, entry] of this.entries) {
      if (now - entry.at < repeatabilityWindowInMs) break;
      this.entries.delete(oldKey);
    }
    this.entries.set(key, { result, at: now });
  }
}
