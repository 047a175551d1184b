import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TimerSet } from './timer-set.js';

/** An event in the Event Grid schema (not CloudEvents): what an Event Grid webhook receives. */
export interface EventGridEvent {
  readonly id: string;
  readonly topic: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
  readonly eventType: string;
  readonly dataVersion: string;
  readonly metadataVersion: '1';
  readonly eventTime: string;
}

export type WebhookSubscriptionState =
  | 'none'
  /** The handshake could not reach the webhook yet; it is tried again before the next delivery. */
  | 'pendingValidation'
  /** The webhook answered the handshake without the right `validationResponse`: nothing is delivered. */
  | 'validationFailed'
  | 'active';

export interface WebhookSubscription {
  readonly url: string | undefined;
  readonly state: WebhookSubscriptionState;
}

export interface EventGridSenderOptions {
  readonly topic: string;
  readonly subscriptionName: string;
  readonly retryDelaysInMs: readonly number[];
  readonly timers: TimerSet;
  readonly logger: Logger;
}

const requestTimeoutInMs = 10_000;

/**
 * Event Grid's webhook delivery for the ACS system topic. Creating a subscription first POSTs a
 * `Microsoft.EventGrid.SubscriptionValidationEvent` with `aeg-event-type: SubscriptionValidation`;
 * only a 200 whose JSON body echoes the code as `validationResponse` activates it. Events then go
 * out one per POST, as a JSON array, with `aeg-event-type: Notification`.
 */
export class EventGridSender {
  private url: string | undefined;
  private state: WebhookSubscriptionState = 'none';
  private validation: Promise<void> | undefined;
  private closed = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: EventGridSenderOptions) {}

  get subscription(): WebhookSubscription {
    return { url: this.url, state: this.state };
  }

  /** Subscribes the webhook (replacing any other) and runs the handshake; never rejects. */
  async subscribe(url: string | undefined): Promise<WebhookSubscription> {
    this.url = url;
    this.state = url ? 'pendingValidation' : 'none';
    if (url) await this.revalidate(url);
    return this.subscription;
  }

  private readonly publishing = new Set<Promise<boolean>>();

  /** Delivers one event; resolves true when the webhook accepted it. Never rejects. */
  publish(eventType: string, subject: string, data: Record<string, unknown>): Promise<boolean> {
    const delivery = this.deliver(eventType, subject, data).finally(() => this.publishing.delete(delivery));
    this.publishing.add(delivery);
    return delivery;
  }

  /** Resolves once every event published has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all([...this.publishing]);
  }

  private async deliver(eventType: string, subject: string, data: Record<string, unknown>): Promise<boolean> {
    if (this.state === 'pendingValidation' && this.url) await (this.validation ?? this.revalidate(this.url));
    const url = this.url;
    if (this.state !== 'active' || !url) {
      this.options.logger.warn({ eventType, subscription: this.state }, 'event grid event not delivered: no validated webhook');
      return false;
    }
    const event: EventGridEvent = {
      id: randomUUID(),
      topic: this.options.topic,
      subject,
      data,
      eventType,
      dataVersion: '1.0',
      metadataVersion: '1',
      eventTime: new Date().toISOString(),
    };
    const delays = this.options.retryDelaysInMs;
    for (let attempt = 0; attempt <= delays.length && !this.closed; attempt++) {
      if (attempt > 0) await this.options.timers.wait(delays[attempt - 1] ?? 0);
      if (this.closed) break;
      const outcome = await this.post(url, 'Notification', [event], attempt + 1);
      if (outcome.ok) {
        this.options.logger.debug({ eventType, attempts: attempt + 1 }, 'event grid event delivered');
        return true;
      }
      if (attempt === delays.length) {
        this.options.logger.warn({ eventType, status: outcome.status, error: outcome.error, attempts: attempt + 1 }, 'event grid delivery failed');
      }
    }
    return false;
  }

  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
  }

  private revalidate(url: string): Promise<void> {
    const validation = this.validate(url).finally(() => {
      if (this.validation === validation) this.validation = undefined;
    });
    this.validation = validation;
    return validation;
  }

  private async validate(url: string): Promise<void> {
    const validationCode = randomUUID();
    const event: EventGridEvent = {
      id: randomUUID(),
      topic: this.options.topic,
      subject: '',
      data: {
        validationCode,
        validationUrl: `https://rp-local.eventgrid.azure.net/eventsubscriptions/${this.options.subscriptionName}/validate?id=${validationCode}&t=${new Date().toISOString()}&apiVersion=2018-05-01-preview&token=${randomBytes(16).toString('hex')}`,
      },
      eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
      dataVersion: '2',
      metadataVersion: '1',
      eventTime: new Date().toISOString(),
    };
    const outcome = await this.post(url, 'SubscriptionValidation', [event], 1);
    if (this.url !== url) return;
    if (outcome.status === undefined) {
      this.state = 'pendingValidation';
      this.options.logger.warn({ error: outcome.error }, 'event grid webhook unreachable; validation will be retried');
      return;
    }
    let echoed: unknown;
    try {
      echoed = (JSON.parse(outcome.body ?? '') as { validationResponse?: unknown }).validationResponse;
    } catch {
      echoed = undefined;
    }
    if (outcome.status === 200 && echoed === validationCode) {
      this.state = 'active';
      this.options.logger.info({ url }, 'event grid webhook validated');
    } else {
      this.state = 'validationFailed';
      this.options.logger.warn({ url, status: outcome.status }, 'event grid webhook failed validation; no events will be delivered');
    }
  }

  private async post(
    url: string,
    eventType: 'Notification' | 'SubscriptionValidation',
    events: EventGridEvent[],
    deliveryCount: number,
  ): Promise<{ ok: boolean; status?: number; body?: string; error?: string }> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), requestTimeoutInMs);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'aeg-event-type': eventType,
          'aeg-subscription-name': this.options.subscriptionName.toUpperCase(),
          'aeg-delivery-count': String(deliveryCount - 1),
          'aeg-data-version': events[0]?.dataVersion ?? '1.0',
          'aeg-metadata-version': '1',
        },
        body: JSON.stringify(events),
        signal: controller.signal,
      });
      const body = await response.text().catch(() => '');
      return { ok: response.ok, status: response.status, body };
    } catch (cause) {
      return { ok: false, error: cause instanceof Error ? cause.message : String(cause) };
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }
}
