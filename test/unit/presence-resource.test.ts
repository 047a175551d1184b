import { presenceSubscriptionResource, retryAfterInMs } from '../../bot/adapters/graph-presence.js';
import { parsePresenceResource } from '../../local/graph/presence-resource.js';

describe('presence subscription resource', () => {
  it('round-trips the ids the adapter subscribes to through the emulator', () => {
    const ids = ['fa8bf3dc-eca7-46b7-bad1-db199b62afc3', "o'brien", 'agent-7'];
    expect(presenceSubscriptionResource(ids)).toBe(
      "/communications/presences?$filter=id in ('fa8bf3dc-eca7-46b7-bad1-db199b62afc3','o''brien','agent-7')",
    );
    expect(parsePresenceResource(presenceSubscriptionResource(ids))).toEqual(ids);
  });

  it.each([
    ["communications/presences?$filter=id in ('a', 'b')", ['a', 'b']],
    ["/communications/presences?$filter=id%20in%20('a')", ['a']],
    ['communications/presences/c', ['c']],
  ])('reads %s', (resource, ids) => {
    expect(parsePresenceResource(resource)).toEqual(ids);
  });

  it.each([
    '/me/messages',
    'communications/presences',
    "communications/presences?$filter=id in ()",
    "communications/presences?$filter=id in ('a',)",
    "communications/presences?$filter=id eq 'a'",
  ])('refuses %s', (resource) => {
    expect(parsePresenceResource(resource)).toBeUndefined();
  });
});

describe('retryAfterInMs', () => {
  const now = new Date('2026-11-25T10:00:00Z');

  it('reads seconds and HTTP dates', () => {
    expect(retryAfterInMs('7', now)).toBe(7000);
    expect(retryAfterInMs('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
  });

  it('is undefined when absent or unreadable, and never negative', () => {
    expect(retryAfterInMs(null, now)).toBeUndefined();
    expect(retryAfterInMs('soon', now)).toBeUndefined();
    expect(retryAfterInMs('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
});
