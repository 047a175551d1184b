import { AcsCallControl } from './adapters/acs-call-control.js';
import { createCallbackVerifier } from './adapters/acs-callback-auth.js';
import { CosmosCallStore } from './adapters/cosmos-call-store.js';
import { openCosmosDatabase } from './adapters/cosmos-database.js';
import type { AssistantFlow } from './call-flow/assistant-flow.js';
import { decideCall, startCall } from './call-flow/decide-call.js';
import { loadAssistantFlow } from './load-assistant-flow.js';
import { setTimeout as wait } from 'node:timers/promises';
import type { Settings } from './config.js';
import { handleCallEvents, type CallShellDependencies, type HandlerResponse } from './handle-call-events.js';
import { handleIncomingCall, type IncomingCallOutcome } from './handle-incoming-call.js';
import { createLogger, type Logger } from './logger.js';
import { systemClock, type ActionRunner, type CallControl, type CallStore, type Clock, type RoutingRequests, type StoredHistoryItem } from './ports.js';

/** The use cases the Functions call; built once per process from the settings. */
export interface Switchboard {
  incomingCall(data: unknown): Promise<IncomingCallOutcome>;
  callEvents(request: { callId: string; authorization: string | null; bodyText: string }): Promise<HandlerResponse>;
  getCallHistory(callId: string): Promise<{ state: unknown; history: StoredHistoryItem[] } | undefined>;
  readonly settings: Settings;
  readonly logger: Logger;
}

export interface SwitchboardOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly store?: CallStore;
  readonly control?: CallControl;
  readonly flow?: AssistantFlow;
  readonly actions?: ActionRunner;
  readonly routing?: RoutingRequests;
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** SDK retries against ACS; tests use 0. */
  readonly acsMaxRetries?: number;
}


export function createSwitchboard(settings: Settings, overrides: SwitchboardOverrides = {}): Switchboard {
  const logger = overrides.logger ?? createLogger({ level: settings.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const store =
    overrides.store ??
    new CosmosCallStore(
      openCosmosDatabase({
        endpoint: settings.COSMOS_ENDPOINT,
        databaseId: settings.COSMOS_DATABASE,
        key: settings.COSMOS_KEY,
        caCertificateFile: settings.COSMOS_CA_CERT_FILE,
      }).database.container('calls'),
      { retentionDays: settings.HISTORY_RETENTION_DAYS },
    );
  const control =
    overrides.control ??
    new AcsCallControl({
      connectionString: settings.ACS_CONNECTION_STRING,
      endpoint: settings.ACS_ENDPOINT,
      cognitiveServicesEndpoint: settings.COGNITIVE_SERVICES_ENDPOINT,
      ...(overrides.acsMaxRetries === undefined ? {} : { maxRetries: overrides.acsMaxRetries }),
    });
  const base = settings.CALLBACK_BASE_URL.replace(/\/+$/, '');
  const callbackUrl = (callId: string) => `${base}/api/calls/${encodeURIComponent(callId)}/events`;
  const { flow, actions, servedNumbers: loadedNumbers } = overrides.flow && overrides.actions
    ? { flow: overrides.flow, actions: overrides.actions, servedNumbers: undefined }
    : loadAssistantFlow(settings, { ...(overrides.flow ? { flow: overrides.flow } : {}), ...(overrides.actions ? { actions: overrides.actions } : {}) });
  const servedNumbers = overrides.flow ? undefined : loadedNumbers;
  const shell: CallShellDependencies = {
    store,
    control,
    actions,
    routing: overrides.routing,
    delay: overrides.delay ?? ((ms, signal) => wait(ms, undefined, { signal }).catch(() => undefined)),
    clock,
    logger,
    decide: (state, event, now) => decideCall(flow, state, event, now),
    callbackUrl,
  };
  const verify = createCallbackVerifier({
    issuer: settings.ACS_CALLBACK_ISSUER,
    audience: settings.ACS_CALLBACK_AUDIENCE,
    jwksUrl: settings.ACS_CALLBACK_JWKS_URL,
  });
  return {
    settings,
    logger,
    incomingCall: (data) =>
      handleIncomingCall({ store, control, clock, logger, callbackUrl, newCall: (call, now) => startCall(flow, call, now), ...(servedNumbers ? { isServedNumber: (rawId: string) => servedNumbers.has(rawId.replace(/^4:/, '')) } : {}) }, data),
    callEvents: (request) => handleCallEvents({ ...shell, verify }, request),
    async getCallHistory(callId) {
      const stored = await store.getCall(callId);
      if (!stored) return undefined;
      return { state: stored.record.state, history: await store.listHistory(callId) };
    },
  };
}
