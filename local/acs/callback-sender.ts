import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { TimerSet } from './timer-set.js';

/** One Call Automation callback as posted: a CloudEvent (real ACS posts an array of them). */
export interface CloudEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly time: string;
  readonly specversion: '1.0';
  readonly datacontenttype: 'application/json';
  readonly subject: string;
}

export interface CallbackDelivery {
  readonly event: CloudEvent;
  readonly url: string;
  readonly callConnectionId: string;
  /** HTTP status of the last attempt; undefined when the request itself failed. */
  readonly status: number | undefined;
  readonly attempts: number;
  readonly delivered: boolean;
  readonly error?: string;
}

export interface CallbackSenderOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly retryDelaysInMs: readonly number[];
  readonly timers: TimerSet;
  readonly logger: Logger;
  /** Lifetime of each callback token; real tokens are short-lived too. */
  readonly tokenLifetimeInSeconds?: number;
}

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const deliveryLogSize = 500;
const requestTimeoutInMs = 10_000;

/**
 * Posts Call Automation callbacks: one CloudEvent per POST (as an array of one), each with a fresh
 * `Authorization: Bearer` RS256 JWT signed by a key generated at start and published as a JWKS.
 * Events of one call connection are delivered in order, one at a time; a non-2xx answer or a
 * network error is retried after each of `retryDelaysInMs`, then logged and dropped, so a broken
 * webhook can never stop the emulator.
 */
export class CallbackSender {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly log: CallbackDelivery[] = [];
  private readonly listeners = new Set<(delivery: CallbackDelivery) => void>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  private constructor(
    private readonly options: CallbackSenderOptions,
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
  ) {}

  static async create(options: CallbackSenderOptions): Promise<CallbackSender> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), use: 'sig', alg: 'RS256' };
    return new CallbackSender(options, privateKey, publicJwk);
  }

  /** The body served at the JWKS URL. */
  get jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async createToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid ?? '', typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + (this.options.tokenLifetimeInSeconds ?? 300))
      .sign(this.privateKey);
  }

  /** Queues the event behind the connection's earlier events; never throws. */
  send(callConnectionId: string, url: string, type: string, data: Record<string, unknown>): CloudEvent {
    const source = `calling/callConnections/${callConnectionId}`;
    const event: CloudEvent = {
      id: randomUUID(),
      source,
      type,
      data,
      time: new Date().toISOString(),
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: source,
    };
    const previous = this.queues.get(callConnectionId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(callConnectionId, url, event));
    this.queues.set(callConnectionId, next);
    void next.then(() => {
      if (this.queues.get(callConnectionId) === next) this.queues.delete(callConnectionId);
    });
    return event;
  }

  onDelivery(listener: (delivery: CallbackDelivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliveries(): readonly CallbackDelivery[] {
    return [...this.log];
  }

  /** Resolves once every queued callback has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
  }

  private async deliver(callConnectionId: string, url: string, event: CloudEvent): Promise<void> {
    const delays = this.options.retryDelaysInMs;
    let status: number | undefined;
    let error: string | undefined;
    let attempts = 0;
    for (let attempt = 0; attempt <= delays.length && !this.closed; attempt++) {
      if (attempt > 0) await this.options.timers.wait(delays[attempt - 1] ?? 0);
      if (this.closed) break;
      attempts = attempt + 1;
      const controller = new AbortController();
      this.inFlight.add(controller);
      const timeout = setTimeout(() => controller.abort(), requestTimeoutInMs);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.createToken()}` },
          body: JSON.stringify([event]),
          signal: controller.signal,
        });
        await response.arrayBuffer().catch(() => undefined);
        status = response.status;
        error = undefined;
        if (response.ok) break;
      } catch (cause) {
        status = undefined;
        error = cause instanceof Error ? cause.message : String(cause);
      } finally {
        clearTimeout(timeout);
        this.inFlight.delete(controller);
      }
    }
    const delivered = status !== undefined && status >= 200 && status < 300;
    const record: CallbackDelivery = { event, url, callConnectionId, status, attempts, delivered, ...(error ? { error } : {}) };
    this.log.push(record);
    if (this.log.length > deliveryLogSize) this.log.shift();
    if (delivered) {
      this.options.logger.debug({ type: event.type, callConnectionId, status, attempts }, 'callback delivered');
    } else if (!this.closed) {
      this.options.logger.warn({ type: event.type, callConnectionId, url, status, attempts, error }, 'callback delivery failed');
    }
    for (const listener of this.listeners) listener(record);
  }
}
