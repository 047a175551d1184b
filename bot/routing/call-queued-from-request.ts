/**
 * The meeting point with the call flow: its RequestRouting, CancelRouting and NotifyRouting
 * commands become messages on the `routing` queue (sessionId = queueId, Service Bus messageId =
 * the message's messageId).
 */
import type { RoutingMessageOf } from './routing-messages.js';
import { routingSchemaVersion, type RoutingContext, type SkillRequirement } from './routing-types.js';

/** The call flow's RequestRouting command, with the call it belongs to. */
export interface RoutingRequest {
  readonly callId: string;
  readonly callConnectionId: string;
  readonly queueId: string;
  readonly priority: number;
  readonly requiredSkills: readonly SkillRequirement[];
  readonly context: RoutingContext;
}

/**
 * `requestId` must be stable for the command (e.g. the call's operation context for it), so that
 * executing the command twice produces one message id and the second copy is dropped.
 */
export function callQueuedFromRequest(request: RoutingRequest, requestId: string, requestedAt: Date): RoutingMessageOf<'CallQueued'> {
  return {
    kind: 'CallQueued',
    schemaVersion: routingSchemaVersion,
    messageId: `${request.callId}:queued:${requestId}`,
    queueId: request.queueId,
    occurredAt: requestedAt.toISOString(),
    callId: request.callId,
    callConnectionId: request.callConnectionId,
    priority: request.priority,
    requiredSkills: request.requiredSkills.map((r) => ({ skill: r.skill, minProficiency: r.minProficiency })),
    context: request.context,
  };
}

/** The call flow's CancelRouting (the caller hung up while queued). */
export function callLeftQueueFromCancel(
  cancel: { readonly callId: string; readonly queueId: string; readonly reason: 'callerHungUp' },
  requestId: string,
  at: Date,
): RoutingMessageOf<'CallLeftQueue'> {
  return {
    kind: 'CallLeftQueue',
    schemaVersion: routingSchemaVersion,
    messageId: `${cancel.callId}:left:${requestId}`,
    queueId: cancel.queueId,
    occurredAt: at.toISOString(),
    callId: cancel.callId,
    reason: 'abandoned',
  };
}

/**
 * The call flow's NotifyRouting for an offer's outcome. `callEnded` is not a queue message: the
 * shell applies `endAgentCall` to the agent and fans AgentBecameAvailable out to their queues.
 */
export function offerOutcomeFromNotify(
  notify: {
    readonly callId: string;
    readonly queueId: string;
    readonly offerId: string;
    readonly agentId: string;
    readonly outcome: 'offerAccepted' | 'offerDeclined' | 'offerNotAnswered';
  },
  at: Date,
): RoutingMessageOf<'OfferAccepted' | 'OfferDeclined'> {
  const base = {
    schemaVersion: routingSchemaVersion,
    messageId: `${notify.offerId}:${notify.outcome}`,
    queueId: notify.queueId,
    occurredAt: at.toISOString(),
    callId: notify.callId,
    agentId: notify.agentId,
    offerId: notify.offerId,
  } as const;
  return notify.outcome === 'offerAccepted'
    ? { ...base, kind: 'OfferAccepted' }
    : { ...base, kind: 'OfferDeclined', reason: notify.outcome === 'offerDeclined' ? 'declined' : 'noAnswer' };
}
