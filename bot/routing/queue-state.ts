/** The queue document's building blocks: creation, the ordered waiting list, membership, dedupe. */
import { createAgentIndex, indexOrderFor } from './agent-index.js';
import { createQueueCounters } from './queue-statistics.js';
import {
  memberStatuses,
  routingSchemaVersion,
  type MemberStatus,
  type QueueDefinition,
  type QueueMember,
  type QueueState,
  type WaitingCall,
} from './routing-types.js';

/**
 * Message ids remembered for duplicate detection, in two generations of this many: redeliveries
 * come within minutes, not thousands of messages.
 */
export const recentIdGeneration = 512;

/**
 * Lookup sets for the id arrays, keyed by array identity. A memo only: the arrays stay the state;
 * a freshly loaded document just builds its sets on first use.
 */
const idSets = new WeakMap<string[], Set<string>>();

function idSet(ids: string[]): Set<string> {
  let set = idSets.get(ids);
  if (set === undefined) {
    set = new Set(ids);
    idSets.set(ids, set);
  }
  return set;
}

export function createQueueState(definition: Pick<QueueDefinition, 'queueId' | 'agentSelection'>): QueueState {
  const memberCounts = Object.fromEntries(memberStatuses.map((s) => [s, 0])) as Record<MemberStatus, number>;
  return {
    schemaVersion: routingSchemaVersion,
    queueId: definition.queueId,
    waiting: [],
    idleAgents: createAgentIndex(indexOrderFor(definition.agentSelection)),
    members: {},
    memberCounts: { ...memberCounts, loggedIn: 0 },
    offerSeq: 0,
    nextCallSeq: 1,
    stats: createQueueCounters(),
    recent: { current: [], previous: [] },
  };
}

/** True when `a` is served before `b`: higher priority first, then longer wait. */
export function servedBefore(a: WaitingCall, b: WaitingCall): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.enqueuedAtMs !== b.enqueuedAtMs) return a.enqueuedAtMs < b.enqueuedAtMs;
  return a.seq < b.seq;
}

/**
 * Calls by id for a waiting list, keyed by the array's identity: a memo kept in step by the three
 * functions below (the only ones that change the list), built on first use for a loaded document.
 */
const callsById = new WeakMap<WaitingCall[], Map<string, WaitingCall>>();

function callMap(waiting: WaitingCall[]): Map<string, WaitingCall> {
  let map = callsById.get(waiting);
  if (map === undefined) {
    map = new Map(waiting.map((c) => [c.callId, c]));
    callsById.set(waiting, map);
  }
  return map;
}

/** Index of the first call not served before `call` (binary search; calls are unique by seq). */
function lowerBound(waiting: readonly WaitingCall[], call: WaitingCall): number {
  let low = 0;
  let high = waiting.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (servedBefore(waiting[middle]!, call)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Inserts in service order; returns the call's 1-based position. */
export function insertWaitingCall(queue: QueueState, call: WaitingCall): number {
  const waiting = queue.waiting;
  const index = lowerBound(waiting, call);
  if (index === waiting.length) waiting.push(call);
  else waiting.splice(index, 0, call);
  callMap(waiting).set(call.callId, call);
  return index + 1;
}

export function findWaitingIndex(queue: QueueState, callId: string): number {
  const call = callMap(queue.waiting).get(callId);
  if (call === undefined) return -1;
  const index = lowerBound(queue.waiting, call);
  return queue.waiting[index] === call ? index : queue.waiting.indexOf(call);
}

export function removeWaitingAt(queue: QueueState, index: number): void {
  const call = queue.waiting[index];
  if (call === undefined) return;
  if (index === queue.waiting.length - 1) queue.waiting.pop();
  else queue.waiting.splice(index, 1);
  callMap(queue.waiting).delete(call.callId);
}

export function hasSeen(queue: QueueState, id: string): boolean {
  return idSet(queue.recent.current).has(id) || idSet(queue.recent.previous).has(id);
}

export function remember(queue: QueueState, id: string): void {
  const recent = queue.recent;
  if (recent.current.length >= recentIdGeneration) {
    recent.previous = recent.current;
    recent.current = [];
  }
  recent.current.push(id);
  idSet(recent.current).add(id);
}

export function getMember(queue: QueueState, agentId: string): QueueMember | undefined {
  return queue.members[agentId];
}

/** Creates or updates the member, keeping the per-status counts in step. */
export function setMemberStatus(queue: QueueState, agentId: string, status: MemberStatus, loggedIn: boolean): QueueMember {
  let member = queue.members[agentId];
  if (member === undefined) {
    member = { status, loggedIn, lastOfferSeq: 0, answeredAtMs: null };
    queue.members[agentId] = member;
    queue.memberCounts[status] = (queue.memberCounts[status] ?? 0) + 1;
    if (loggedIn) queue.memberCounts.loggedIn++;
    return member;
  }
  if (member.status !== status) {
    queue.memberCounts[member.status]--;
    // A queue document saved before a status existed has no count for it.
    queue.memberCounts[status] = (queue.memberCounts[status] ?? 0) + 1;
    member.status = status;
  }
  if (member.loggedIn !== loggedIn) {
    queue.memberCounts.loggedIn += loggedIn ? 1 : -1;
    member.loggedIn = loggedIn;
  }
  return member;
}

export function removeMember(queue: QueueState, agentId: string): void {
  const member = queue.members[agentId];
  if (member === undefined) return;
  queue.memberCounts[member.status]--;
  if (member.loggedIn) queue.memberCounts.loggedIn--;
  delete queue.members[agentId];
}
