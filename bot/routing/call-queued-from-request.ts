/**
 * The meeting point with the call flow: its `RequestRouting` command becomes a CallQueued message
 * on the `routing` queue, sessionId = queueId, Service Bus messageId = the message's messageId.
 */
import type { RoutingMessageOf } from './routing-messages.js';
import { routingSchemaVersion, type RoutingContext, type SkillRequirement } from './routing-types.js';

/** The fields of the call flow's RequestRouting command. */
export interface RoutingRequest {
  callId: string;
  callConnectionId: string;
  queueId: string;
  priority: number;
  requiredSkills: SkillRequirement[];
  context: RoutingContext;
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
    requiredSkills: request.requiredSkills,
    context: request.context,
  };
}
