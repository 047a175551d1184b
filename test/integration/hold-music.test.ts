// Music on hold through the whole local Azure: the sample contact center's billing queue names a
// file Call Automation cannot download, so the caller hears the app's built-in tone instead, which
// the emulator downloads from the app and checks like Call Automation (mono 16-bit PCM, 16 kHz).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wavFormatProblem } from '../../local/acs/wav-format.js';
import { SettableClock } from '../../local/host/settable-clock.js';
import type { LocalStack } from '../../local/local-stack.js';
import { startTestStack, testAgent } from '../support/test-stack.js';
import { apiFetch } from '../support/api-fetch.js';

const root = join(import.meta.dirname, '..', '..');
const unreachable = 'http://127.0.0.1:9/ivr/hold-music.wav';
let stack: LocalStack;

beforeAll(async () => {
  const sample = readFileSync(join(root, 'config', 'contact-center.yaml'), 'utf8');
  const withBrokenMusic = sample.replace('  - queueId: billing\n', `  - queueId: billing\n    musicOnHoldUrl: ${unreachable}\n`);
  expect(withBrokenMusic).not.toBe(sample);
  const configFile = join(mkdtempSync(join(tmpdir(), 'sb-hold-')), 'contact-center.yaml');
  writeFileSync(configFile, withBrokenMusic);
  // A Tuesday at 11 AM in New York: billing is open.
  const clock = new SettableClock();
  clock.set(new Date('2026-11-24T11:00:00-05:00'));
  // The one billing agent is signed in but does not pick up, so the caller waits.
  const agent = { ...testAgent('bea', ['billing'], { billing: 3 }), ringBehaviour: { kind: 'noAnswer' as const } };
  stack = await startTestStack({ settings: { CONTACT_CENTER_CONFIG_FILE: configFile }, clock, agents: [agent] });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

it("plays the built-in hold tone when the queue's own music cannot be downloaded", async () => {
  const tone = `${stack.functionsHost.baseUrl}/api/media/hold-tone.wav`;
  const placed = await stack.callAutomation.placeCall({
    from: '+14255550111',
    to: '+12125550100',
    script: [{ press: '1' }, { say: 'I want to pay my bill' }],
    whenScriptEnds: 'wait',
  });
  const heardTone = (c: { entries: readonly { kind: string; fileUrl?: string }[] }) => c.entries.some((e) => e.kind === 'heard' && e.fileUrl === tone);
  const conversation = await stack.callAutomation.waitForConversation(placed.simulatedCallId, heardTone, 20_000);
  const files = conversation.entries.filter((e) => e.kind === 'heard' && e.fileUrl !== undefined).map((e) => (e as { fileUrl: string; loop?: boolean }));
  // The queue's own file was never heard; the tone loops.
  expect(files).toEqual([expect.objectContaining({ fileUrl: tone, loop: true })]);
  const history = await stack.switchboard.getCallHistory(conversation.correlationId);
  expect((history?.state as { stage: string }).stage).toBe('queued');
  const failures = history!.history
    .map((h) => h.entry as { kind: string; event?: { kind: string; subCode?: number } })
    .filter((e) => e.kind === 'event' && e.event?.kind === 'PlayFailed')
    .map((e) => e.event?.subCode);
  expect(failures).toEqual([8536]);
});

it('serves the tone to anyone, as a WAV file with its length, cacheable for a day', async () => {
  const response = await apiFetch(stack, `media/hold-tone.wav`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('audio/wav');
  expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
  expect(wavFormatProblem(bytes)).toBeUndefined();
});
