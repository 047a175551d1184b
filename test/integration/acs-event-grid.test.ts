import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { acsNumber, AcsEmulatorHarness, callerNumber } from './acs-emulator-harness.js';

describe('Call Automation emulator: Event Grid IncomingCall delivery', () => {
  let h: AcsEmulatorHarness;

  beforeEach(async () => {
    h = await AcsEmulatorHarness.start({ validateWebhook: false });
  });

  afterEach(async () => {
    await h.close();
  });

  it('validates the webhook with a SubscriptionValidation handshake before delivering anything', async () => {
    const subscription = await h.emulator.setIncomingCallWebhook(h.eventGridUrl);
    expect(subscription).toEqual({ url: h.eventGridUrl, state: 'active' });
    const [handshake] = h.eventGridPosts;
    expect(handshake?.headers['aeg-event-type']).toBe('SubscriptionValidation');
    expect(handshake?.events).toEqual([
      expect.objectContaining({
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        data: { validationCode: expect.any(String), validationUrl: expect.any(String) },
      }),
    ]);
  });

  it('delivers IncomingCall in the Event Grid schema with aeg-event-type Notification', async () => {
    await h.emulator.setIncomingCallWebhook(h.eventGridUrl);
    const placed = await h.emulator.placeCall({ from: callerNumber, to: acsNumber, callerDisplayName: 'Pat Caller' });
    expect(placed.incomingCallDelivered).toBe(true);
    const notification = h.eventGridPosts.at(-1);
    expect(notification?.headers['aeg-event-type']).toBe('Notification');
    const conversation = h.emulator.getConversation(placed.simulatedCallId)!;
    expect(notification?.events).toEqual([
      {
        id: expect.any(String),
        topic: expect.stringContaining('/providers/Microsoft.Communication/communicationServices/'),
        subject: `/caller/4:${callerNumber}/recipient/4:${acsNumber}`,
        data: {
          to: { kind: 'phoneNumber', rawId: `4:${acsNumber}`, phoneNumber: { value: acsNumber } },
          from: { kind: 'phoneNumber', rawId: `4:${callerNumber}`, phoneNumber: { value: callerNumber } },
          serverCallId: conversation.serverCallId,
          callerDisplayName: 'Pat Caller',
          incomingCallContext: expect.any(String),
          correlationId: conversation.correlationId,
        },
        eventType: 'Microsoft.Communication.IncomingCall',
        dataVersion: '1.0',
        metadataVersion: '1',
        eventTime: expect.any(String),
      },
    ]);
  });

  it('delivers nothing to a webhook that answered the handshake with the wrong code', async () => {
    h.validationAnswer = 'wrongCode';
    expect((await h.emulator.setIncomingCallWebhook(h.eventGridUrl)).state).toBe('validationFailed');
    const placed = await h.emulator.placeCall({ from: callerNumber, to: acsNumber });
    expect(placed.incomingCallDelivered).toBe(false);
    expect(h.eventGridPosts.map((p) => p.headers['aeg-event-type'])).toEqual(['SubscriptionValidation']);
    expect(h.emulator.getConversation(placed.simulatedCallId)).toMatchObject({ state: 'ringing', incomingCallDelivered: false });
  });

  it('delivers nothing when no webhook is subscribed', async () => {
    const placed = await h.emulator.placeCall({ from: callerNumber, to: acsNumber });
    expect(placed.incomingCallDelivered).toBe(false);
    expect(h.eventGridPosts).toHaveLength(0);
  });

  it('retries the handshake before the next delivery when the webhook was not ready, then delivers', async () => {
    h.validationAnswer = 'serverError';
    expect((await h.emulator.setIncomingCallWebhook(h.eventGridUrl)).state).toBe('validationFailed');
    h.validationAnswer = 'echo';
    expect((await h.emulator.setIncomingCallWebhook(h.eventGridUrl)).state).toBe('active');
    expect((await h.emulator.placeCall({ from: callerNumber, to: acsNumber })).incomingCallDelivered).toBe(true);
  });

  it('validates a webhook that was unreachable at subscription time when the first call comes in', async () => {
    const unreachable = 'http://127.0.0.1:9/eventgrid';
    expect((await h.emulator.setIncomingCallWebhook(unreachable)).state).toBe('pendingValidation');
    expect((await h.emulator.setIncomingCallWebhook(h.eventGridUrl)).state).toBe('active');
    const placed = await h.emulator.placeCall({ from: callerNumber, to: acsNumber });
    expect(placed.incomingCallDelivered).toBe(true);
  });

  it('subscribes the webhook over the simulator HTTP API', async () => {
    const response = await fetch(`${h.emulator.simulatorUrl}/incoming-call-webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: h.eventGridUrl }),
    });
    expect(await response.json()).toEqual({ url: h.eventGridUrl, state: 'active' });
  });
});
