import { ErrorResponse, type Container } from '@azure/cosmos';
import { ConcurrencyConflict, type AgentStore, type QueueStore, type Versioned } from '../ports.js';
import { transientAsUnavailable } from './cosmos-faults.js';
import type { Agent, QueueState } from '../routing/routing-types.js';

type Stored<T> = T & { id: string; _etag?: string };

/** A Graph presence subscription: its id, when it expires, and the users it covers (sorted, joined). */
export interface PresenceSubscriptionRecord {
  readonly subscriptionId: string;
  readonly expiresAt: string;
  readonly userIds: string;
}

const presenceSubscriptionId = '$presence-subscription';

/** Queue routing documents (`queues`, partition /queueId) and agents (`agents`, /agentId). */
export class CosmosRoutingStore implements QueueStore, AgentStore {
  constructor(
    private readonly queues: Container,
    private readonly agents: Container,
  ) {}

  async getQueue(queueId: string): Promise<Versioned<QueueState> | undefined> {
    return read<QueueState>(this.queues, queueId);
  }

  async saveQueue(state: QueueState, etag: string | undefined): Promise<string> {
    return write(this.queues, state.queueId, { ...state, id: state.queueId }, etag);
  }

  async getAgent(agentId: string): Promise<Versioned<Agent> | undefined> {
    const found = await read<Agent>(this.agents, agentId);
    return found && { value: agentWithDefaults(found.value), etag: found.etag };
  }

  async saveAgent(agent: Agent, etag: string | undefined): Promise<string> {
    return write(this.agents, agent.agentId, { ...agent, id: agent.agentId }, etag);
  }

  /**
   * The Graph presence subscription, shared by every instance of the app: kept beside the queue
   * documents under a reserved id so that a restart or a second instance renews it, not repeats it.
   */
  async getPresenceSubscription(): Promise<PresenceSubscriptionRecord | undefined> {
    const found = await read<PresenceSubscriptionRecord & { queueId: string }>(this.queues, presenceSubscriptionId);
    if (!found) return undefined;
    const { queueId: _queueId, ...record } = found.value;
    return record;
  }

  async savePresenceSubscription(record: PresenceSubscriptionRecord | undefined): Promise<void> {
    if (record === undefined) {
      await this.queues.item(presenceSubscriptionId, presenceSubscriptionId).delete().catch((error: unknown) => {
        if (!(error instanceof ErrorResponse && error.code === 404)) throw error;
      });
      return;
    }
    await this.queues.items.upsert({ id: presenceSubscriptionId, queueId: presenceSubscriptionId, ...record });
  }

  async agentIdsByTeamsUser(teamsUserIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    // Graph names at most a few hundred users per notification; the index on teamsUserId answers
    // this without reading every agent document.
    for (let start = 0; start < teamsUserIds.length; start += 256) {
      const { resources } = await this.agents.items
        .query<{ agentId: string; teamsUserId: string }>({
          query: 'SELECT c.agentId, c.teamsUserId FROM c WHERE ARRAY_CONTAINS(@ids, c.teamsUserId)',
          parameters: [{ name: '@ids', value: teamsUserIds.slice(start, start + 256) as string[] }],
        })
        .fetchAll();
      for (const { agentId, teamsUserId } of resources) found.set(teamsUserId, agentId);
    }
    return found;
  }

  async listAgents(): Promise<Agent[]> {
    // Admin and supervisor views only; routing never lists agents.
    const { resources } = await this.agents.items.query<Stored<Agent>>('SELECT * FROM c').fetchAll();
    return resources.map((doc) => agentWithDefaults(strip(doc)));
  }
}

/** Fields added to the agent document since it was first written start empty when absent. */
function agentWithDefaults(agent: Agent): Agent {
  return { ...agent, wrapUp: agent.wrapUp ?? null };
}

function read<T>(container: Container, id: string): Promise<Versioned<T> | undefined> {
  return transientAsUnavailable(`read ${container.id}`, async () => {
    const response = await container.item(id, id).read<Stored<T>>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    return { value: strip(response.resource), etag: response.etag };
  });
}

function write(container: Container, id: string, body: Record<string, unknown>, etag: string | undefined): Promise<string> {
  return transientAsUnavailable(`save ${container.id}`, async () => {
    try {
      const response = etag
        ? await container.item(id, id).replace(body, { accessCondition: { type: 'IfMatch', condition: etag } })
        : await container.items.create(body);
      return response.etag;
    } catch (error) {
      if (error instanceof ErrorResponse && (error.code === 412 || error.code === 409)) throw new ConcurrencyConflict(id);
      throw error;
    }
  });
}

function strip<T>(doc: Stored<T>): T {
  const { id: _id, _etag, _rid, _self, _ts, _attachments, ...rest } = doc as Stored<T> & Record<string, unknown>;
  return rest as T;
}
