import {
  groupUserIdsForPresenceSubscriptions,
  planPresenceSubscriptionRenewals,
  presenceSubscriptionExpiry,
} from '../../bot/presence/presence-subscription-plan.js';

const now = new Date('2026-11-25T10:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
const sub = (subscriptionId: string, expiresInMinutes: number) => ({ subscriptionId, expiresAt: minutes(expiresInMinutes) });

describe('planPresenceSubscriptionRenewals', () => {
  it('leaves subscriptions with time to spare alone and says when to look again', () => {
    const plan = planPresenceSubscriptionRenewals([sub('a', 50), sub('b', 40)], now);
    expect(plan).toEqual({ renew: [], expired: [], nextReviewAt: minutes(25) });
  });

  it('renews those inside the renewal window for a fresh lifetime under the hour', () => {
    const plan = planPresenceSubscriptionRenewals([sub('a', 50), sub('b', 15), sub('c', 1)], now);
    expect(plan.renew).toEqual([
      { subscriptionId: 'b', expiresAt: minutes(55) },
      { subscriptionId: 'c', expiresAt: minutes(55) },
    ]);
    expect(plan.expired).toEqual([]);
    expect(plan.nextReviewAt).toEqual(minutes(35));
  });

  it('reports expired subscriptions for re-creation instead of renewing them', () => {
    const plan = planPresenceSubscriptionRenewals([sub('gone', 0), sub('long-gone', -30), sub('ok', 45)], now);
    expect(plan.expired).toEqual(['gone', 'long-gone']);
    expect(plan.renew).toEqual([]);
    expect(plan.nextReviewAt).toEqual(minutes(30));
  });

  it('has nothing to review when there is nothing left to keep alive', () => {
    expect(planPresenceSubscriptionRenewals([], now)).toEqual({ renew: [], expired: [], nextReviewAt: undefined });
    expect(planPresenceSubscriptionRenewals([sub('gone', -1)], now).nextReviewAt).toBeUndefined();
  });

  it('follows the lifetime and window it is given', () => {
    const plan = planPresenceSubscriptionRenewals([sub('a', 9)], now, { lifetimeInMs: 30 * 60_000, renewWhenRemainingInMs: 10 * 60_000 });
    expect(plan.renew).toEqual([{ subscriptionId: 'a', expiresAt: minutes(30) }]);
    expect(plan.nextReviewAt).toEqual(minutes(20));
  });

  it('refuses settings Graph would reject or that would renew forever', () => {
    expect(() => planPresenceSubscriptionRenewals([], now, { lifetimeInMs: 61 * 60_000 })).toThrow(RangeError);
    expect(() => planPresenceSubscriptionRenewals([], now, { lifetimeInMs: 10 * 60_000, renewWhenRemainingInMs: 10 * 60_000 })).toThrow(RangeError);
  });
});

describe('presenceSubscriptionExpiry', () => {
  it('asks for 55 minutes by default, inside Graph’s one-hour cap', () => {
    expect(presenceSubscriptionExpiry(now)).toEqual(minutes(55));
  });
});

describe('groupUserIdsForPresenceSubscriptions', () => {
  it('splits at 650 ids per subscription, dropping duplicates', () => {
    const ids = Array.from({ length: 1400 }, (_, i) => `user-${i}`);
    const groups = groupUserIdsForPresenceSubscriptions([...ids, 'user-0']);
    expect(groups.map((g) => g.length)).toEqual([650, 650, 100]);
    expect(groups.flat()).toEqual(ids);
  });

  it('refuses a group size Graph would reject', () => {
    expect(() => groupUserIdsForPresenceSubscriptions(['a'], 651)).toThrow(RangeError);
  });
});
