/**
 * The simulator over HTTP (JSON in, JSON out, no auth: loopback only), for the CLI
 * (`switchboard call`), tests in other processes and a browser softphone. Routes:
 *
 *   GET  /simulator                                   this route list
 *   POST /simulator/calls                             place a PSTN call
 *        { from: "+14255550123", to: "+18005550100", callerDisplayName?, script?: CallerStep[],
 *          whenScriptEnds?: "hangUp" | "silence" | "wait" }      -> 201 { simulatedCallId, incomingCallDelivered }
 *        CallerStep: { say, confidence?, bargeIn? } | { press: "12#", bargeIn? } | { silence: true }
 *                  | { hangUp: true } | { waitForPrompt: "text heard" }
 *   GET  /simulator/calls                             -> { value: Conversation[] }
 *   GET  /simulator/calls/{id}                        -> Conversation (404 if unknown)
 *        ?waitForEnd=true | ?waitForTurn=true [&timeoutInMs=30000]: long-poll until the call ended /
 *        a recognize waits for this caller; answers the current state when the wait times out
 *   POST /simulator/calls/{id}/say      { text, confidence? }   -> Conversation
 *   POST /simulator/calls/{id}/press    { keys: "123#" }        -> Conversation
 *   POST /simulator/calls/{id}/hang-up                          -> Conversation
 *   PUT  /simulator/phones/{+number}    { ringBehaviour?, script?, whenScriptEnds? }   -> 204
 *        how a number the app calls / adds / transfers to answers
 *   GET  /simulator/teams-users                       -> { value: TeamsUserView[] }
 *   PUT  /simulator/teams-users/{userId} { displayName?, availability?, activity?, ringBehaviour? } -> TeamsUserView
 *        ringBehaviour: { kind: "accept", afterMs } | { kind: "decline", afterMs } | { kind: "noAnswer" }
 *   GET  /simulator/teams-users/{userId}/invitations  [?wait=true&timeoutInMs=]   -> { value: InvitationView[] }
 *   POST /simulator/teams-users/{userId}/accept       { invitationId? }          -> InvitationView
 *   POST /simulator/teams-users/{userId}/decline      { invitationId? }          -> InvitationView
 *   POST /simulator/teams-users/{userId}/hang-up                                 -> { callsLeft }
 *   GET  /simulator/invitations [?userId=]            -> { value: InvitationView[] }  (ringing ones)
 *   GET  /simulator/incoming-call-webhook             -> { url, state }
 *   PUT  /simulator/incoming-call-webhook { url }     -> { url, state }  (runs the Event Grid handshake)
 *   GET  /simulator/deliveries                        -> { value: CallbackDelivery[] }  (last callbacks posted)
 *   GET  /simulator/idle                              -> { idle: true } once every callback posted so far is answered
 *
 * Errors: { error: { code, message } } with 400 (bad body), 404 (unknown call / nothing ringing),
 * 409 (the call has ended).
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SimulatedTeamsUser, TeamsUserDirectory } from '../teams/teams-user-directory.js';
import { SimulatorError, type CallAutomationService } from './call-automation-service.js';
import type { CallbackSender } from './callback-sender.js';
import type { EventGridSender } from './event-grid-sender.js';
import { parseJsonBody, sendJson } from './http-json.js';
import type { Conversation } from './simulated-caller.js';

const phoneNumber = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +14255550123');

const callerStep = z.union([
  z.strictObject({ say: z.string(), confidence: z.number().min(0).max(1).optional(), bargeIn: z.boolean().optional() }),
  z.strictObject({ press: z.string().regex(/^[0-9*#A-Da-d]+$/, 'must be DTMF keys'), bargeIn: z.boolean().optional() }),
  z.strictObject({ silence: z.literal(true) }),
  z.strictObject({ hangUp: z.literal(true) }),
  z.strictObject({ waitForPrompt: z.string().min(1) }),
]);

const whenScriptEnds = z.enum(['hangUp', 'silence', 'wait']);

const ringBehaviour = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accept'), afterMs: z.number().int().min(0) }),
  z.object({ kind: z.literal('decline'), afterMs: z.number().int().min(0) }),
  z.object({ kind: z.literal('noAnswer') }),
]);

const availability = z.enum(['Available', 'AvailableIdle', 'Away', 'BeRightBack', 'Busy', 'BusyIdle', 'DoNotDisturb', 'Offline', 'PresenceUnknown']);

const bodies = {
  placeCall: z.object({
    // "anonymous": a caller who withheld their number (Call Automation's 4:anonymous).
    from: z.union([phoneNumber, z.literal('anonymous')]),
    to: phoneNumber,
    callerDisplayName: z.string().optional(),
    script: z.array(callerStep).optional(),
    whenScriptEnds: whenScriptEnds.optional(),
  }),
  say: z.object({ text: z.string().min(1), confidence: z.number().min(0).max(1).optional() }),
  press: z.object({ keys: z.string().regex(/^[0-9*#A-Da-d]+$/, 'must be DTMF keys') }),
  phone: z.object({ ringBehaviour: ringBehaviour.optional(), script: z.array(callerStep).optional(), whenScriptEnds: whenScriptEnds.optional() }),
  teamsUser: z.object({
    displayName: z.string().optional(),
    availability: availability.optional(),
    activity: z.string().optional(),
    ringBehaviour: ringBehaviour.optional(),
  }),
  answer: z.object({ invitationId: z.string().optional() }),
  webhook: z.object({ url: z.url().optional() }),
};

const defaultLongPollInMs = 30_000;
const maxLongPollInMs = 120_000;

const routeList = [
  'POST /simulator/calls',
  'GET  /simulator/calls',
  'GET  /simulator/calls/{id}[?waitForEnd=true|waitForTurn=true&timeoutInMs=]',
  'POST /simulator/calls/{id}/say',
  'POST /simulator/calls/{id}/press',
  'POST /simulator/calls/{id}/hang-up',
  'PUT  /simulator/phones/{number}',
  'GET  /simulator/teams-users',
  'PUT  /simulator/teams-users/{userId}',
  'GET  /simulator/teams-users/{userId}/invitations[?wait=true&timeoutInMs=]',
  'POST /simulator/teams-users/{userId}/accept',
  'POST /simulator/teams-users/{userId}/decline',
  'POST /simulator/teams-users/{userId}/hang-up',
  'GET  /simulator/invitations[?userId=]',
  'GET  /simulator/incoming-call-webhook',
  'PUT  /simulator/incoming-call-webhook',
  'GET  /simulator/deliveries',
  'GET  /simulator/idle',
];

export async function handleSimulatorRequest(context: {
  readonly method: string;
  readonly url: string;
  readonly body: Buffer;
  readonly response: ServerResponse;
  readonly service: CallAutomationService;
  readonly eventGrid: EventGridSender;
  readonly callbacks: CallbackSender;
  readonly teams: TeamsUserDirectory;
  readonly logger: Logger;
}): Promise<void> {
  const { method, response, service, eventGrid, callbacks, teams } = context;
  const url = new URL(context.url, 'http://simulator');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent).slice(1);
  const route = `${method} ${segments.map((s, i) => (i % 2 === 1 ? '*' : s)).join('/')}`;
  const read = <T extends z.ZodType>(schema: T): z.infer<T> => {
    let json: unknown;
    try {
      json = parseJsonBody(context.body);
    } catch {
      throw new SimulatorError(400, 'the body is not valid JSON');
    }
    const parsed = schema.safeParse(json ?? {});
    if (!parsed.success) {
      throw new SimulatorError(400, parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
    }
    return parsed.data;
  };
  const id = segments[1] ?? '';

  try {
    switch (route) {
      case 'GET ':
        return sendJson(response, 200, { routes: routeList });
      case 'POST calls': {
        const body = read(bodies.placeCall);
        const placed = await service.placeCall({
          from: body.from,
          to: body.to,
          ...(body.callerDisplayName !== undefined ? { callerDisplayName: body.callerDisplayName } : {}),
          ...(body.script ? { script: body.script } : {}),
          ...(body.whenScriptEnds ? { whenScriptEnds: body.whenScriptEnds } : {}),
        });
        return sendJson(response, 201, placed);
      }
      case 'GET calls':
        return sendJson(response, 200, { value: service.listConversations() });
      case 'GET calls/*': {
        const current = service.conversation(id);
        if (!current) throw new SimulatorError(404, `unknown simulated call ${id}`);
        const timeoutInMs = longPollTimeout(url);
        const until: ((c: Conversation) => boolean) | undefined =
          url.searchParams.get('waitForEnd') === 'true'
            ? (c) => c.state === 'ended'
            : url.searchParams.get('waitForTurn') === 'true'
              ? (c) => c.awaitingInput || c.state === 'ended'
              : undefined;
        const conversation: Conversation = until
          ? await service.waitForConversation(id, until, timeoutInMs).catch(() => service.conversation(id) ?? current)
          : current;
        return sendJson(response, 200, conversation);
      }
      case 'POST calls/*/say': {
        const body = read(bodies.say);
        return sendJson(response, 200, service.callerSays(id, body.text, body.confidence));
      }
      case 'POST calls/*/press':
        return sendJson(response, 200, service.callerPresses(id, read(bodies.press).keys));
      case 'POST calls/*/hang-up':
        return sendJson(response, 200, service.callerHangsUp(id));
      case 'PUT phones/*': {
        phoneNumber.parse(id);
        const body = read(bodies.phone);
        service.registerPhone(id, {
          ...(body.ringBehaviour ? { ringBehaviour: body.ringBehaviour } : {}),
          ...(body.script ? { script: body.script } : {}),
          ...(body.whenScriptEnds ? { whenScriptEnds: body.whenScriptEnds } : {}),
        });
        return sendJson(response, 204);
      }
      case 'GET teams-users':
        return sendJson(response, 200, { value: teams.list().map(teamsUserView) });
      case 'PUT teams-users/*': {
        const body = read(bodies.teamsUser);
        const user = teams.upsert({
          userId: id,
          ...(body.displayName !== undefined ? { displayName: body.displayName } : {}),
          ...(body.ringBehaviour ? { ringBehaviour: body.ringBehaviour } : {}),
        });
        if (body.availability) teams.setPresence(id, body.availability, body.activity ?? body.availability);
        return sendJson(response, 200, teamsUserView(user));
      }
      case 'GET teams-users/*/invitations': {
        if (url.searchParams.get('wait') === 'true') {
          await service.waitForInvitation(id, longPollTimeout(url)).catch(() => undefined);
        }
        return sendJson(response, 200, { value: service.listInvitations(id) });
      }
      case 'POST teams-users/*/accept':
        return sendJson(response, 200, service.answerInvitation(id, 'accept', read(bodies.answer).invitationId));
      case 'POST teams-users/*/decline':
        return sendJson(response, 200, service.answerInvitation(id, 'decline', read(bodies.answer).invitationId));
      case 'POST teams-users/*/hang-up':
        return sendJson(response, 200, { callsLeft: service.teamsUserHangsUp(id) });
      case 'GET invitations':
        return sendJson(response, 200, { value: service.listInvitations(url.searchParams.get('userId') ?? undefined) });
      case 'GET incoming-call-webhook':
        return sendJson(response, 200, eventGrid.subscription);
      case 'PUT incoming-call-webhook':
        return sendJson(response, 200, await eventGrid.subscribe(read(bodies.webhook).url));
      case 'GET deliveries':
        return sendJson(response, 200, { value: callbacks.deliveries() });
      case 'GET idle':
        await callbacks.idle();
        return sendJson(response, 200, { idle: true });
      default:
        throw new SimulatorError(404, `no simulator route ${method} ${url.pathname}; GET /simulator lists them`);
    }
  } catch (error) {
    if (error instanceof SimulatorError) {
      return sendJson(response, error.status, { error: { code: String(error.status), message: error.message } });
    }
    if (error instanceof z.ZodError) {
      return sendJson(response, 400, { error: { code: '400', message: error.issues.map((i) => i.message).join('; ') } });
    }
    throw error;
  }
}

function longPollTimeout(url: URL): number {
  const requested = Number(url.searchParams.get('timeoutInMs') ?? defaultLongPollInMs);
  return Number.isFinite(requested) ? Math.min(Math.max(requested, 0), maxLongPollInMs) : defaultLongPollInMs;
}

function teamsUserView(user: SimulatedTeamsUser) {
  return {
    userId: user.userId,
    displayName: user.displayName,
    availability: user.availability,
    activity: user.activity,
    ringBehaviour: user.ringBehaviour,
    activeCallIds: [...user.activeCallIds],
  };
}
