/**
 * Messages on the Service Bus queue `routing` (sessionId = queueId), validated at the edge with
 * zod. Every message carries a schema version, a message id (the Service Bus message id too, so
 * broker duplicate detection and the decider's own window agree) and the ids it concerns.
 */
import { z } from 'zod';
import { availabilities, routingSchemaVersion, type Agent, type QueueDefinition, type RoutingContext } from './routing-types.js';

const id = z.string().min(1).max(256);
const timestamp = z.iso.datetime({ offset: true });
const proficiency = z.number().int().min(1).max(5);

export const skillRequirementSchema = z.object({ skill: z.string().min(1).max(100), minProficiency: proficiency });

export const routingContextSchema = z
  .object({
    intent: z.string().optional(),
    confidence: z.number().min(0).max(1).optional(),
    language: z.string().min(2).max(35),
    line: z.string().max(100).optional(),
    reason: z.string().max(200).default(''),
    pii: z
      .object({ callerId: z.string(), transcript: z.array(z.string()).readonly().default([]), slots: z.record(z.string(), z.string()).readonly().default({}) })
      .readonly(),
  })
  .readonly() satisfies z.ZodType<RoutingContext, unknown>;

export const agentSchema = z.object({
  agentId: id,
  teamsUserId: id,
  displayName: z.string().max(256),
  skills: z.record(z.string().min(1).max(100), proficiency),
  queueIds: z.array(id),
  capacity: z.number().int().min(1).max(10).default(1),
  state: z.enum(['ready', 'notReady']),
  notReadyReason: z.string().nullable().default(null),
  presence: z.object({ availability: z.enum(availabilities), activity: z.string() }),
  activeCallIds: z.array(id).default([]),
  offer: z.object({ offerId: id, callId: id, queueId: id, offeredAt: timestamp }).nullable().default(null),
  lastCallEndedAt: timestamp.nullable().default(null),
  consecutiveMisses: z.number().int().min(0).default(0),
  wrapUp: z.object({ callId: id, until: timestamp }).nullable().default(null),
  wrapUpEndedAt: timestamp.nullable().optional(),
}) satisfies z.ZodType<Agent, unknown>;

const overflowActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('queue'), queueId: id }),
  z.object({ kind: z.literal('voicemail') }),
  z.object({ kind: z.literal('callback') }),
  z.object({ kind: z.literal('disconnect'), message: z.string().min(1) }),
]);

/** A queue as written in the ops configuration; defaults are the documented ones. */
export const queueDefinitionSchema = z.object({
  queueId: id,
  name: z.string().min(1),
  agentSelection: z.enum(['longestIdle', 'mostSkilled', 'roundRobin']).default('longestIdle'),
  requiredSkills: z.array(skillRequirementSchema).default([]),
  relaxationSteps: z
    .array(
      z.object({
        afterSeconds: z.number().positive(),
        minProficiency: z.union([proficiency, z.literal('anyAgentOfQueue')]),
      }),
    )
    .default([])
    .transform((steps) => [...steps].sort((a, b) => a.afterSeconds - b.afterSeconds)),
  ringTimeInSeconds: z.number().int().min(5).max(120).default(20),
  maxMissesBeforeNotReady: z.number().int().min(1).default(2),
  announcementIntervalInSeconds: z.number().int().min(0).default(60),
  callbackOfferThresholdInSeconds: z.number().int().positive().nullable().default(null),
  overflow: z
    .object({
      maxWait: z.object({ maxWaitInSeconds: z.number().int().positive(), action: overflowActionSchema }).optional(),
      maxQueueSize: z.object({ maxQueueSize: z.number().int().positive(), action: overflowActionSchema }).optional(),
      whenNoAgentsLoggedIn: z.object({ action: overflowActionSchema }).optional(),
    })
    .default({}),
  serviceLevelThresholdInSeconds: z.number().int().positive().default(20),
  defaultHandleTimeInSeconds: z.number().positive().default(300),
  wrapUpInSeconds: z.number().int().min(0).max(3600).default(0),
  dispositions: z.array(z.string().min(1).max(64)).default([]),
}) satisfies z.ZodType<QueueDefinition, unknown>;

const base = {
  schemaVersion: z.literal(routingSchemaVersion),
  messageId: id,
  queueId: id,
  occurredAt: timestamp,
};

export const callLeftQueueReasons = [
  'abandoned',
  'answered',
  'overflow',
  'transferred',
  'callbackCancelled',
  'callbackFailed',
  'error',
] as const;

export const routingMessageSchema = z.discriminatedUnion('kind', [
  /** From the call flow's RequestRouting; `occurredAt` is when the caller started waiting. */
  z.object({
    ...base,
    kind: z.literal('CallQueued'),
    callId: id,
    callConnectionId: id,
    priority: z.number().int().min(-1000).max(1000).default(0),
    requiredSkills: z.array(skillRequirementSchema).default([]),
    context: routingContextSchema,
    /**
     * The caller is not on the line: dial them back when an agent is free (booked after hours, or a
     * callback nobody answered, tried again). Its callConnectionId is then not used.
     */
    callback: z.object({
      phoneNumber: z.string().min(1),
      /** The dial this is for, when not the first: the call entered the queue already (statistics count it once). */
      attempt: z.number().int().min(1).optional(),
    }).optional(),
  }),
  z.object({ ...base, kind: z.literal('CallLeftQueue'), callId: id, reason: z.enum(callLeftQueueReasons) }),
  /** Fanned out to each of the agent's queues whenever the agent may have become able to take a call. */
  z.object({ ...base, kind: z.literal('AgentBecameAvailable'), agentId: id, agent: agentSchema }),
  /** Fanned out when the agent can no longer take calls (not ready, presence, reserved elsewhere, left a queue). */
  z.object({ ...base, kind: z.literal('AgentBecameUnavailable'), agentId: id, agent: agentSchema }),
  z.object({ ...base, kind: z.literal('OfferAccepted'), callId: id, agentId: id, offerId: id }),
  z.object({
    ...base,
    kind: z.literal('OfferDeclined'),
    callId: id,
    agentId: id,
    offerId: id,
    reason: z.enum(['declined', 'noAnswer']),
  }),
  /** Scheduled safety net in case the invitation's own outcome never arrives. */
  z.object({ ...base, kind: z.literal('OfferTimedOut'), callId: id, agentId: id, offerId: id }),
  /** From the shell: the ETag-guarded reservation found the agent no longer free. */
  z.object({
    ...base,
    kind: z.literal('ReservationFailed'),
    callId: id,
    agentId: id,
    offerId: id,
    reason: z.enum(['agentNotEligible', 'agentNotFound']),
  }),
  z.object({ ...base, kind: z.literal('AnnouncementTick'), callId: id, sequence: z.number().int().min(0) }),
  z.object({ ...base, kind: z.literal('CallbackRequested'), callId: id, phoneNumber: z.string().min(3).max(32) }),
  /** The caller answered their callback: they wait on the line now, as any caller (announcements, agents added to the call). */
  z.object({ ...base, kind: z.literal('CallbackAnswered'), callId: id, callConnectionId: id }),
  /**
   * Scheduled when an agent's wrap-up starts, to end it at its time: the agent may take calls again
   * (unless they ended it sooner, or a later call's wrap-up replaced it).
   */
  z.object({ ...base, kind: z.literal('WrapUpEnded'), agentId: id, callId: id, until: timestamp }),
  /** An agent recorded how one of the queue's calls went: counted in the queue's statistics. */
  z.object({ ...base, kind: z.literal('CallDispositioned'), callId: id, agentId: id, disposition: z.string().min(1).max(64) }),
  z.object({
    ...base,
    kind: z.literal('QueueTimerFired'),
    callId: id,
    timer: z.enum(['maxWait', 'skillRelaxation']),
    step: z.number().int().min(0).default(0),
  }),
]);

export type RoutingMessage = z.infer<typeof routingMessageSchema>;
export type RoutingMessageKind = RoutingMessage['kind'];
export type RoutingMessageOf<K extends RoutingMessageKind> = Extract<RoutingMessage, { kind: K }>;
export type CallLeftQueueReason = (typeof callLeftQueueReasons)[number];

/** Validates a message body from Service Bus; throws a ZodError the shell turns into dead-lettering. */
export function parseRoutingMessage(body: unknown): RoutingMessage {
  return routingMessageSchema.parse(body);
}

export function parseQueueDefinition(input: unknown): QueueDefinition {
  return queueDefinitionSchema.parse(input);
}

export function parseAgent(input: unknown): Agent {
  return agentSchema.parse(input);
}
