import type { AssistantFlow, IntentDefinition, PromptKey, SlotDefinition, Understanding } from '../../bot/call-flow/assistant-flow.js';
import type { Prompt } from '../../bot/call-flow/call-commands.js';
import { resolveMenuWords } from '../../bot/assistant/menu-words.js';

/** A small, fixed assistant for decider specs: prompts are their own key, understanding is by table. */
export function testPrompt(key: string, language = 'en-US'): Prompt {
  return { text: `<${key}>`, voice: `${language}-Voice`, language };
}

const pin: SlotDefinition = {
  name: 'pin', type: 'digits', input: 'dtmf', ask: (l) => testPrompt('askPin', l), minLength: 4, maxLength: 4, mask: true, confirm: false,
};
const orderNumber: SlotDefinition = {
  name: 'orderNumber', type: 'digits', input: 'dtmf', ask: (l) => testPrompt('askOrderNumber', l), minLength: 6, maxLength: 8, mask: false, confirm: true,
};

export const intents: IntentDefinition[] = [
  { name: 'billing', spokenName: (l) => (l === 'es-ES' ? 'facturación' : 'billing'), dtmfKey: '1', outcome: { kind: 'escalate', target: { queueId: 'billing', priority: 1, requiredSkills: [{ skill: 'billing', minProficiency: 2 }] } } },
  { name: 'techSupport', spokenName: (l) => (l === 'es-ES' ? 'asistencia técnica' : 'technical support'), dtmfKey: '2', outcome: { kind: 'escalate', target: { queueId: 'support', priority: 2, requiredSkills: [] } } },
  { name: 'orderStatus', spokenName: () => 'order status', dtmfKey: '3', outcome: { kind: 'selfService', action: 'orderStatus', slots: [orderNumber] } },
  { name: 'accountBalance', spokenName: () => 'account balance', dtmfKey: '4', outcome: { kind: 'selfService', action: 'accountBalance', slots: [pin] } },
];

export function testFlow(overrides: Partial<AssistantFlow> & { understandings?: Record<string, Understanding> } = {}): AssistantFlow {
  const { understandings = {}, ...rest } = overrides;
  return {
    languages: [{ code: 'en-US', spokenName: 'English', dtmfKey: '1' }],
    defaultLanguage: 'en-US',
    menuWords: (language: string) => resolveMenuWords(language, undefined).words,
    prompt: (language: string, key: PromptKey, values?: Readonly<Record<string, string>>) =>
      testPrompt(values ? `${key} ${Object.values(values).join('|')}` : key, language),
    namedPrompt: (language: string, key: string, values?: Readonly<Record<string, string>>) =>
      testPrompt(values ? `${key} ${Object.values(values).join('|')}` : key, language),
    holdMusicUrls: (queueId: string) => [`https://music.example/${queueId}.wav`, 'https://app.example/api/media/hold-tone.wav'],
    recordsAgentCalls: () => false,
    languageSkill: (language: string) => (language === 'es-ES' ? { skill: 'spanish', minProficiency: 1 } : undefined),
    understand: (text: string): Understanding =>
      understandings[text] ?? { intent: null, confidence: 0.05, outOfScope: true, ranked: [] },
    intents: new Map(intents.map((i) => [i.name, i])),
    personTarget: { queueId: 'general', priority: 0, requiredSkills: [] },
    personKey: '0',
    notices: () => [],
    repeatKey: '*',
    lineClosed: () => undefined,
    queueClosed: () => undefined,
    line: () => ({ language: 'en-US', languageMenu: true }),
    acceptConfidence: 0.7,
    clarifyConfidence: 0.35,
    maxClarifications: 1,
    maxNoInputRetries: 2,
    maxNoMatchRetries: 2,
    bargeIn: true,
    endSilenceTimeoutInSeconds: 1,
    initialSilenceTimeoutInSeconds: 5,
    actionFillerDelayInMs: 1500,
    actionTimeoutInMs: 8000,
    maxVoicemailInSeconds: 60,
    callbackRetries: () => ({ attempts: 1, retryDelayInSeconds: 300 }),
    ...rest,
  };
}

export const sure = (intent: string): Understanding => ({ intent, confidence: 0.93, outOfScope: false, ranked: [{ intent, confidence: 0.93 }] });
