import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import { DefaultAzureCredential } from '@azure/identity';
import type { RoutingMessage } from '../routing/routing-messages.js';
import { systemClock, type Clock, type RoutingBus } from '../ports.js';

export interface ServiceBusConnectionOptions {
  /** Local emulator: `Endpoint=sb://...;UseDevelopmentEmulator=true`. */
  readonly connectionString?: string | undefined;
  /** Azure: `<namespace>.servicebus.windows.net`, reached with the managed identity. */
  readonly fullyQualifiedNamespace?: string | undefined;
  /** Tests lower the client's own retries so faults surface quickly. */
  readonly retryOptions?: { readonly maxRetries?: number; readonly timeoutInMs?: number };
}

export function createServiceBusClient(options: ServiceBusConnectionOptions): ServiceBusClient {
  const retryOptions = { ...(options.retryOptions ?? {}) };
  if (options.connectionString) return new ServiceBusClient(options.connectionString, { retryOptions });
  if (options.fullyQualifiedNamespace) return new ServiceBusClient(options.fullyQualifiedNamespace, new DefaultAzureCredential(), { retryOptions });
  throw new Error('Service Bus needs ServiceBusConnection or ServiceBusConnection__fullyQualifiedNamespace');
}

const sendAttempts = 4;

/**
 * Routing messages on the session queue: sessionId = queueId, Service Bus messageId = the
 * message's own id (so broker duplicate detection and the decider's window agree). Sends are
 * retried: after a broker restart the first sends fail at once while the link reconnects.
 */
export class ServiceBusRoutingBus implements RoutingBus {
  private readonly sender: ServiceBusSender;

  /**
   * `clock` is the app's: a scheduled message is due after the same delay on the broker, whose clock
   * is the real one (they differ only where the app's clock was set, on the local stack).
   */
  constructor(
    client: ServiceBusClient,
    queueName: string,
    private readonly clock: Clock = systemClock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    /** The broker's time: real time in Azure; a local test may move its emulator's on. */
    private readonly brokerClock: Clock = systemClock,
  ) {
    this.sender = client.createSender(queueName);
  }

  async send(message: RoutingMessage): Promise<void> {
    await this.withRetry(() => this.sender.sendMessages(toServiceBusMessage(message)));
  }

  async schedule(message: RoutingMessage, at: Date): Promise<void> {
    const onBroker = new Date(this.brokerClock.now().getTime() + (at.getTime() - this.clock.now().getTime()));
    await this.withRetry(() => this.sender.scheduleMessages(toServiceBusMessage(message), onBroker));
  }

  async close(): Promise<void> {
    await this.sender.close();
  }

  private async withRetry<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable !== false;
        if (attempt >= sendAttempts || !retryable) throw error;
        await this.sleep(100 * 2 ** attempt);
      }
    }
  }
}

function toServiceBusMessage(message: RoutingMessage): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: message.messageId,
    sessionId: message.queueId,
    subject: message.kind,
    applicationProperties: { kind: message.kind, schemaVersion: message.schemaVersion },
  };
}
