import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCallAutomationEvent } from '@azure/communication-call-automation';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AcsEmulatorHarness, callerNumber } from './acs-emulator-harness.js';

const fixtureFolder = join(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/acs-real');
const accepting = 'bbbbbbbb-0000-4000-8000-000000000001';
const ringing = 'bbbbbbbb-0000-4000-8000-000000000002';
const caller = { phoneNumber: callerNumber };

/**
 * The key paths of a payload, values left out: `.data.resultInformation.code`, `.data.participants[].isMuted`.
 * An identifier (`{ kind, rawId, <kind member> }`) counts as one leaf, because the recordings
 * are between ACS users and the emulator's calls are PSTN and Teams: the same shape, other kinds.
 */
function keyPaths(value: unknown, path = ''): Set<string> {
  if (Array.isArray(value)) return value.length === 0 ? new Set([`${path}[]`]) : keyPaths(value[0], `${path}[]`);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('rawId' in record && 'kind' in record) return new Set([`${path}<identifier>`]);
    const paths = new Set<string>();
    for (const [key, child] of Object.entries(record)) for (const p of keyPaths(child, `${path}.${key}`)) paths.add(p);
    return paths;
  }
  return new Set([path]);
}

/** Recorded payloads by type: the Event Grid IncomingCall data and each callback CloudEvent. */
function loadFixtures(): Map<string, Set<string>[]> {
  const byType = new Map<string, Set<string>[]>();
  const add = (type: string, payload: unknown) => byType.set(type, [...(byType.get(type) ?? []), keyPaths(payload)]);
  for (const file of readdirSync(fixtureFolder).filter((f) => f.endsWith('.json'))) {
    for (const element of JSON.parse(readFileSync(join(fixtureFolder, file), 'utf8')) as unknown[]) {
      if (Array.isArray(element)) for (const event of element as { type: string }[]) add(event.type, event);
      else add('IncomingCall', element);
    }
  }
  return byType;
}

describe('events the emulator emits have the shape of real recorded Call Automation events', () => {
  let h: AcsEmulatorHarness;
  const emitted = new Map<string, unknown>();

  beforeAll(async () => {
    h = await AcsEmulatorHarness.start({
      timing: { invitationTimeoutScale: 1 },
      teamsUsers: [
        { userId: accepting, ringBehaviour: { kind: 'accept', afterMs: 0 } },
        { userId: ringing, ringBehaviour: { kind: 'noAnswer' } },
      ],
    });
    const placed = await h.emulator.placeCall({ from: callerNumber, to: '+18005550100', script: [{ press: '1' }] });
    const serverCallId = h.emulator.getConversation(placed.simulatedCallId)!.serverCallId;
    const incoming = h.eventGridPosts.flatMap((p) => p.events).find((e) => (e['data'] as { serverCallId: string }).serverCallId === serverCallId)!;
    emitted.set('IncomingCall', incoming['data']);
    const answered = await h.client.answerCall((incoming['data'] as { incomingCallContext: string }).incomingCallContext, h.callbackUrl, {
      operationContext: 'conformance',
      mediaStreamingOptions: { transportType: 'websocket', transportUrl: 'wss://example.test/media', audioChannelType: 'mixed', startMediaStreaming: false },
      transcriptionOptions: { transportType: 'websocket', transportUrl: 'wss://example.test/text', locale: 'en-US', startTranscription: false },
    });
    const id = answered.callConnectionProperties.callConnectionId!;
    const connection = answered.callConnection;
    const media = connection.getCallMedia();
    const settle = (type: string) => h.waitForCallback(type, (c) => c.data.callConnectionId === id);

    await settle('ParticipantsUpdated');
    // The recordings started and stopped streaming and transcription without an operationContext.
    await media.startMediaStreaming();
    await media.stopMediaStreaming();
    await media.startTranscription();
    await media.playToAll([{ kind: 'textSource', text: 'Hello' }], { operationContext: 'play' });
    await settle('PlayCompleted');
    await media.playToAll([{ kind: 'fileSource', url: 'https://example.test/music.wav' }], { loop: true, operationContext: 'loop' });
    await media.cancelAllOperations();
    await media.playToAll([{ kind: 'fileSource', url: 'https://example.test/music.mp3' }], { operationContext: 'bad-file' });
    await media.hold(caller, { playSource: { kind: 'fileSource', url: 'https://example.test/music.mp3' }, operationContext: 'hold' });
    await connection.addParticipant({ targetParticipant: { microsoftTeamsUserId: accepting } }, { operationContext: 'add' });
    await settle('AddParticipantSucceeded');
    const pending = await connection.addParticipant({ targetParticipant: { microsoftTeamsUserId: ringing } }, { operationContext: 'add-2' });
    await connection.cancelAddParticipantOperation(pending.invitationId!, { operationContext: 'cancel' });
    await settle('CancelAddParticipantSucceeded');
    await connection.getCallMedia().startRecognizing(caller, { kind: 'callMediaRecognizeDtmfOptions', maxTonesToCollect: 1, operationContext: 'recognize' });
    await settle('RecognizeCompleted');
    await connection.hangUp(true);
    await settle('CallDisconnected');
    for (const callback of h.callbacksOf(id)) if (!emitted.has(callback.event['type'] as string)) emitted.set(callback.event['type'] as string, callback.event);
  });

  afterAll(async () => {
    await h.close();
  });

  it('covers every event type the recordings have', () => {
    const recorded = [...loadFixtures().keys()].sort();
    expect(recorded.filter((type) => !emitted.has(type))).toEqual([]);
  });

  it.each([...loadFixtures().entries()])('%s carries the recorded keys, and no others', (type, recordings) => {
    const ours = keyPaths(emitted.get(type));
    const always = [...recordings[0]!].filter((p) => recordings.every((r) => r.has(p)));
    const sometimes = new Set(recordings.flatMap((r) => [...r]));
    expect(always.filter((p) => !ours.has(p))).toEqual([]);
    expect([...ours].filter((p) => !sometimes.has(p))).toEqual([]);
  });

  it('every emitted callback event parses with the SDK\'s own event parser', () => {
    const parsed = [...emitted.entries()]
      .filter(([type]) => type !== 'IncomingCall')
      .map(([type, event]) => [type, parseCallAutomationEvent(event as never).kind]);
    expect(parsed).toEqual(parsed.map(([type]) => [type, type!.replace('Microsoft.Communication.', '')]));
  });
});
