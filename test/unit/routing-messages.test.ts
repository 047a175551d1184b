import type { CallCommand } from '../../bot/call-flow/call-commands.js';
import { callLeftQueueFromCancel, callQueuedFromRequest, offerOutcomeFromNotify } from '../../bot/routing/call-queued-from-request.js';
import { deadLetterFallback } from '../../bot/routing/dead-letter-fallback.js';
import { parseAgent, parseQueueDefinition, parseRoutingMessage } from '../../bot/routing/routing-messages.js';
import { agent, context, t0 } from './routing-given.js';

describe('routing messages at the edge', () => {
  const request = {
    callId: 'c1',
    callConnectionId: 'conn-1',
    queueId: 'sales',
    priority: 2,
    requiredSkills: [{ skill: 'billing', minProficiency: 3 }],
    context,
  };

  it('the call flow’s RequestRouting becomes a CallQueued that validates, with a stable message id', () => {
    const message = callQueuedFromRequest(request, 'op-7', t0);
    expect(parseRoutingMessage(JSON.parse(JSON.stringify(message)))).toEqual(message);
    expect(callQueuedFromRequest(request, 'op-7', new Date(t0.getTime() + 5000)).messageId).toBe(message.messageId);
  });

  it('takes the call flow’s RequestRouting command as it is (the types are checked here)', () => {
    const command: Extract<CallCommand, { kind: 'RequestRouting' }> = {
      kind: 'RequestRouting',
      queueId: 'sales',
      priority: 0,
      requiredSkills: [{ skill: 'billing', minProficiency: 2 }],
      context: { intent: undefined, confidence: undefined, language: 'en-GB', reason: 'asked for a person', pii: { callerId: '+441632960001', transcript: ['agent please'], slots: {} } },
    };
    const message = callQueuedFromRequest({ ...command, callId: 'c1', callConnectionId: 'conn-1' }, 'op-1', t0);
    expect(parseRoutingMessage(JSON.parse(JSON.stringify(message)))).toMatchObject({ kind: 'CallQueued', queueId: 'sales', context: { reason: 'asked for a person' } });
  });

  it('maps the call flow’s CancelRouting and NotifyRouting to routing messages', () => {
    expect(callLeftQueueFromCancel({ callId: 'c1', queueId: 'sales', reason: 'callerHungUp' }, 'op-9', t0)).toMatchObject({
      kind: 'CallLeftQueue',
      callId: 'c1',
      reason: 'abandoned',
    });
    const notify = { callId: 'c1', queueId: 'sales', offerId: 'o1', agentId: 'a1' };
    expect(offerOutcomeFromNotify({ ...notify, outcome: 'offerAccepted' }, t0)).toMatchObject({ kind: 'OfferAccepted', offerId: 'o1', agentId: 'a1' });
    expect(offerOutcomeFromNotify({ ...notify, outcome: 'offerDeclined' }, t0)).toMatchObject({ kind: 'OfferDeclined', reason: 'declined' });
    expect(offerOutcomeFromNotify({ ...notify, outcome: 'offerNotAnswered' }, t0)).toMatchObject({ kind: 'OfferDeclined', reason: 'noAnswer' });
    for (const outcome of ['offerAccepted', 'offerDeclined', 'offerNotAnswered'] as const) {
      expect(() => parseRoutingMessage(offerOutcomeFromNotify({ ...notify, outcome }, t0))).not.toThrow();
    }
  });

  it('fills defaults for a minimal CallQueued', () => {
    const parsed = parseRoutingMessage({
      kind: 'CallQueued',
      schemaVersion: 1,
      messageId: 'm1',
      queueId: 'sales',
      occurredAt: t0.toISOString(),
      callId: 'c1',
      callConnectionId: 'conn-1',
      context: { language: 'en-GB', pii: { callerId: '+441632960001' } },
    });
    expect(parsed).toMatchObject({ priority: 0, requiredSkills: [], context: { reason: '', pii: { transcript: [], slots: {} } } });
  });

  it.each([
    ['an unknown kind', { kind: 'CallTeleported' }],
    ['another schema version', { schemaVersion: 2 }],
    ['no message id', { messageId: '' }],
    ['a proficiency out of range', { requiredSkills: [{ skill: 'billing', minProficiency: 6 }] }],
    ['a time that is not ISO 8601', { occurredAt: 'yesterday' }],
  ])('rejects a message with %s', (_, change) => {
    const valid = callQueuedFromRequest(request, 'op-1', t0);
    expect(() => parseRoutingMessage({ ...valid, ...change })).toThrow();
  });

  it('validates agent snapshots carried by agent messages', () => {
    expect(parseAgent(agent('a1', { skills: { billing: 4 } }))).toMatchObject({ agentId: 'a1', capacity: 1 });
    expect(() => parseAgent({ ...agent('a1'), skills: { billing: 0 } })).toThrow();
    expect(() => parseAgent({ ...agent('a1'), presence: { availability: 'Sleeping', activity: 'x' } })).toThrow();
  });
});

describe('queue definitions (ops configuration)', () => {
  it('applies the documented defaults and orders relaxation steps by time', () => {
    const def = parseQueueDefinition({
      queueId: 'q',
      name: 'Q',
      relaxationSteps: [
        { afterSeconds: 120, minProficiency: 'anyAgentOfQueue' },
        { afterSeconds: 60, minProficiency: 2 },
      ],
    });
    expect(def).toMatchObject({
      agentSelection: 'longestIdle',
      ringTimeInSeconds: 20,
      maxMissesBeforeNotReady: 2,
      announcementIntervalInSeconds: 60,
      callbackOfferThresholdInSeconds: null,
      serviceLevelThresholdInSeconds: 20,
      overflow: {},
    });
    expect(def.relaxationSteps.map((s) => s.afterSeconds)).toEqual([60, 120]);
  });

  it('rejects an unknown selection rule or overflow action', () => {
    expect(() => parseQueueDefinition({ queueId: 'q', name: 'Q', agentSelection: 'random' })).toThrow();
    expect(() => parseQueueDefinition({ queueId: 'q', name: 'Q', overflow: { maxWait: { maxWaitInSeconds: 60, action: { kind: 'pager' } } } })).toThrow();
  });

  it('a dead-lettered message still gets its caller the queue’s overflow action', () => {
    const def = parseQueueDefinition({ queueId: 'q', name: 'Q', overflow: { maxWait: { maxWaitInSeconds: 60, action: { kind: 'queue', queueId: 'backup' } } } });
    expect(deadLetterFallback(def)).toEqual({ kind: 'queue', queueId: 'backup' });
    expect(deadLetterFallback(parseQueueDefinition({ queueId: 'q', name: 'Q' }))).toEqual({ kind: 'voicemail' });
  });
});
