/**
 * Routing domain: agents, queue definitions (config), queue state (the `queues` document) and the
 * calls waiting in it. Plain JSON throughout; times in documents are ISO strings, times in the hot
 * queue state are epoch milliseconds (`...AtMs`) so ordering needs no parsing.
 */
import type { AgentIndex } from './agent-index.js';

export const routingSchemaVersion = 1;

/** Microsoft Graph presence availability values. */
export const availabilities = [
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
] as const;
export type Availability = (typeof availabilities)[number];

export interface Presence {
  availability: Availability;
  /** Graph activity, e.g. `Available`, `InACall`, `InAMeeting`, `Presenting`. */
  activity: string;
}

/** Skill name to proficiency, an integer from 1 (novice) to 5 (expert). */
export type Skills = Record<string, number>;

export interface SkillRequirement {
  skill: string;
  minProficiency: number;
}

/** The offer an agent holds: written by the ETag-guarded reservation, cleared on its outcome. */
export interface AgentOffer {
  offerId: string;
  callId: string;
  queueId: string;
  offeredAt: string;
}

/** The `agents` document (partition /agentId). */
export interface Agent {
  agentId: string;
  teamsUserId: string;
  displayName: string;
  skills: Skills;
  queueIds: string[];
  /** Concurrent calls the agent may hold; one voice call unless configured otherwise. */
  capacity: number;
  state: 'ready' | 'notReady';
  notReadyReason: string | null;
  presence: Presence;
  activeCallIds: string[];
  offer: AgentOffer | null;
  lastCallEndedAt: string | null;
  /** Offers missed (declined or unanswered) in a row; reset when the agent answers one. */
  consecutiveMisses: number;
  /**
   * After-call work: the call just ended (`callId`) and the agent takes no new call until `until`,
   * or until they say they are ready sooner. Null when not wrapping up.
   */
  wrapUp: AgentWrapUp | null;
  /** When the last wrap-up ended: the agent's idle time runs from then, not from the call's end. */
  wrapUpEndedAt?: string | null;
}

export interface AgentWrapUp {
  callId: string;
  /** ISO time the wrap-up ends by itself. */
  until: string;
}

export type AgentSelection = 'longestIdle' | 'mostSkilled' | 'roundRobin';

export interface RelaxationStep {
  afterSeconds: number;
  /** Lower every required proficiency to this, or drop the skill requirements entirely. */
  minProficiency: number | 'anyAgentOfQueue';
}

export type OverflowAction =
  | { kind: 'queue'; queueId: string }
  | { kind: 'voicemail' }
  | { kind: 'callback' }
  | { kind: 'disconnect'; message: string };

export interface OverflowRules {
  maxWait?: { maxWaitInSeconds: number; action: OverflowAction };
  /** Counts callers on the line; callbacks keep their place without counting. */
  maxQueueSize?: { maxQueueSize: number; action: OverflowAction };
  whenNoAgentsLoggedIn?: { action: OverflowAction };
}

/** A queue as ops configure it (config-as-code, validated by `queueDefinitionSchema`). */
export interface QueueDefinition {
  queueId: string;
  name: string;
  agentSelection: AgentSelection;
  requiredSkills: SkillRequirement[];
  /** Applied in order of `afterSeconds`; the last step reached wins. */
  relaxationSteps: RelaxationStep[];
  ringTimeInSeconds: number;
  maxMissesBeforeNotReady: number;
  /** 0 turns position announcements off. */
  announcementIntervalInSeconds: number;
  /** Offer a callback once the expected wait exceeds this; null never offers. */
  callbackOfferThresholdInSeconds: number | null;
  overflow: OverflowRules;
  serviceLevelThresholdInSeconds: number;
  /** Used for the expected wait until the queue has measured handle times of its own. */
  defaultHandleTimeInSeconds: number;
  /** After-call work: how long an agent whose call from this queue ended takes no new call; 0 for none. */
  wrapUpInSeconds: number;
  /** The disposition codes an agent may record for this queue's calls; empty: any code. */
  dispositions: string[];
}

/**
 * What the virtual assistant learned, for the agent's screen: the call flow's HandOffContext as it
 * travels in CallQueued. Personal data stays under `pii`.
 */
export interface RoutingContext {
  readonly intent?: string | undefined;
  readonly confidence?: number | undefined;
  readonly language: string;
  /** The name of the line the caller dialled, when the config gives one. */
  readonly line?: string | undefined;
  /** Why the assistant handed the caller over. */
  readonly reason: string;
  /** The caller's number, the transcript and the answers they gave (slots, masked where the config says). */
  readonly pii: { readonly callerId: string; readonly transcript: readonly string[]; readonly slots: Readonly<Record<string, string>> };
}

export interface PendingOffer {
  offerId: string;
  agentId: string;
  offeredAtMs: number;
}

export interface WaitingCall {
  callId: string;
  /** Null once a caller who chose a callback has hung up. */
  callConnectionId: string | null;
  queueId: string;
  /** Larger is served first. */
  priority: number;
  requiredSkills: SkillRequirement[];
  enqueuedAtMs: number;
  /** Tie-breaker for calls with the same priority and enqueue time. */
  seq: number;
  context: RoutingContext;
  callback: { phoneNumber: string } | null;
  offer: PendingOffer | null;
  offerCount: number;
  /** Agents who declined or missed this call; it is not offered to them again. */
  missedByAgentIds: string[];
  callbackOffered: boolean;
  /** Announcement, max-wait and relaxation timers are scheduled once the call really waits. */
  timersScheduled: boolean;
  announcementCount: number;
}

export type MemberStatus = 'idle' | 'reserved' | 'onCall' | 'wrapUp' | 'away' | 'notReady' | 'offline';
export const memberStatuses: readonly MemberStatus[] = ['idle', 'reserved', 'onCall', 'wrapUp', 'away', 'notReady', 'offline'];

/** What the queue knows about one of its agents, kept current from agent messages. */
export interface QueueMember {
  status: MemberStatus;
  /** Ready and not Offline: counts for the "no agents logged in" overflow rule. */
  loggedIn: boolean;
  /** Round-robin position: the queue's offer counter when this agent was last offered a call. */
  lastOfferSeq: number;
  /** When the agent answered their current call from this queue, for handle-time statistics. */
  answeredAtMs: number | null;
}

/** Counts of queue outcomes over some span. */
export interface OutcomeCounts {
  entered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  abandonedWithinThreshold: number;
  overflowed: number;
  answeredWaitSumMs: number;
  handleSumMs: number;
  handled: number;
}

/** One minute of queue outcomes; a short ring of these gives windowed statistics. */
export interface StatsBucket extends OutcomeCounts {
  startMs: number;
  /** Dispositions agents recorded in this minute, by code (absent when none). */
  dispositions?: Record<string, number>;
}

export interface QueueCounters {
  bucketSeconds: number;
  maxBuckets: number;
  /** Oldest first. */
  buckets: StatsBucket[];
  totals: { entered: number; answered: number; abandoned: number; overflowed: number };
}

/** The `queues` document (partition /queueId): written only by the queue's Service Bus session. */
export interface QueueState {
  schemaVersion: typeof routingSchemaVersion;
  queueId: string;
  /** Priority first (larger first), then time waited (older first). */
  waiting: WaitingCall[];
  /** Agents who can take a call from this queue now, plus those holding this queue's offers. */
  idleAgents: AgentIndex;
  members: Record<string, QueueMember>;
  memberCounts: Record<MemberStatus, number> & { loggedIn: number };
  /** Round-robin cursor: incremented on every offer. */
  offerSeq: number;
  nextCallSeq: number;
  stats: QueueCounters;
  /** Recently handled message ids, for duplicate detection (see queue-state.ts). */
  recent: { current: string[]; previous: string[] };
}
