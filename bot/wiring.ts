import { setTimeout as wait } from 'node:timers/promises';
import { AcsCallControl } from './adapters/acs-call-control.js';
import { createCallbackVerifier } from './adapters/acs-callback-auth.js';
import { createApiVerifier } from './adapters/api-auth.js';
import { createApiAuthorizer, type ApiTarget } from './authorize-api-request.js';
import { isAgentEligible } from './routing/agent-eligibility.js';
import { AzureLanguageUnderstanding } from './adapters/azure-language-understanding.js';
import { AzureOpenAiUnderstanding } from './adapters/azure-openai-understanding.js';
import { CosmosCallStore } from './adapters/cosmos-call-store.js';
import { CachingCallStore } from './caching-call-store.js';
import { DeferredOutboxClears } from './deferred-outbox-clears.js';
import { openCosmosDatabase } from './adapters/cosmos-database.js';
import { CosmosRoutingStore } from './adapters/cosmos-routing-store.js';
import { createServiceBusClient, ServiceBusRoutingBus } from './adapters/service-bus-routing-bus.js';
import type { ContactCenterConfig } from './assistant/contact-center-config.js';
import type { AssistantFlow } from './call-flow/assistant-flow.js';
import { decideCall, startCall } from './call-flow/decide-call.js';
import type { Settings } from './config.js';
import { consult, recordWrapUp, transfer, type CallActionDependencies } from './handle-call-actions.js';
import { applyPresence, putAgent, setAgentState, view, type AgentDependencies, type HttpResult } from './handle-agents.js';
import { applyCallEvent, sweepAbandonedOutboxes, handleCallEvents, type CallShellDependencies, type HandlerResponse } from './handle-call-events.js';
import { handleIncomingCall, type IncomingCallOutcome } from './handle-incoming-call.js';
import { handleRecordingFileStatus } from './handle-recording-file.js';
import { erasePersonalData } from './handle-personal-data.js';
import { endOverdueWrapUps, handleDeadLetteredRoutingMessage, handleRoutingMessage, releaseAgentsFromEndedCalls, type RoutingShellDependencies } from './handle-routing-message.js';
import { loadAssistantFlow } from './load-assistant-flow.js';
import { createLogger, type Logger } from './logger.js';
import {
  systemClock,
  type ActionRunner,
  type AgentCallControl,
  type CallControl,
  type CallStore,
  type Clock,
  type LanguageUnderstanding,
  type PresenceReading,
  type RoutingBus,
  type StoredHistoryItem,
} from './ports.js';
import { getQueueStatistics } from './routing/queue-statistics.js';
import { createQueueState } from './routing/queue-state.js';
import { parseQueueDefinition } from './routing/routing-messages.js';
import type { QueueDefinition } from './routing/routing-types.js';
import { BusRoutingRequests } from './routing-requests.js';
import { createGraphAccessTokenProvider, createGraphPresenceService, isSubscriptionGone } from './adapters/graph-presence.js';
import { parsePresenceNotifications } from './adapters/graph-presence-notifications.js';
import type { PresenceService } from './ports.js';

/** The use cases the Functions call; built once per process from the settings. */
/** How long past its time a wrap-up may run before the presence refresh ends it (its scheduled end was lost). */
const overdueWrapUpGraceInMs = 30_000;

export interface Switchboard {
  incomingCall(data: unknown): Promise<IncomingCallOutcome>;
  /** Event Grid RecordingFileStatusUpdated: where a recording's files are, into its call's history. */
  recordingFileStatus(event: unknown): Promise<'recorded' | 'rejected' | 'unknown call'>;
  callEvents(request: { callId: string; authorization: string | null; bodyText: string }): Promise<HandlerResponse>;
  getCallHistory(callId: string): Promise<{ state: unknown; history: StoredHistoryItem[] } | undefined>;
  route(message: unknown): Promise<void>;
  routeDeadLetter(message: unknown): Promise<void>;
  putAgent(agentId: string, body: unknown): Promise<HttpResult>;
  consult(callId: string, body: unknown): Promise<HttpResult>;
  transfer(callId: string, body: unknown): Promise<HttpResult>;
  setAgentState(agentId: string, body: unknown): Promise<HttpResult>;
  /**
   * The agent, supervisor and admin APIs' gate: the request's Entra ID token (Authorization header)
   * and its app roles against what the request acts on. Undefined when allowed, else the answer
   * (401 not signed in, 403 not allowed, 503 keys unavailable).
   */
  authorize(authorization: string | null, target: ApiTarget): Promise<HttpResult | undefined>;
  /** POST /api/personal-data/erase: a caller's personal data goes from their ended calls. */
  erasePersonalData(body: unknown): Promise<HttpResult>;
  /** POST /api/agents/{agentId}/wrap-up: a disposition (and notes) for a call; ends its wrap-up. */
  recordWrapUp(agentId: string, body: unknown): Promise<HttpResult>;
  listAgents(): Promise<HttpResult>;
  queueStatistics(queueId: string): Promise<HttpResult>;
  /** The queues routing serves (from the contact-center config) with their live statistics. */
  listQueues(): Promise<HttpResult>;
  /** GET /api/skills: the config's skills, with their descriptions and how many agents have each and are free now (a consult's choice). */
  listSkills(): Promise<HttpResult>;
  /** Routing messages that failed max deliveries, newest last (peeked, not removed). */
  listDeadLetters(): Promise<HttpResult>;
  /** Presence readings (Graph notifications or polling) for Teams users. */
  presenceChanged(readings: readonly PresenceReading[]): Promise<number>;
  /** POST /api/presence/notifications: the validation handshake, then change notifications. */
  presenceNotification(request: { validationToken: string | null; bodyText: string }): Promise<{ status: number; text?: string; body?: unknown }>;
  /**
   * Polling fallback and subscription upkeep: reads every agent's presence, keeps the subscription
   * alive, releases agents still counted on calls that have ended (a lost release) and ends
   * wrap-ups well past their time (a lost WrapUpEnded): `released` and `wrapUpsEnded` count them.
   */
  refreshPresence(): Promise<{ agents: number; changed: number; released: number; wrapUpsEnded: number }>;
  /** Finishes outbox entries older than their lease that no callback came to finish; returns how many. */
  sweepOutboxes(): Promise<number>;
  readonly queueIds: readonly string[];
  readonly settings: Settings;
  readonly logger: Logger;
  /** Writes what is held back (outbox clears), then closes the clients. */
  close(): Promise<void>;
}

export interface SwitchboardOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly store?: CallStore;
  readonly control?: CallControl & AgentCallControl;
  readonly flow?: AssistantFlow;
  readonly actions?: ActionRunner;
  readonly config?: ContactCenterConfig;
  /** Queues when no contact-center config is loaded (tests with a fixed flow). */
  readonly queues?: readonly QueueDefinition[];
  readonly bus?: RoutingBus;
  /** The Service Bus broker's time, where it is not real time (a local emulator a test moves on). */
  readonly brokerClock?: Clock;
  readonly presence?: PresenceService;
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** SDK retries against ACS; tests use 0. */
  readonly acsMaxRetries?: number;
}

/**
 * The language service the settings name (Azure AI Language or Azure OpenAI; the settings refuse
 * both), or none: the embedded classifier.
 */
function createLanguageUnderstanding(settings: Settings, flow: AssistantFlow, config: ContactCenterConfig | undefined): LanguageUnderstanding | undefined {
  if (settings.LANGUAGE_ENDPOINT) {
    return new AzureLanguageUnderstanding({
      endpoint: settings.LANGUAGE_ENDPOINT,
      projectName: settings.LANGUAGE_PROJECT ?? '',
      deploymentName: settings.LANGUAGE_DEPLOYMENT ?? '',
      key: settings.LANGUAGE_KEY,
    });
  }
  if (settings.OPENAI_ENDPOINT) {
    // The config's descriptions and examples when there is a config; a fixed flow names its intents only.
    const intents = config
      ? config.intents.map((i) => ({ name: i.name, description: i.description, examples: i.examples }))
      : [...flow.intents.values()].map((i) => ({ name: i.name, description: i.spokenName(flow.defaultLanguage), examples: {} }));
    return new AzureOpenAiUnderstanding({
      endpoint: settings.OPENAI_ENDPOINT,
      deploymentName: settings.OPENAI_DEPLOYMENT ?? '',
      intents,
      key: settings.OPENAI_KEY,
    });
  }
  return undefined;
}

export function createSwitchboard(settings: Settings, overrides: SwitchboardOverrides = {}): Switchboard {
  const logger = overrides.logger ?? createLogger({ level: settings.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const { client: cosmos, database } = openCosmosDatabase({
    endpoint: settings.COSMOS_ENDPOINT,
    databaseId: settings.COSMOS_DATABASE,
    key: settings.COSMOS_KEY,
    caCertificateFile: settings.COSMOS_CA_CERT_FILE,
  });
  const store = new CachingCallStore(overrides.store ?? new CosmosCallStore(database.container('calls'), { retentionDays: settings.HISTORY_RETENTION_DAYS }));
  const routingStore = new CosmosRoutingStore(database.container('queues'), database.container('agents'));
  const control =
    overrides.control ??
    new AcsCallControl({
      connectionString: settings.ACS_CONNECTION_STRING,
      endpoint: settings.ACS_ENDPOINT,
      cognitiveServicesEndpoint: settings.COGNITIVE_SERVICES_ENDPOINT,
      recordingsContainerUrl: settings.RECORDINGS_CONTAINER_URL,
      ...(overrides.acsMaxRetries === undefined ? {} : { maxRetries: overrides.acsMaxRetries }),
    });
  const serviceBus = overrides.bus
    ? undefined
    : createServiceBusClient({
        connectionString: settings.ServiceBusConnection,
        fullyQualifiedNamespace: settings.ServiceBusConnection__fullyQualifiedNamespace,
      });
  const bus = overrides.bus ?? new ServiceBusRoutingBus(serviceBus!, settings.ROUTING_QUEUE_NAME, clock, undefined, overrides.brokerClock);

  const base = settings.CALLBACK_BASE_URL.replace(/\/+$/, '');
  const callbackUrl = (callId: string) => `${base}/api/calls/${encodeURIComponent(callId)}/events`;
  const assistant = loadAssistantFlow(settings, {
    ...(overrides.flow ? { flow: overrides.flow } : {}),
    ...(overrides.actions ? { actions: overrides.actions } : {}),
    ...(overrides.config ? { config: overrides.config } : {}),
  });
  const { flow, actions, servedNumbers } = assistant;
  const queueDefinitions = new Map(
    (overrides.queues ?? assistant.config?.queues.map((q) => parseQueueDefinition(q)) ?? []).map((q) => [q.queueId, q]),
  );

  const understanding = createLanguageUnderstanding(settings, flow, assistant.config);
  const delay = overrides.delay ?? ((ms: number, signal: AbortSignal) => wait(ms, undefined, { signal }).catch(() => undefined));
  const outboxClears = new DeferredOutboxClears({ delay, logger });
  const shell: CallShellDependencies = {
    understanding,
    store,
    control,
    agentCalls: control,
    actions,
    routing: new BusRoutingRequests(bus, routingStore, clock, (queueId) => queueDefinitions.get(queueId)?.wrapUpInSeconds ?? 0),
    delay,
    clock,
    logger,
    decide: (state, event, now) => decideCall(flow, state, event, now),
    callbackUrl,
    runningActions: new Map(),
    outboxClears,
  };
  const routing: RoutingShellDependencies = {
    queues: routingStore,
    agents: routingStore,
    calls: store,
    bus,
    agentCalls: control,
    clock,
    logger,
    delay,
    queueDefinition: (queueId) => queueDefinitions.get(queueId),
    callbackUrl,
    applyCallEvent: (callId, event) => applyCallEvent(shell, callId, event),
  };
  const presence =
    overrides.presence ??
    createGraphPresenceService({
      baseUrl: settings.GRAPH_BASE_URL,
      getAccessToken: createGraphAccessTokenProvider(
        settings.GRAPH_CLIENT_SECRET && settings.GRAPH_TENANT_ID && settings.GRAPH_CLIENT_ID
          ? { kind: 'clientSecret', tenantId: settings.GRAPH_TENANT_ID, clientId: settings.GRAPH_CLIENT_ID, clientSecret: settings.GRAPH_CLIENT_SECRET }
          : /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(settings.GRAPH_BASE_URL)
            ? { kind: 'fixed', token: 'local-development' }
            : { kind: 'managedIdentity' },
      ),
    });
  const clientState = settings.GRAPH_NOTIFICATION_CLIENT_STATE;
  const agentDeps: AgentDependencies = { agents: routingStore, bus, clock, logger, knownQueue: (q) => queueDefinitions.has(q) };
  const callActions: CallActionDependencies = {
    calls: store, agents: routingStore, bus, clock, logger,
    knownQueue: (q) => queueDefinitions.has(q),
    queueClosed: (q, now) => flow.queueClosed(q, now) !== undefined,
    applyCallEvent: (callId, event) => applyCallEvent(shell, callId, event),
    dispositionsOf: (queueId) => queueDefinitions.get(queueId)?.dispositions ?? [],
  };
  const verifyApiCaller = settings.API_AUTH_ISSUER && settings.API_AUTH_AUDIENCE && settings.API_AUTH_JWKS_URL
    ? createApiVerifier({ issuer: settings.API_AUTH_ISSUER, audience: settings.API_AUTH_AUDIENCE, jwksUrl: settings.API_AUTH_JWKS_URL })
    : undefined;
  if (!settings.RECORDINGS_CONTAINER_URL) logger.warn('RECORDINGS_CONTAINER_URL is not set: voicemails stay in Call Automation\'s temporary storage, which deletes them after 24 hours');
  const authorizeApiRequest = createApiAuthorizer({ verify: verifyApiCaller, agents: routingStore, calls: store, logger });
  if (!verifyApiCaller) logger.warn('API_AUTH_ISSUER, API_AUTH_AUDIENCE and API_AUTH_JWKS_URL are not set: the agent, supervisor and admin APIs answer 401');
  const verify = createCallbackVerifier({
    issuer: settings.ACS_CALLBACK_ISSUER,
    audience: settings.ACS_CALLBACK_AUDIENCE,
    jwksUrl: settings.ACS_CALLBACK_JWKS_URL,
  });

  return {
    settings,
    logger,
    queueIds: [...queueDefinitions.keys()],
    incomingCall: (data) =>
      handleIncomingCall(
        {
          store, control, clock, logger, callbackUrl, delay,
          newCall: (call, now) => startCall(flow, call, now),
          ...(servedNumbers ? { isServedNumber: (rawId: string) => servedNumbers.has(rawId.replace(/^4:/, '')) } : {}),
          lineName: (number: string) => flow.line(number).name,
        },
        data,
      ),
    callEvents: (request) => handleCallEvents({ ...shell, verify }, request),
    recordingFileStatus: (event) => handleRecordingFileStatus(shell, event),
    sweepOutboxes: () => sweepAbandonedOutboxes(shell),
    async getCallHistory(callId) {
      const stored = await store.getCall(callId);
      if (!stored) return undefined;
      return { state: stored.record.state, history: await store.listHistory(callId) };
    },
    async route(message) {
      await handleRoutingMessage(routing, message);
    },
    routeDeadLetter: (message) => handleDeadLetteredRoutingMessage(routing, message),
    authorize: authorizeApiRequest,
    putAgent: (agentId, body) => putAgent(agentDeps, agentId, body),
    consult: (callId, body) => consult(callActions, callId, body),
    transfer: (callId, body) => transfer(callActions, callId, body),
    recordWrapUp: (agentId, body) => recordWrapUp(callActions, agentId, body),
    erasePersonalData: (body) => erasePersonalData({ calls: store, clock, logger }, body),
    setAgentState: (agentId, body) => setAgentState(agentDeps, agentId, body),
    async listAgents() {
      return { status: 200, body: { value: (await routingStore.listAgents()).map(view) } };
    },
    async queueStatistics(queueId) {
      const def = queueDefinitions.get(queueId);
      if (!def) return { status: 404, body: { error: 'unknown queue' } };
      const queue = (await routingStore.getQueue(queueId))?.value ?? createQueueState(def);
      return { status: 200, body: getQueueStatistics(queue, def, clock.now()) };
    },
    async presenceChanged(readings) {
      const agentIds = await routingStore.agentIdsByTeamsUser([...new Set(readings.map((r) => r.userId))]);
      return applyPresence(agentDeps, readings, agentIds);
    },
    async listSkills() {
      // Consults are rare next to routed calls: the agents are listed, not indexed.
      const agents = await routingStore.listAgents();
      const value = (assistant.config?.skills ?? []).map((skill) => {
        const having = agents.filter((a) => (a.skills[skill.name] ?? 0) >= 1);
        return { name: skill.name, description: skill.description, agents: having.length, availableNow: having.filter((a) => isAgentEligible(a)).length };
      });
      return { status: 200, body: { value } };
    },
    async listQueues() {
      const now = clock.now();
      const value = [];
      for (const def of queueDefinitions.values()) {
        const queue = (await routingStore.getQueue(def.queueId))?.value ?? createQueueState(def);
        value.push({ definition: def, statistics: getQueueStatistics(queue, def, now) });
      }
      return { status: 200, body: { value } };
    },
    async listDeadLetters() {
      if (!serviceBus) return { status: 404, body: { error: 'no Service Bus client in this deployment' } };
      const receiver = serviceBus.createReceiver(settings.ROUTING_QUEUE_NAME, { subQueueType: 'deadLetter' });
      try {
        const messages = await receiver.peekMessages(100);
        return {
          status: 200,
          body: {
            value: messages.map((m) => ({
              messageId: m.messageId,
              enqueuedAt: m.enqueuedTimeUtc?.toISOString(),
              deliveryCount: m.deliveryCount,
              reason: m.deadLetterReason,
              description: m.deadLetterErrorDescription,
              body: m.body as unknown,
            })),
          },
        };
      } finally {
        await receiver.close();
      }
    },
    async presenceNotification({ validationToken, bodyText }) {
      if (validationToken !== null) return { status: 200, text: validationToken };
      if (!clientState) return { status: 404, body: { error: 'presence notifications are not configured' } };
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return { status: 400, body: { error: 'body is not JSON' } };
      }
      const parsed = parsePresenceNotifications(body, clientState);
      if (parsed.kind === 'rejected') {
        logger.warn({ reason: parsed.reason }, 'presence notification rejected');
        return { status: parsed.reason === 'clientStateMismatch' ? 401 : 400, body: { error: parsed.reason } };
      }
      // Notifications can arrive out of order: read the current presence of every user named
      // rather than trusting the order of the notifications' own data.
      const userIds = [...new Set([...parsed.readings.map((r) => r.userId), ...parsed.changedUserIds])];
      if (userIds.length > 0) await this.presenceChanged(await presence.getPresences(userIds));
      if (parsed.lifecycleEvents.length > 0) {
        // Graph removed the subscription, needs it reauthorized, or dropped notifications: forget
        // the subscription so it is made again, and read every agent's presence now.
        logger.warn({ events: parsed.lifecycleEvents.map((e) => e.lifecycleEvent) }, 'presence subscription lifecycle event');
        await routingStore.savePresenceSubscription(undefined);
        await this.refreshPresence();
      }
      return { status: 202, body: {} };
    },
    async refreshPresence() {
      const agents = await routingStore.listAgents();
      const userIds = agents.map((a) => a.teamsUserId);
      if (userIds.length === 0) return { agents: 0, changed: 0, released: 0, wrapUpsEnded: 0 };
      let released = 0;
      let wrapUpsEnded = 0;
      try {
        released = await releaseAgentsFromEndedCalls(routing, agents);
        // A minute late at most: the scheduled end is the rule, this the net under it.
        wrapUpsEnded = await endOverdueWrapUps(routing, agents, overdueWrapUpGraceInMs);
      } catch (error) {
        logger.warn({ error: String(error) }, 'releasing agents from ended calls or wrap-ups failed; tried again at the next refresh');
      }
      const changed = await this.presenceChanged(await presence.getPresences(userIds));
      if (clientState) {
        const now = clock.now();
        const wanted = [...userIds].sort().join(',');
        const expiresAt = new Date(now.getTime() + 55 * 60_000);
        // Kept in Cosmos, so a restart or another instance renews the subscription rather than adding one.
        const subscription = await routingStore.getPresenceSubscription();
        const create = async () => {
          if (subscription) await presence.deleteSubscription(subscription.subscriptionId).catch(() => undefined);
          const created = await presence.createSubscription({ userIds, notificationUrl: `${base}/api/presence/notifications`, clientState, expiresAt });
          await routingStore.savePresenceSubscription({ subscriptionId: created.subscriptionId, expiresAt: created.expiresAt.toISOString(), userIds: wanted });
        };
        try {
          if (subscription && subscription.userIds === wanted && Date.parse(subscription.expiresAt) > now.getTime()) {
            // Renewing on every refresh also tells us at once when Graph dropped the subscription.
            try {
              const renewed = await presence.renewSubscription(subscription.subscriptionId, expiresAt);
              await routingStore.savePresenceSubscription({ subscriptionId: renewed.subscriptionId, expiresAt: renewed.expiresAt.toISOString(), userIds: wanted });
            } catch (error) {
              if (!isSubscriptionGone(error)) throw error;
              await create();
            }
          } else {
            await create();
          }
        } catch (error) {
          await routingStore.savePresenceSubscription(undefined).catch(() => undefined);
          logger.warn({ error: String(error) }, 'presence subscription upkeep failed; polling continues');
        }
      }
      return { agents: agents.length, changed, released, wrapUpsEnded };
    },
    async close() {
      // Carried-out entries whose removal waits for a next save that will not come from here.
      await outboxClears.flushAll();
      await serviceBus?.close();
      cosmos.dispose();
    },
  };
}
