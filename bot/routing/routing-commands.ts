/**
 * What the routing decider wants done. The shell executes them in order after saving the queue
 * document. Commands that share an `offerId` depend on the ReserveAgent before them: when that
 * ETag-guarded reservation fails, the shell skips the rest of that offer's commands and sends
 * `ReservationFailed` back to the queue instead.
 */
import type { RoutingMessage } from './routing-messages.js';
import type { AgentOffer, AgentSelection, OverflowAction, RoutingContext, SkillRequirement } from './routing-types.js';

export type OverflowReason = 'maxWait' | 'maxQueueSize' | 'noAgentsLoggedIn';

export type RoutingDecisionRecord =
  | { kind: 'queued'; priority: number; requiredSkills: SkillRequirement[]; position: number }
  | {
      kind: 'offered';
      agentId: string;
      offerId: string;
      agentSelection: AgentSelection;
      appliedSkills: SkillRequirement[];
      waitedSeconds: number;
    }
  | { kind: 'offerMissed'; agentId: string; offerId: string; reason: 'declined' | 'noAnswer' }
  | { kind: 'reservationFailed'; agentId: string; offerId: string; reason: string }
  | { kind: 'answered'; agentId: string; offerId: string; waitedSeconds: number }
  | { kind: 'leftQueue'; reason: string; waitedSeconds: number }
  | { kind: 'overflowed'; reason: OverflowReason; action: OverflowAction; waitedSeconds: number }
  | { kind: 'callbackRequested' }
  | { kind: 'callbackOffered'; expectedWaitInSeconds: number };

export type RoutingCommand =
  /** ETag-guarded write of `offer` on the agent document, valid only if the agent is still free. */
  | { kind: 'ReserveAgent'; agentId: string; offerId: string; offer: AgentOffer }
  /** Add the Teams user to the call (AddAgentToCall) with the queue's ring time as invitation timeout. */
  | {
      kind: 'OfferCallToAgent';
      offerId: string;
      operationContext: string;
      callId: string;
      callConnectionId: string;
      queueId: string;
      agentId: string;
      teamsUserId: string;
      invitationTimeoutInSeconds: number;
      context: RoutingContext;
    }
  /** A callback's turn: the agent is reserved; dial the caller (createCall) and join the agent. */
  | {
      kind: 'PlaceCallback';
      offerId: string;
      operationContext: string;
      callId: string;
      queueId: string;
      agentId: string;
      teamsUserId: string;
      invitationTimeoutInSeconds: number;
      context: RoutingContext;
      pii: { phoneNumber: string };
    }
  /** Cancel the pending invitation (cancelAddParticipant); harmless if it has already resolved. */
  | {
      kind: 'CancelOffer';
      offerId: string;
      operationContext: string;
      callId: string;
      callConnectionId: string | null;
      agentId: string;
    }
  /** Clear the agent's offer if it is still `offerId`; a miss also counts toward not ready. */
  | { kind: 'ReleaseAgent'; agentId: string; offerId: string; outcome: 'declined' | 'noAnswer' | 'cancelled' }
  | { kind: 'MarkAgentNotReady'; agentId: string; reason: 'missedOffers' }
  /** The agent answered: the call joins their active calls and the offer and miss count clear. */
  | { kind: 'AssignCallToAgent'; agentId: string; offerId: string; callId: string }
  | {
      kind: 'AnnounceQueuePosition';
      operationContext: string;
      callId: string;
      callConnectionId: string;
      position: number;
      expectedWaitInSeconds: number;
    }
  | { kind: 'OfferCallback'; operationContext: string; callId: string; callConnectionId: string; expectedWaitInSeconds: number }
  /** Leave this queue by the configured action (another queue, voicemail, callback or a message). */
  | {
      kind: 'Overflow';
      callId: string;
      callConnectionId: string | null;
      queueId: string;
      reason: OverflowReason;
      action: OverflowAction;
    }
  /** Send `message` to the `routing` queue as a scheduled message at `at` (ISO time). */
  | { kind: 'ScheduleMessage'; at: string; message: RoutingMessage }
  /** A history item for the call's partition; `historyId` is deterministic so a retry is a no-op. */
  | { kind: 'RecordRoutingDecision'; historyId: string; callId: string; queueId: string; at: string; decision: RoutingDecisionRecord };

export type RoutingCommandKind = RoutingCommand['kind'];
export type RoutingCommandOf<K extends RoutingCommandKind> = Extract<RoutingCommand, { kind: K }>;
