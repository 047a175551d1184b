import type { PresenceSubscription } from '../ports.js';

/** Graph refuses presence subscriptions that expire more than an hour after the request. */
export const maxPresenceSubscriptionLifetimeInMs = 60 * 60 * 1000;
export const maxUserIdsPerPresenceSubscription = 650;

export interface PresenceSubscriptionPlanOptions {
  /** Lifetime asked for at creation and renewal; under Graph's hour so clock skew cannot push it over. Default 55 min. */
  readonly lifetimeInMs?: number;
  /** Renew once less than this is left, leaving room for retries before expiry. Default 15 min. */
  readonly renewWhenRemainingInMs?: number;
}

export interface PresenceSubscriptionRenewal {
  readonly subscriptionId: string;
  readonly expiresAt: Date;
}

export interface PresenceSubscriptionPlan {
  readonly renew: PresenceSubscriptionRenewal[];
  /** Already expired, so Graph has dropped them: create new subscriptions for their users. */
  readonly expired: string[];
  /** When to plan again: the first moment a subscription (after these renewals) enters its renewal window. */
  readonly nextReviewAt: Date | undefined;
}

const defaultLifetimeInMs = 55 * 60 * 1000;
const defaultRenewWhenRemainingInMs = 15 * 60 * 1000;

function settings(options: PresenceSubscriptionPlanOptions) {
  const lifetimeInMs = options.lifetimeInMs ?? defaultLifetimeInMs;
  const renewWhenRemainingInMs = options.renewWhenRemainingInMs ?? defaultRenewWhenRemainingInMs;
  if (lifetimeInMs <= 0 || lifetimeInMs > maxPresenceSubscriptionLifetimeInMs) {
    throw new RangeError(`lifetimeInMs must be within (0, ${maxPresenceSubscriptionLifetimeInMs}], got ${lifetimeInMs}`);
  }
  if (renewWhenRemainingInMs < 0 || renewWhenRemainingInMs >= lifetimeInMs) {
    throw new RangeError(`renewWhenRemainingInMs must be within [0, lifetimeInMs), got ${renewWhenRemainingInMs}`);
  }
  return { lifetimeInMs, renewWhenRemainingInMs };
}

/** The expiry to ask for when creating or renewing a presence subscription at `now`. */
export function presenceSubscriptionExpiry(now: Date, options: PresenceSubscriptionPlanOptions = {}): Date {
  return new Date(now.getTime() + settings(options).lifetimeInMs);
}

/** Which presence subscriptions to renew at `now`, which have expired, and when to look again. */
export function planPresenceSubscriptionRenewals(
  subscriptions: readonly PresenceSubscription[],
  now: Date,
  options: PresenceSubscriptionPlanOptions = {},
): PresenceSubscriptionPlan {
  const { lifetimeInMs, renewWhenRemainingInMs } = settings(options);
  const nowInMs = now.getTime();
  const renew: PresenceSubscriptionRenewal[] = [];
  const expired: string[] = [];
  let nextReviewInMs: number | undefined;
  for (const subscription of subscriptions) {
    let expiresInMs = subscription.expiresAt.getTime();
    if (expiresInMs <= nowInMs) {
      expired.push(subscription.subscriptionId);
      continue;
    }
    if (expiresInMs - nowInMs <= renewWhenRemainingInMs) {
      expiresInMs = nowInMs + lifetimeInMs;
      renew.push({ subscriptionId: subscription.subscriptionId, expiresAt: new Date(expiresInMs) });
    }
    const reviewInMs = expiresInMs - renewWhenRemainingInMs;
    nextReviewInMs = nextReviewInMs === undefined ? reviewInMs : Math.min(nextReviewInMs, reviewInMs);
  }
  return { renew, expired, nextReviewAt: nextReviewInMs === undefined ? undefined : new Date(nextReviewInMs) };
}

/** Splits user ids (duplicates dropped, order kept) into groups one presence subscription can hold. */
export function groupUserIdsForPresenceSubscriptions(
  userIds: readonly string[],
  maxPerSubscription: number = maxUserIdsPerPresenceSubscription,
): string[][] {
  if (!Number.isInteger(maxPerSubscription) || maxPerSubscription < 1 || maxPerSubscription > maxUserIdsPerPresenceSubscription) {
    throw new RangeError(`maxPerSubscription must be an integer within [1, ${maxUserIdsPerPresenceSubscription}], got ${maxPerSubscription}`);
  }
  const unique = [...new Set(userIds)];
  const groups: string[][] = [];
  for (let i = 0; i < unique.length; i += maxPerSubscription) groups.push(unique.slice(i, i + maxPerSubscription));
  return groups;
}
