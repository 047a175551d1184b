// `switchboard prompts render`: every prompt of a config spoken with Azure AI Speech through the
// Speech SDK, against the local Speech service, into WAV files Call Automation can play; a voice or
// SSML the service refuses is named with its prompt and language.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readContactCenterConfig } from '../../bot/load-assistant-flow.js';
import { wavFormatProblem } from '../../local/acs/wav-format.js';
import { promptsRender, promptSsml, speechSettings } from '../../local/cli/prompts-render.js';
import { startSpeechEmulator, type SpeechEmulator } from '../../local/speech/speech-emulator.js';

let speech: SpeechEmulator;

beforeAll(async () => {
  speech = await startSpeechEmulator();
});
afterAll(async () => {
  await speech.close();
});

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return promptsRender(args, { output: { out: (l) => out.push(l), err: (l) => err.push(l) }, speech: { endpoint: speech.endpoint, key: 'local' } }).then((status) => ({ status, out, err }));
}

describe('switchboard prompts render', () => {
  it('speaks every prompt of the sample in each language, with its voice, to WAV files Call Automation can play', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-prompts-'));
    const config = readContactCenterConfig('config/contact-center.yaml');
    const before = speech.syntheses.length;
    const { status, out, err } = await run(['config/contact-center.yaml', '--out', folder]);
    expect(err).toEqual([]);
    expect(status).toBe(0);
    for (const language of config.languages) {
      const written = readdirSync(join(folder, language.code)).sort();
      expect(written).toEqual(Object.keys(config.prompts[language.code] ?? {}).map((k) => `${k}.wav`).sort());
      for (const file of written) expect({ file, problem: wavFormatProblem(new Uint8Array(readFileSync(join(folder, language.code, file)))) }).toEqual({ file, problem: undefined });
    }
    const spoken = speech.syntheses.slice(before);
    // Each language in its own voice; placeholders filled with sample values, never spoken as braces.
    expect(new Set(spoken.map((s) => s.voice))).toEqual(new Set(config.languages.map((l) => l.voice)));
    expect(spoken.some((s) => s.text.includes('You are number 3 in the queue'))).toBe(true);
    expect(spoken.filter((s) => /[{}]/.test(s.text))).toEqual([]);
    expect(out.at(-1)).toBe(`${spoken.length} prompts spoken to ${folder}.`);
  });

  it('names the prompt and language of a voice the speech service refuses, and exits 1', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-prompts-'));
    const file = join(folder, 'broken.yaml');
    const sample = readFileSync('config/contact-center.yaml', 'utf8');
    // A voice the speech service does not have: config validate cannot know the service's list.
    writeFileSync(file, sample.replace('voice: es-ES-ElviraNeural', 'voice: es-ES-Elvira'));
    expect(readContactCenterConfig(file).languages.find((l) => l.code === 'es-ES')?.voice).toBe('es-ES-Elvira');
    const { status, err } = await run([file, '--out', join(folder, 'out')]);
    expect(status).toBe(1);
    expect(err).toContain('refused: es-ES greeting: Unsupported voice es-ES-Elvira. websocket error code: 1007');
    // The English prompts with the sample's voice were spoken.
    expect(readdirSync(join(folder, 'out', 'en-US'))).toContain('greeting.wav');
  });

  it('renders a text prompt as Call Automation would speak it: escaped, in the language and its voice', () => {
    const config = readContactCenterConfig('config/contact-center.yaml');
    expect(promptSsml(config, 'en-US', 'queuePosition')).toBe(
      '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US"><voice name="en-US-JennyNeural">You are number 3 in the queue.</voice></speak>',
    );
    expect(promptSsml(config, 'en-US', 'no-such-prompt')).toBeUndefined();
  });

  it('finds the speech service in SPEECH_* settings, else the running local stack; without either it says so', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sb-cwd-'));
    expect(speechSettings({ SPEECH_REGION: 'westeurope', SPEECH_KEY: 'k' }, cwd)).toEqual({ region: 'westeurope', key: 'k' });
    expect(speechSettings({ SPEECH_ENDPOINT: 'https://sb-ai.cognitiveservices.azure.com/' }, cwd)).toEqual({ endpoint: 'https://sb-ai.cognitiveservices.azure.com/' });
    expect(speechSettings({}, cwd)).toBeUndefined();
    const status = await promptsRender(['--out', join(cwd, 'out')], { cwd, output: { out: () => undefined, err: () => undefined } });
    expect(status).toBe(2);
  });
});
