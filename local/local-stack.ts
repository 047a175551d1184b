import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContainersIfMissing, openCosmosDatabase } from '../bot/adapters/cosmos-database.js';
import { loadSettings, type Settings } from '../bot/config.js';
import { createLogger, type Logger } from '../bot/logger.js';
import type { Clock } from '../bot/ports.js';
import { createSwitchboard, type Switchboard, type SwitchboardOverrides } from '../bot/wiring.js';
import type { CallTiming } from './acs/call-timing.js';
import { createFunctionTable } from '../functions/function-table.js';
import { startCallAutomationEmulator, type CallAutomationEmulator } from './acs/call-automation-emulator.js';
import { startCosmosEmulator, type CosmosEmulator } from './cosmos/cosmos-emulator.js';
import { startLocalFunctionsHost, type LocalFunctionsHost } from './host/local-functions-host.js';
import { SettableClock } from './host/settable-clock.js';
import { TeamsUserDirectory } from './teams/teams-user-directory.js';
import { startSampleBackend, type SampleBackend } from './sample-backend/sample-backend.js';
import { startGraphEmulator, type GraphEmulator } from './graph/graph-emulator.js';
import { startServiceBusEmulator, type EmulatorClock, type ServiceBusEmulator } from './service-bus/service-bus-emulator.js';
import { startSpeechEmulator, type SpeechEmulator } from './speech/speech-emulator.js';
import { startEntraEmulator, type EntraEmulator } from './entra/entra-emulator.js';
import { createServiceBusTriggerRunner } from './service-bus/service-bus-trigger-runner.js';
import type { SampleAgent } from './sample-agents.js';

/** Fixed ports for `npm start` (each overridable); tests pass 0 for ephemeral ports. */
export const defaultPorts = {
  functions: 7071,
  callAutomation: 7081,
  cosmos: 8081,
  graph: 7082,
  sampleBackend: 7083,
  speech: 7084,
  entra: 7085,
  serviceBus: 5672,
} as const;

/** Every server on a free port: for tests and benchmarks that run beside each other. */
export const ephemeralPorts: Record<keyof typeof defaultPorts, number> = {
  functions: 0,
  callAutomation: 0,
  cosmos: 0,
  graph: 0,
  sampleBackend: 0,
  speech: 0,
  entra: 0,
  serviceBus: 0,
};

/** The emulators alone: what real Azure provides, without the app. */
export interface LocalAzureOptions {
  readonly ports?: Partial<Record<keyof typeof defaultPorts, number>>;
  /** Where generated certificates and the stack description are written. */
  readonly stateFolder?: string;
  readonly logger?: Logger;
  /** Call Automation emulator timing (play durations, ring times); fast by default. */
  readonly callTiming?: Partial<CallTiming>;
  /** The Service Bus emulator's time (scheduled messages, locks); tests move an AdjustableClock on. */
  readonly serviceBusClock?: EmulatorClock;
}

export interface LocalAzure {
  readonly teams: TeamsUserDirectory;
  readonly cosmos: CosmosEmulator;
  readonly callAutomation: CallAutomationEmulator;
  readonly sampleBackend: SampleBackend;
  readonly serviceBus: ServiceBusEmulator;
  readonly graph: GraphEmulator;
  /** Azure AI Speech text to speech (`switchboard prompts render`; the app itself does not call it). */
  readonly speech: SpeechEmulator;
  /** Entra ID as the APIs see it: signing keys, and tokens for any user and app roles (local only). */
  readonly entra: EntraEmulator;
  /** The app settings that point at these emulators. */
  readonly environment: Readonly<Record<string, string>>;
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface LocalAppOptions {
  /** App settings: the local Azure's, plus any extra or overriding ones. */
  readonly environment: Readonly<Record<string, string>>;
  readonly functionsPort?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Replace parts of the app (tests: a fixed assistant flow, a scripted action runner). */
  readonly overrides?: SwitchboardOverrides;
  /** Run timer functions (presence polling) on their period; tests call them directly. */
  readonly runTimers?: boolean;
  /** Client retries / operation timeout of the Service Bus trigger runner (tests keep them low). */
  readonly serviceBusTimeoutInMs?: number;
}

export interface LocalApp {
  readonly settings: Settings;
  /** The app's clock: real (or the injected) time unless set, e.g. through PUT /local/clock. */
  readonly clock: SettableClock;
  /** The settings as environment variables, as `func start` or real Azure would see them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly functionsHost: LocalFunctionsHost;
  readonly switchboard: Switchboard;
  close(): Promise<void>;
}

export interface LocalStackOptions extends LocalAzureOptions, Omit<LocalAppOptions, 'environment' | 'functionsPort'> {
  /** Extra or overriding app settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** Agents signed in at start (simulated Teams users, ready, Available); `npm start` uses the samples. */
  readonly agents?: readonly SampleAgent[];
}

export interface LocalStack extends LocalAzure, LocalApp {
  readonly environment: Readonly<Record<string, string>>;
}

/** Cosmos, Call Automation, Service Bus, Graph and the sample backend, in this process. */
export async function startLocalAzure(options: LocalAzureOptions = {}): Promise<LocalAzure> {
  const ports = { ...defaultPorts, ...options.ports };
  const logger = options.logger ?? createLogger({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const stateFolder = options.stateFolder ?? join(process.cwd(), '.local');
  mkdirSync(stateFolder, { recursive: true });
  const teams = new TeamsUserDirectory();
  const closers: (() => Promise<void>)[] = [];
  try {
    const cosmos = await startCosmosEmulator({ port: ports.cosmos, certificateFolder: stateFolder });
    closers.push(() => cosmos.close());
    const callAutomation = await startCallAutomationEmulator({
      port: ports.callAutomation,
      teams,
      callbackAudience: 'switchboard-local-acs',
      logger: logger.child({ component: 'acs-emulator' }),
      ...(options.callTiming ? { timing: options.callTiming } : {}),
    });
    closers.push(() => callAutomation.close());
    const sampleBackend = await startSampleBackend({ port: ports.sampleBackend });
    closers.push(() => sampleBackend.close());
    const serviceBus = await startServiceBusEmulator({
      port: ports.serviceBus,
      queues: [{ name: 'routing', requiresSession: true, maxDeliveryCount: 5, lockDurationInMs: 30_000, requiresDuplicateDetection: true }],
      logger: logger.child({ component: 'service-bus-emulator' }),
      ...(options.serviceBusClock ? { clock: options.serviceBusClock } : {}),
    });
    closers.push(() => serviceBus.close());
    const graph = await startGraphEmulator({ port: ports.graph, teams, logger: logger.child({ component: 'graph-emulator' }) });
    closers.push(() => graph.close());
    const speech = await startSpeechEmulator({ port: ports.speech });
    closers.push(() => speech.close());
    const entra = await startEntraEmulator({ port: ports.entra });
    closers.push(() => entra.close());
    return {
      teams,
      cosmos,
      callAutomation,
      sampleBackend,
      serviceBus,
      graph,
      speech,
      entra,
      environment: {
        ACS_CONNECTION_STRING: callAutomation.connectionString,
        ACS_CALLBACK_ISSUER: callAutomation.issuer,
        ACS_CALLBACK_AUDIENCE: callAutomation.audience,
        ACS_CALLBACK_JWKS_URL: callAutomation.jwksUrl,
        COSMOS_ENDPOINT: cosmos.endpoint,
        COSMOS_KEY: cosmos.key,
        COSMOS_CA_CERT_FILE: cosmos.certificateFile ?? '',
        ServiceBusConnection: serviceBus.connectionString,
        GRAPH_BASE_URL: graph.baseUrl,
        GRAPH_NOTIFICATION_CLIENT_STATE: 'switchboard-local-presence',
        API_AUTH_ISSUER: entra.issuer,
        API_AUTH_AUDIENCE: entra.audience,
        API_AUTH_JWKS_URL: entra.jwksUrl,
        ORDER_BACKEND_URL: sampleBackend.url,
      },
      urls: {
        callAutomation: callAutomation.endpoint,
        simulator: callAutomation.simulatorUrl,
        cosmos: cosmos.endpoint,
        sampleBackend: sampleBackend.url,
        serviceBus: serviceBus.connectionString,
        graph: graph.baseUrl,
        speech: speech.endpoint,
        entraToken: entra.tokenUrl,
      },
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * The app on a local Functions host: HTTP and Event Grid functions over HTTP, Service Bus
 * functions through the trigger runner, against whatever Azure the environment names.
 */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const logger = options.logger ?? createLogger({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const closers: (() => Promise<void>)[] = [];
  try {
    let switchboard: Switchboard | undefined;
    const clock = new SettableClock(options.clock);
    const functionsHost = await startLocalFunctionsHost({
      clock,
      isReady: () => switchboard !== undefined,
      functions: createFunctionTable(async () => {
        if (!switchboard) throw new Error('the app is still starting');
        return switchboard;
      }),
      logger,
      port: options.functionsPort ?? defaultPorts.functions,
    });
    closers.push(() => functionsHost.close());
    const environment: Record<string, string> = { CALLBACK_BASE_URL: functionsHost.baseUrl, ...options.environment };
    const settings = loadSettings(environment);
    const { database } = openCosmosDatabase({
      endpoint: settings.COSMOS_ENDPOINT,
      databaseId: settings.COSMOS_DATABASE,
      key: settings.COSMOS_KEY,
      caCertificateFile: settings.COSMOS_CA_CERT_FILE,
    });
    await createContainersIfMissing(database, settings.HISTORY_RETENTION_DAYS);
    database.client.dispose();
    switchboard = createSwitchboard(settings, { logger, clock, ...options.overrides });
    const ready = switchboard;
    closers.push(() => ready.close());
    if (!settings.ServiceBusConnection) throw new Error('ServiceBusConnection is not set: the routing functions need Service Bus');
    const triggers = createServiceBusTriggerRunner({
      connectionString: settings.ServiceBusConnection,
      functions: createFunctionTable(async () => ready)
        .filter((f): f is Extract<typeof f, { trigger: 'serviceBusQueue' }> => f.trigger === 'serviceBusQueue')
        .map((f) => ({
          name: f.name,
          queueName: `${environment[f.queueNameSetting] ?? f.defaultQueueName}${f.deadLetterQueue ? '/$DeadLetterQueue' : ''}`,
          isSessionsEnabled: f.isSessionsEnabled,
          handler: f.handler,
        })),
      logger: logger.child({ component: 'service-bus-triggers' }),
      // The operation timeout also bounds an idle accept-next-session, and so how long a stop waits.
      retryOptions: { timeoutInMs: options.serviceBusTimeoutInMs ?? 3000, maxRetries: 2 },
    });
    await triggers.start();
    closers.push(() => triggers.close());
    // Timers (presence refresh) once the app can answer them; tests call them directly instead.
    if (options.runTimers) functionsHost.startTimers();
    return { settings, clock, environment, functionsHost, switchboard, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/** The whole local Azure plus the app on it, in this process. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const logger = options.logger ?? createLogger({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const stateFolder = options.stateFolder ?? join(process.cwd(), '.local');
  const azure = await startLocalAzure({ ...options, logger, stateFolder });
  let app: LocalApp | undefined;
  try {
    const serviceBusClock = options.serviceBusClock;
    app = await startLocalApp({
      ...options,
      // Messages are scheduled on the emulator's time, where a test has moved it on.
      ...(serviceBusClock ? { overrides: { brokerClock: { now: () => new Date(serviceBusClock.now()) }, ...options.overrides } } : {}),
      logger,
      environment: { ...azure.environment, ...options.settings },
      functionsPort: options.ports?.functions ?? defaultPorts.functions,
    });
    // The sample backend's orders and due dates count from the app's today, however it was set.
    azure.sampleBackend.useClock(app.clock);
    // Graph judges a subscription's expiry by the same time the app computes it from (`--at` moves both).
    azure.graph.useClock(app.clock);
    const ready = app.switchboard;
    for (const agent of options.agents ?? []) {
      azure.teams.upsert({ userId: agent.teamsUserId, displayName: agent.displayName, availability: 'Available', ringBehaviour: agent.ringBehaviour });
      const created = await ready.putAgent(agent.agentId, { teamsUserId: agent.teamsUserId, displayName: agent.displayName, skills: agent.skills, queueIds: agent.queueIds, state: 'ready' });
      if (created.status !== 200) throw new Error(`Could not sign in agent ${agent.agentId}: ${JSON.stringify(created.body)}`);
    }
    if ((options.agents ?? []).length > 0) await ready.refreshPresence();
    const webhook = await azure.callAutomation.setIncomingCallWebhook(app.functionsHost.eventGridUrl('incoming-call'));
    logger.info({ url: webhook.url, state: webhook.state }, 'Event Grid subscription for IncomingCall');
    await azure.callAutomation.setRecordingFileWebhook(app.functionsHost.eventGridUrl('recording-file-status'));

    const urls = { functions: app.functionsHost.baseUrl, ...azure.urls };
    writeFileSync(join(stateFolder, 'stack.json'), JSON.stringify({ urls, pid: process.pid }, null, 2));
    const started = app;
    return {
      ...azure,
      ...started,
      urls,
      close: async () => {
        await started.close();
        await azure.close();
      },
    };
  } catch (error) {
    await app?.close();
    await azure.close();
    throw error;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}
