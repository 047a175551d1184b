import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallAutomationClient, type CallAutomationClientOptions, type CallConnection } from '@azure/communication-call-automation';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startCallAutomationEmulator, type CallAutomationEmulator } from '../../local/acs/call-automation-emulator.js';
import type { CallTiming } from '../../local/acs/call-timing.js';
import type { CallerStep, WhenScriptEnds } from '../../local/acs/simulated-caller.js';
import { TeamsUserDirectory, type TeamsUserInit } from '../../local/teams/teams-user-directory.js';

/** A callback as the test's webhook received it, with the outcome of verifying its JWT. */
export interface ReceivedCallback {
  readonly path: string;
  readonly type: string;
  readonly data: Record<string, unknown> & { callConnectionId?: string; operationContext?: string };
  readonly event: Record<string, unknown>;
  readonly batchSize: number;
  readonly tokenValid: boolean;
  readonly tokenError?: string;
}

export interface ReceivedEventGridPost {
  readonly headers: IncomingHttpHeaders;
  readonly events: Record<string, unknown>[];
}

/** How the test's Event Grid webhook answers the validation handshake. */
export type ValidationAnswer = 'echo' | 'wrongCode' | 'serverError';

export const callerNumber = '+14255550123';
export const acsNumber = '+18005550100';

/**
 * One emulator plus the app side a test needs: a webhook server that verifies every callback's
 * JWT against the emulator's JWKS and records it, an Event Grid webhook, and the real SDK client.
 * Waiting is always on an event or promise; nothing sleeps.
 */
export class AcsEmulatorHarness {
  readonly callbacks: ReceivedCallback[] = [];
  readonly eventGridPosts: ReceivedEventGridPost[] = [];
  validationAnswer: ValidationAnswer = 'echo';
  /** Paths (e.g. `/failing`) the webhook answers with 500. */
  readonly failingPaths = new Set<string>(['/failing']);
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly emulator: CallAutomationEmulator,
    readonly teams: TeamsUserDirectory,
    readonly client: CallAutomationClient,
    private readonly webhook: Server,
    readonly webhookBaseUrl: string,
  ) {}

  static async start(
    options: { timing?: Partial<CallTiming>; teamsUsers?: TeamsUserInit[]; validateWebhook?: boolean } = {},
  ): Promise<AcsEmulatorHarness> {
    let harness: AcsEmulatorHarness | undefined;
    let verify: ((token: string) => Promise<void>) | undefined;
    const webhook = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void (async () => {
          const path = request.url ?? '/';
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>[];
          if (!harness) {
            response.writeHead(503).end();
            return;
          }
          if (path === '/eventgrid') {
            harness.eventGridPosts.push({ headers: request.headers, events: body });
            harness.changed();
            if (request.headers['aeg-event-type'] === 'SubscriptionValidation') {
              const code = (body[0]?.['data'] as { validationCode: string }).validationCode;
              if (harness.validationAnswer === 'serverError') {
                response.writeHead(500).end();
              } else {
                response.writeHead(200, { 'content-type': 'application/json' });
                response.end(JSON.stringify({ validationResponse: harness.validationAnswer === 'echo' ? code : 'not-the-code' }));
              }
              return;
            }
            response.writeHead(200).end();
            return;
          }
          const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
          let tokenError: string | undefined;
          try {
            await verify!(token);
          } catch (error) {
            tokenError = error instanceof Error ? error.message : String(error);
          }
          const event = body[0] ?? {};
          harness.callbacks.push({
            path,
            type: String(event['type']).replace('Microsoft.Communication.', ''),
            data: event['data'] as ReceivedCallback['data'],
            event,
            batchSize: body.length,
            tokenValid: tokenError === undefined,
            ...(tokenError ? { tokenError } : {}),
          });
          harness.changed();
          response.writeHead(harness.failingPaths.has(path) ? 500 : 200).end();
        })();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', () => resolve()));
    const webhookBaseUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;
    const teams = new TeamsUserDirectory();
    for (const user of options.teamsUsers ?? []) teams.upsert(user);
    const emulator = await startCallAutomationEmulator({
      port: 0,
      teams,
      callbackAudience: 'test-acs-resource',
      ...(options.timing ? { timing: options.timing } : {}),
    });
    const keys = createRemoteJWKSet(new URL(emulator.jwksUrl));
    verify = async (token) => {
      await jwtVerify(token, keys, { issuer: emulator.issuer, audience: 'test-acs-resource', algorithms: ['RS256'] });
    };
    const client = createClient(emulator.connectionString);
    harness = new AcsEmulatorHarness(emulator, teams, client, webhook, webhookBaseUrl);
    if (options.validateWebhook !== false) await emulator.setIncomingCallWebhook(harness.eventGridUrl);
    return harness;
  }

  get eventGridUrl(): string {
    return `${this.webhookBaseUrl}/eventgrid`;
  }

  get callbackUrl(): string {
    return `${this.webhookBaseUrl}/callbacks`;
  }

  /** Resolves with the first callback (already received or coming) matching the filter. */
  waitForCallback(type: string, filter: (callback: ReceivedCallback) => boolean = () => true): Promise<ReceivedCallback> {
    return this.waitFor(() => this.callbacks.find((c) => c.type === type && filter(c)));
  }

  callbacksOf(callConnectionId: string): ReceivedCallback[] {
    return this.callbacks.filter((c) => c.data.callConnectionId === callConnectionId);
  }

  waitFor<T>(find: () => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** A PSTN caller dials in, the app answers through the SDK and the call is connected. */
  async connectCall(
    options: { script?: CallerStep[]; whenScriptEnds?: WhenScriptEnds; from?: string; operationContext?: string } = {},
  ): Promise<{ simulatedCallId: string; callConnectionId: string; connection: CallConnection }> {
    const placed = await this.emulator.placeCall({
      from: options.from ?? callerNumber,
      to: acsNumber,
      script: options.script ?? [],
      ...(options.whenScriptEnds ? { whenScriptEnds: options.whenScriptEnds } : {}),
    });
    const serverCallId = this.emulator.getConversation(placed.simulatedCallId)?.serverCallId;
    const incoming = await this.waitFor(() =>
      this.eventGridPosts
        .flatMap((p) => p.events)
        .find((e) => e['eventType'] === 'Microsoft.Communication.IncomingCall' && (e['data'] as { serverCallId: string }).serverCallId === serverCallId),
    );
    const context = (incoming['data'] as { incomingCallContext: string }).incomingCallContext;
    const answered = await this.client.answerCall(context, this.callbackUrl, { operationContext: options.operationContext ?? 'answer' });
    const callConnectionId = answered.callConnectionProperties.callConnectionId!;
    await this.waitForCallback('CallConnected', (c) => c.data.callConnectionId === callConnectionId);
    return { simulatedCallId: placed.simulatedCallId, callConnectionId, connection: answered.callConnection };
  }

  async close(): Promise<void> {
    await this.emulator.close();
    await new Promise<void>((resolve) => {
      this.webhook.close(() => resolve());
      this.webhook.closeAllConnections();
    });
  }

  private changed(): void {
    for (const check of [...this.waiters]) check();
  }
}

export function createClient(connectionString: string): CallAutomationClient {
  const options: CallAutomationClientOptions = {
    // The emulator speaks plain http on loopback; the SDK refuses that without this flag.
    allowInsecureConnection: true,
    retryOptions: { maxRetries: 0 },
  };
  return new CallAutomationClient(connectionString, options);
}

/** Calls the SDK and returns the RestError it throws (status and ACS error code). */
export async function restError(call: () => Promise<unknown>): Promise<{ statusCode: number | undefined; code: string | undefined; message: string }> {
  try {
    await call();
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message: string };
    return { statusCode: e.statusCode, code: e.code, message: e.message };
  }
  throw new Error('expected the call to fail');
}
