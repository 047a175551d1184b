/**
 * The queue's index of agents who can take its calls, stored in the queue document so that a
 * routing decision never loads or scans the whole agent population.
 *
 * Every indexed agent sits in the bucket `*` and in one bucket per skill at its exact proficiency
 * (`<level>:<skill>`). A bucket is three parallel arrays sorted by the queue's ordering key
 * (idle-since for longest idle and most skilled, last-offer sequence for round robin). Removal is
 * lazy: the entry leaves `entries` and its bucket slots go stale (their generation no longer
 * matches); stale slots at the head are skipped for good, and a bucket is compacted once stale
 * slots outnumber live ones, so every operation is amortised O(log n) or better.
 */
import type { AgentSelection, SkillRequirement, Skills } from './routing-types.js';

export type IndexOrder = 'idleSince' | 'lastOffer';

export interface IndexedAgent {
  agentId: string;
  teamsUserId: string;
  skills: Skills;
  capacity: number;
  activeCallCount: number;
  idleSinceMs: number;
  lastOfferSeq: number;
  /** The offer this queue holds on the agent; such an agent is skipped until the offer resolves. */
  offerId: string | null;
  gen: number;
}

export interface IndexBucket {
  keys: number[];
  ids: string[];
  gens: number[];
  head: number;
  live: number;
}

export interface AgentIndex {
  order: IndexOrder;
  entries: Record<string, IndexedAgent>;
  buckets: Record<string, IndexBucket>;
  nextGen: number;
  size: number;
}

export type NewIndexedAgent = Omit<IndexedAgent, 'gen'>;

const allBucket = '*';
const minLevel = 1;
const maxLevel = 5;
const compactSlack = 32;
const mostSkilledWalkFactor = 4;

export function indexOrderFor(selection: AgentSelection): IndexOrder {
  return selection === 'roundRobin' ? 'lastOffer' : 'idleSince';
}

export function createAgentIndex(order: IndexOrder): AgentIndex {
  return { order, entries: {}, buckets: {}, nextGen: 1, size: 0 };
}

/** Re-sorts every bucket for a new ordering (the queue's agent selection changed). O(n log n), rare. */
export function reorderAgentIndex(index: AgentIndex, order: IndexOrder): void {
  const agents = Object.values(index.entries);
  index.order = order;
  index.entries = {};
  index.buckets = {};
  index.size = 0;
  agents.sort((a, b) => keyOf(a, order) - keyOf(b, order));
  for (const agent of agents) addToAgentIndex(index, agent);
}

export function getIndexedAgent(index: AgentIndex, agentId: string): IndexedAgent | undefined {
  return index.entries[agentId];
}

/** Adds the agent, or re-files it if already present (new key, skills or capacity). */
export function addToAgentIndex(index: AgentIndex, agent: NewIndexedAgent): IndexedAgent {
  if (index.entries[agent.agentId] !== undefined) removeFromAgentIndex(index, agent.agentId);
  const entry: IndexedAgent = {
    agentId: agent.agentId,
    teamsUserId: agent.teamsUserId,
    skills: { ...agent.skills },
    capacity: agent.capacity,
    activeCallCount: agent.activeCallCount,
    idleSinceMs: agent.idleSinceMs,
    lastOfferSeq: agent.lastOfferSeq,
    offerId: agent.offerId,
    gen: index.nextGen++,
  };
  index.entries[entry.agentId] = entry;
  index.size++;
  const key = keyOf(entry, index.order);
  insertSlot(index, bucketOf(index, allBucket), key, entry.agentId, entry.gen);
  for (const skill of Object.keys(entry.skills)) {
    insertSlot(index, bucketOf(index, bucketName(skill, entry.skills[skill]!)), key, entry.agentId, entry.gen);
  }
  return entry;
}

export function removeFromAgentIndex(index: AgentIndex, agentId: string): boolean {
  const entry = index.entries[agentId];
  if (entry === undefined) return false;
  delete index.entries[agentId];
  index.size--;
  releaseSlot(index, allBucket);
  for (const skill of Object.keys(entry.skills)) releaseSlot(index, bucketName(skill, entry.skills[skill]!));
  return true;
}

export function meetsRequirements(skills: Skills, requirements: readonly SkillRequirement[]): boolean {
  for (const requirement of requirements) {
    const proficiency = skills[requirement.skill];
    if (proficiency === undefined || proficiency < requirement.minProficiency) return false;
  }
  return true;
}

/**
 * The best agent in the index for these requirements under the queue's selection rule, skipping
 * agents holding an offer, at capacity, or rejected by `excluded`.
 *
 * - longestIdle: earliest idle-since first.
 * - roundRobin: least recently offered a call by this queue first.
 * - mostSkilled: highest proficiency in the first required skill, then longest idle.
 *
 * Cost: the scan walks the buckets of the most selective requirement and stops at the first
 * acceptable agent, so it is bounded by that requirement's candidates, not by the agent count
 * (most skilled: by four times that many at most).
 */
export function findAgentInIndex(
  index: AgentIndex,
  requirements: readonly SkillRequirement[],
  selection: AgentSelection,
  excluded: (agentId: string) => boolean,
): IndexedAgent | undefined {
  const search: Search = { index, requirements, excluded, rankSkill: undefined };
  if (requirements.length === 0) return scanBuckets(search, allBucketNames);

  let driver = requirements[0]!;
  let driverCount = Number.POSITIVE_INFINITY;
  for (const requirement of requirements) {
    const count = countAtLeast(index, requirement);
    if (count === 0) return undefined;
    if (count < driverCount) {
      driver = requirement;
      driverCount = count;
    }
  }

  if (selection === 'mostSkilled') {
    const primary = requirements[0]!;
    // Walking the first skill's levels from the top stops at the first fit; ranking every agent of
    // a much more selective requirement is cheaper when the first skill is very common.
    if (driver === primary || countAtLeast(index, primary) <= mostSkilledWalkFactor * driverCount) {
      for (let level = maxLevel; level >= levelOf(primary.minProficiency); level--) {
        const found = scanBuckets(search, [bucketName(primary.skill, level)]);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    search.rankSkill = primary.skill;
  }
  return scanBuckets(search, bucketsAtLeast(driver));
}

interface Search {
  index: AgentIndex;
  requirements: readonly SkillRequirement[];
  excluded: (agentId: string) => boolean;
  /** When set, scan everything and return the acceptable agent most proficient in this skill (earliest on ties). */
  rankSkill: string | undefined;
}

const allBucketNames = [allBucket];

function acceptable(search: Search, entry: IndexedAgent): boolean {
  return (
    entry.offerId === null &&
    entry.activeCallCount < entry.capacity &&
    meetsRequirements(entry.skills, search.requirements) &&
    !search.excluded(entry.agentId)
  );
}

/** Walks live entries of the given buckets merged in key order; the first acceptable one (or the best, when ranking). */
function scanBuckets(search: Search, names: readonly string[]): IndexedAgent | undefined {
  const index = search.index;
  const buckets: IndexBucket[] = [];
  const positions: number[] = [];
  for (const name of names) {
    const bucket = index.buckets[name];
    if (bucket === undefined || bucket.live === 0) continue;
    skipStaleHead(index, bucket);
    buckets.push(bucket);
    positions.push(bucket.head);
  }
  let best: IndexedAgent | undefined;
  for (;;) {
    let pick = -1;
    let pickKey = Number.POSITIVE_INFINITY;
    for (let b = 0; b < buckets.length; b++) {
      const bucket = buckets[b]!;
      const position = positions[b]!;
      if (position < bucket.keys.length && bucket.keys[position]! < pickKey) {
        pick = b;
        pickKey = bucket.keys[position]!;
      }
    }
    if (pick < 0) return best;
    const bucket = buckets[pick]!;
    const position = positions[pick]!;
    positions[pick] = position + 1;
    const entry = index.entries[bucket.ids[position]!];
    if (entry === undefined || entry.gen !== bucket.gens[position] || !acceptable(search, entry)) continue;
    if (search.rankSkill === undefined) return entry;
    const proficiency = entry.skills[search.rankSkill] ?? 0;
    // In key order, the first agent at the top level cannot be beaten.
    if (proficiency >= maxLevel) return entry;
    if (best === undefined || proficiency > (best.skills[search.rankSkill] ?? 0)) best = entry;
  }
}

function countAtLeast(index: AgentIndex, requirement: SkillRequirement): number {
  let count = 0;
  for (let level = levelOf(requirement.minProficiency); level <= maxLevel; level++) {
    count += index.buckets[bucketName(requirement.skill, level)]?.live ?? 0;
  }
  return count;
}

function bucketsAtLeast(requirement: SkillRequirement): string[] {
  const names: string[] = [];
  for (let level = levelOf(requirement.minProficiency); level <= maxLevel; level++) {
    names.push(bucketName(requirement.skill, level));
  }
  return names;
}

function keyOf(entry: Pick<IndexedAgent, 'idleSinceMs' | 'lastOfferSeq'>, order: IndexOrder): number {
  return order === 'idleSince' ? entry.idleSinceMs : entry.lastOfferSeq;
}

function levelOf(proficiency: number): number {
  return Math.min(maxLevel, Math.max(minLevel, Math.ceil(proficiency)));
}

/** Bucket names per skill, made once: a fresh string per lookup would have to be hashed into V8's key table each time. */
const bucketNames = new Map<string, string[]>();

function bucketName(skill: string, proficiency: number): string {
  let names = bucketNames.get(skill);
  if (names === undefined) {
    // The level is one digit, so the name parses unambiguously whatever the skill contains.
    names = Array.from({ length: maxLevel + 1 }, (_, level) => `${level}:${skill}`);
    if (bucketNames.size < 10_000) bucketNames.set(skill, names);
  }
  return names[Math.min(maxLevel, Math.max(minLevel, Math.floor(proficiency)))]!;
}

function bucketOf(index: AgentIndex, name: string): IndexBucket {
  let bucket = index.buckets[name];
  if (bucket === undefined) {
    bucket = { keys: [], ids: [], gens: [], head: 0, live: 0 };
    index.buckets[name] = bucket;
  }
  return bucket;
}

function insertSlot(index: AgentIndex, bucket: IndexBucket, key: number, id: string, gen: number): void {
  bucket.live++;
  compactIfSparse(index, bucket);
  const length = bucket.keys.length;
  if (length === bucket.head || bucket.keys[length - 1]! <= key) {
    bucket.keys.push(key);
    bucket.ids.push(id);
    bucket.gens.push(gen);
    return;
  }
  let low = bucket.head;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bucket.keys[middle]! <= key) low = middle + 1;
    else high = middle;
  }
  bucket.keys.splice(low, 0, key);
  bucket.ids.splice(low, 0, id);
  bucket.gens.splice(low, 0, gen);
}

function releaseSlot(index: AgentIndex, name: string): void {
  const bucket = index.buckets[name];
  if (bucket === undefined) return;
  bucket.live--;
  if (bucket.live === 0) {
    delete index.buckets[name];
    return;
  }
  compactIfSparse(index, bucket);
}

/** Slots skipped at the head count too: the arrays stay within about twice the live agents. */
function compactIfSparse(index: AgentIndex, bucket: IndexBucket): void {
  if (bucket.keys.length > 2 * bucket.live + compactSlack) compact(index, bucket);
}

function skipStaleHead(index: AgentIndex, bucket: IndexBucket): void {
  while (bucket.head < bucket.keys.length) {
    const entry = index.entries[bucket.ids[bucket.head]!];
    if (entry !== undefined && entry.gen === bucket.gens[bucket.head]) break;
    bucket.head++;
  }
  compactIfSparse(index, bucket);
}

function compact(index: AgentIndex, bucket: IndexBucket): void {
  const keys: number[] = [];
  const ids: string[] = [];
  const gens: number[] = [];
  for (let i = bucket.head; i < bucket.keys.length; i++) {
    const entry = index.entries[bucket.ids[i]!];
    if (entry === undefined || entry.gen !== bucket.gens[i]) continue;
    keys.push(bucket.keys[i]!);
    ids.push(bucket.ids[i]!);
    gens.push(bucket.gens[i]!);
  }
  bucket.keys = keys;
  bucket.ids = ids;
  bucket.gens = gens;
  bucket.head = 0;
}
