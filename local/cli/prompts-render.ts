import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpeechPromptSynthesizer, type SpeechServiceSettings } from '../../bot/adapters/speech-prompt-synthesizer.js';
import type { ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import { fillPromptTemplate } from '../../bot/assistant/config/render-prompt.js';
import { escapeXml } from '../../bot/call-flow/join-prompts.js';
import { readConfigArgument } from './read-config-argument.js';

const usage = `Usage: switchboard prompts render [config file] --out FOLDER [--language CODE]

  Speaks every prompt of the config (standard and the config's own, in each language, with its
  voice) with Azure AI Speech, and writes each as FOLDER/<language>/<prompt>.wav: mono 16-bit PCM
  at 16 kHz, the format Call Automation plays from files. Listen to them before callers do; a voice
  or SSML the speech service refuses is named with the prompt and language, as it would fail mid-call.
  Placeholders ({position}, {minutes}...) are filled with sample values.
  The speech service: SPEECH_ENDPOINT, the deployment's AI Services endpoint
  (https://<name>.cognitiveservices.azure.com/, signed in with Microsoft Entra ID as az login or a
  managed identity; keys are off there), or SPEECH_REGION with SPEECH_KEY; without them, the local
  one \`npm start\` runs.
  The config defaults to config/contact-center.yaml.
  Exit status: 0 all spoken, 1 a prompt refused, 2 usage error, invalid config or no speech service.
`;

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** What a placeholder is read as in a rendered sample. */
const sampleValues: Readonly<Record<string, string>> = {
  key: '1',
  label: 'billing',
  a: 'billing',
  b: 'technical support',
  value: '1 2 3 4',
  position: '3',
  minutes: '5',
  opensAt: 'tomorrow at 8 AM',
};

/** The SSML Call Automation's speech would be given for a prompt: its own, or its text in the language's voice. */
export function promptSsml(config: ContactCenterConfig, language: string, key: string): string | undefined {
  const prompt = config.prompts[language]?.[key];
  const voice = config.languages.find((l) => l.code === language)?.voice;
  if (prompt === undefined || voice === undefined) return undefined;
  const valueOf = (name: string) => sampleValues[name] ?? name;
  if (typeof prompt !== 'string') return fillPromptTemplate(prompt.ssml, true, valueOf);
  const text = escapeXml(fillPromptTemplate(prompt, false, valueOf));
  return `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="${escapeXml(language)}"><voice name="${escapeXml(voice)}">${text}</voice></speak>`;
}

/** SPEECH_* settings, else the local Speech service of a running `npm start`. */
export function speechSettings(env: NodeJS.ProcessEnv, cwd: string): SpeechServiceSettings | undefined {
  const key = env['SPEECH_KEY'];
  if (env['SPEECH_ENDPOINT']) return key ? { endpoint: env['SPEECH_ENDPOINT'], key } : { endpoint: env['SPEECH_ENDPOINT'] };
  if (env['SPEECH_REGION'] && key) return { region: env['SPEECH_REGION'], key };
  try {
    const { urls } = JSON.parse(readFileSync(join(cwd, '.local', 'stack.json'), 'utf8')) as { urls?: { speech?: string } };
    if (urls?.speech) return { endpoint: urls.speech, key: 'local' };
  } catch {
    // No local stack running.
  }
  return undefined;
}

export async function promptsRender(
  args: readonly string[],
  options: { readonly output?: CliOutput; readonly speech?: SpeechServiceSettings; readonly cwd?: string } = {},
): Promise<number> {
  const { out, err } = options.output ?? consoleOutput;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { out: { type: 'string' }, language: { type: 'string' } } });
  } catch (error) {
    err(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const folder = parsed.values.out;
  if (folder === undefined || parsed.positionals.length > 1) {
    err(usage);
    return 2;
  }
  const file = parsed.positionals[0] ?? 'config/contact-center.yaml';
  const config = readConfigArgument(file, err);
  if (!config) return 2;
  const languages = config.languages.map((l) => l.code).filter((code) => parsed.values.language === undefined || code === parsed.values.language);
  if (languages.length === 0) {
    err(`${file} has no language ${parsed.values.language}; it has ${config.languages.map((l) => l.code).join(', ')}.`);
    return 2;
  }
  const settings = options.speech ?? speechSettings(process.env, options.cwd ?? process.cwd());
  if (!settings) {
    err('No speech service: set SPEECH_ENDPOINT or SPEECH_REGION with SPEECH_KEY, or run `npm start` for the local one.');
    return 2;
  }
  const synthesizer = new SpeechPromptSynthesizer(settings);
  const refused: string[] = [];
  let spoken = 0;
  try {
    for (const language of languages) {
      mkdirSync(join(folder, language), { recursive: true });
      for (const key of Object.keys(config.prompts[language] ?? {}).sort()) {
        const ssml = promptSsml(config, language, key);
        if (ssml === undefined) continue;
        const outcome = await synthesizer.synthesize(ssml);
        if (!outcome.ok) {
          refused.push(`${language} ${key}: ${outcome.error}`);
          continue;
        }
        writeFileSync(join(folder, language, `${key}.wav`), outcome.wav);
        spoken++;
        out(`${language}  ${key.padEnd(28)} ${(outcome.durationInMs / 1000).toFixed(1).padStart(5)} s`);
      }
    }
  } finally {
    synthesizer.close();
  }
  for (const line of refused) err(`refused: ${line}`);
  out(`${spoken} prompts spoken to ${folder}${refused.length > 0 ? `; ${refused.length} refused by the speech service` : ''}.`);
  return refused.length > 0 ? 1 : 0;
}
