import { parsePresenceNotifications, validationTokenOf } from '../../bot/adapters/graph-presence-notifications.js';

const secret = 'our-client-state';
const alice = '4d8c9f6b-0000-4000-8000-00000000a11c';
const bob = '4d8c9f6b-0000-4000-8000-000000000b0b';

function change(userId: string, presence?: { availability: string; activity: string }, overrides: Record<string, unknown> = {}) {
  return {
    subscriptionId: 'sub-1',
    clientState: secret,
    changeType: 'updated',
    resource: `communications/presences('${userId}')`,
    subscriptionExpirationDateTime: '2026-11-25T14:00:00.0000000Z',
    resourceData: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': `communications/presences('${userId}')`, id: userId, ...presence },
    tenantId: 'tenant',
    ...overrides,
  };
}

describe('parsePresenceNotifications', () => {
  it('reads the presence carried in each change notification', () => {
    const result = parsePresenceNotifications(
      { value: [change(alice, { availability: 'Busy', activity: 'InACall' }), change(bob, { availability: 'Away', activity: 'Away' })] },
      secret,
    );
    expect(result).toEqual({
      kind: 'accepted',
      readings: [
        { userId: alice, availability: 'Busy', activity: 'InACall' },
        { userId: bob, availability: 'Away', activity: 'Away' },
      ],
      changedUserIds: [],
      lifecycleEvents: [],
      unrecognized: [],
    });
  });

  it('keeps only the last presence of a user notified twice in one batch', () => {
    const result = parsePresenceNotifications(
      { value: [change(alice, { availability: 'Busy', activity: 'InACall' }), change(alice, { availability: 'Available', activity: 'Available' })] },
      secret,
    );
    expect(result.kind === 'accepted' && result.readings).toEqual([{ userId: alice, availability: 'Available', activity: 'Available' }]);
  });

  it('lists users whose notification carries no presence (basic or encrypted) so they are read again', () => {
    const basic = change(alice);
    const encrypted = { ...change(bob), encryptedContent: { data: 'xxx', dataKey: 'k', dataSignature: 's' } };
    const result = parsePresenceNotifications({ value: [basic, encrypted] }, secret);
    expect(result).toMatchObject({ kind: 'accepted', readings: [], changedUserIds: [alice, bob] });
  });

  it('takes the user id from the resource path when resourceData has none', () => {
    const result = parsePresenceNotifications(
      { value: [{ ...change(alice), resource: `communications/presences/${bob}`, resourceData: undefined }] },
      secret,
    );
    expect(result).toMatchObject({ kind: 'accepted', changedUserIds: [bob] });
  });

  it('returns lifecycle notifications with their subscription and expiry', () => {
    const result = parsePresenceNotifications(
      {
        value: [
          { subscriptionId: 'sub-1', subscriptionExpirationDateTime: '2026-11-25T14:00:00Z', tenantId: 't', clientState: secret, lifecycleEvent: 'reauthorizationRequired' },
          { subscriptionId: 'sub-2', tenantId: 't', clientState: secret, lifecycleEvent: 'subscriptionRemoved' },
          { subscriptionId: 'sub-3', tenantId: 't', clientState: secret, lifecycleEvent: 'missed' },
        ],
      },
      secret,
    );
    expect(result).toEqual({
      kind: 'accepted',
      readings: [],
      changedUserIds: [],
      unrecognized: [],
      lifecycleEvents: [
        { subscriptionId: 'sub-1', lifecycleEvent: 'reauthorizationRequired', subscriptionExpiresAt: new Date('2026-11-25T14:00:00Z') },
        { subscriptionId: 'sub-2', lifecycleEvent: 'subscriptionRemoved', subscriptionExpiresAt: undefined },
        { subscriptionId: 'sub-3', lifecycleEvent: 'missed', subscriptionExpiresAt: undefined },
      ],
    });
  });

  it('rejects the whole batch when any notification carries another clientState', () => {
    const result = parsePresenceNotifications(
      { value: [change(alice, { availability: 'Busy', activity: 'Busy' }), change(bob, { availability: 'Away', activity: 'Away' }, { clientState: 'guess' })] },
      secret,
    );
    expect(result).toMatchObject({ kind: 'rejected', reason: 'clientStateMismatch' });
    expect(result.kind === 'rejected' && result.detail).toContain('value[1]');
  });

  it('rejects notifications without a clientState', () => {
    const result = parsePresenceNotifications({ value: [change(alice, undefined, { clientState: null })] }, secret);
    expect(result).toMatchObject({ kind: 'rejected', reason: 'clientStateMismatch' });
  });

  it.each([
    ['a non-object', 'hello'],
    ['an empty collection', { value: [] }],
    ['a missing value', { notifications: [] }],
    ['a notification without subscriptionId', { value: [{ clientState: secret, changeType: 'updated' }] }],
    ['a presence that is not a string', { value: [change(alice, { availability: 5 as unknown as string, activity: 'x' })] }],
  ])('rejects %s as malformed', (_what, body) => {
    expect(parsePresenceNotifications(body, secret)).toMatchObject({ kind: 'rejected', reason: 'malformed' });
  });

  it('reports kinds it does not know instead of failing the batch', () => {
    const result = parsePresenceNotifications(
      {
        value: [
          change(alice, { availability: 'Busy', activity: 'Busy' }),
          { subscriptionId: 'sub-1', clientState: secret, lifecycleEvent: 'somethingNew' },
          change(bob, undefined, { changeType: 'deleted' }),
        ],
      },
      secret,
    );
    expect(result).toMatchObject({ kind: 'accepted', readings: [{ userId: alice }] });
    expect(result.kind === 'accepted' && result.unrecognized).toHaveLength(2);
  });

  it('refuses to run without an expected clientState', () => {
    expect(() => parsePresenceNotifications({ value: [change(alice)] }, '')).toThrow(RangeError);
  });
});

describe('validationTokenOf', () => {
  it('decodes the token of a validation request', () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1a2b';
    expect(validationTokenOf(`/api/presence?validationToken=${encodeURIComponent(token)}`)).toBe(token);
  });

  it('is undefined for an ordinary notification', () => {
    expect(validationTokenOf('https://bot.example/api/presence?code=abc')).toBeUndefined();
  });
});
