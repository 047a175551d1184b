/**
 * The interfaces the core needs from the outside world. Implementations live in bot/adapters/
 * (Azure SDKs) and in tests; the deciders never see them, only the handle-* shells do.
 */

/** Time, injected so no decider or shell reads the wall clock directly. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Graph presence of one Teams user, as last observed. */
export interface PresenceReading {
  readonly userId: string;
  readonly availability: string;
  readonly activity: string;
}

export interface PresenceSubscription {
  readonly subscriptionId: string;
  readonly expiresAt: Date;
}

/** Microsoft Graph presence: reads, and change-notification subscriptions. */
export interface PresenceService {
  getPresences(userIds: readonly string[]): Promise<PresenceReading[]>;
  createSubscription(options: {
    readonly userIds: readonly string[];
    readonly notificationUrl: string;
    readonly clientState: string;
    readonly expiresAt: Date;
  }): Promise<PresenceSubscription>;
  renewSubscription(subscriptionId: string, expiresAt: Date): Promise<PresenceSubscription>;
  deleteSubscription(subscriptionId: string): Promise<void>;
}
