import type { AfterHours, AssistantFlow, EscalationTarget, IntentDefinition, LineEntry, PromptKey, SlotDefinition, Understanding } from '../call-flow/assistant-flow.js';
import type { Prompt } from '../call-flow/call-commands.js';
import { joinPrompts } from '../call-flow/join-prompts.js';
import { spokenMoment } from '../call-flow/spoken-moment.js';
import type { ContactCenterConfig, Escalation, Inform, PromptText } from './config/contact-center-schema.js';
import { configuredPrompt, fillPromptTemplate } from './config/render-prompt.js';
import { resolveMenuWords } from './menu-words.js';
import { spokenWeek } from './spoken-week.js';

/** The flow's prompt keys, by their name in the config's prompt set. */
const promptNames: Record<Exclude<PromptKey, 'languageMenu'>, string> = {
  greeting: 'greeting',
  openQuestion: 'openQuestion',
  clarify: 'clarify',
  noInput: 'noInput',
  noMatch: 'noMatch',
  transferring: 'transferring',
  noAgents: 'noAgentsAvailable',
  afterHours: 'afterHours',
  goodbye: 'goodbye',
  filler: 'actionFiller',
  actionFailed: 'actionFailed',
  anythingElse: 'anythingElse',
  confirmSlot: 'confirmSlot',
  queuePosition: 'queuePosition',
  queueExpectedWait: 'queueExpectedWait',
  queueWelcome: 'queueWelcome',
  queueStillWaiting: 'queueStillWaiting',
  technicalDifficulty: 'technicalDifficulty',
  callbackOffer: 'callbackOffer',
  callbackConfirmed: 'callbackConfirmed',
  callbackConnecting: 'transferring',
  voicemailPrompt: 'voicemailPrompt',
  voicemailSaved: 'voicemailSaved',
  keypadMenuOption: 'keypadMenuOption',
};

/**
 * Builds the call flow's view of a validated configuration. `understand` is the trained classifier;
 * `isOpen` evaluates a named business-hours schedule (both pure).
 */
export function assistantFlowFromConfig(
  config: ContactCenterConfig,
  understand: (text: string, language: string) => Understanding,
  isOpen: (scheduleName: string, now: Date) => { readonly open: boolean; readonly nextOpenAt?: Date; readonly closesAt?: Date; readonly holiday?: string },
  options: { readonly builtInHoldMusicUrl?: string } = {},
): AssistantFlow {
  const voices = new Map(config.languages.map((l) => [l.code, l.voice]));
  const menuWords = new Map(config.languages.map((l) => [l.code, resolveMenuWords(l.code, l.menuWords).words]));
  const skillOfLanguage = new Map(config.languages.map((l) => [l.code, l.agentSkill]));

  const promptText = (language: string, name: string): PromptText | undefined => configuredPrompt(config, language, name);

  const makePrompt = (language: string, name: string, values?: Readonly<Record<string, string>>): Prompt => {
    const text = promptText(language, name);
    const voice = voices.get(language) ?? voices.get(config.defaultLanguage) ?? 'en-US-JennyNeural';
    if (text === undefined) return { text: name, voice, language };
    return typeof text === 'string'
      ? { text: fillPromptTemplate(text, false, (name) => values?.[name]), voice, language }
      : { text: fillPromptTemplate(text.ssml, true, (name) => values?.[name]), ssml: true, voice, language };
  };

  const target = (escalation: Escalation): EscalationTarget => ({
    queueId: escalation.queue,
    priority: escalation.priority,
    requiredSkills: escalation.skills,
  });

  const slots = new Map(config.slots.map((s) => [s.name, s]));
  const slotDefinition = (name: string): SlotDefinition => {
    const slot = slots.get(name);
    if (!slot) throw new Error(`Unknown slot ${name}`);
    const { outOfRangePrompt } = slot;
    return {
      name,
      type: slot.type,
      input: slot.input,
      ask: (language) => makePrompt(language, slot.prompt),
      invalid: (language) => makePrompt(language, slot.invalidPrompt ?? 'slotInvalid'),
      minLength: slot.minLength ?? 1,
      maxLength: slot.maxLength ?? (slot.type === 'digits' ? 20 : 200),
      mask: slot.mask,
      confirm: slot.confirm,
      ...(slot.type === 'date' ? { dateRange: slot.dateRange } : {}),
      ...(outOfRangePrompt === undefined ? {} : { outOfRange: (language: string) => makePrompt(language, outOfRangePrompt) }),
    };
  };

  const actionTimeouts = new Map(config.actions.map((a) => [a.name, a.timeoutInMs]));
  const selfServiceOutcome = (action: string, slots: SlotDefinition[]): IntentDefinition['outcome'] => {
    const timeoutInMs = actionTimeouts.get(action);
    return { kind: 'selfService', action, slots, ...(timeoutInMs === undefined ? {} : { timeoutInMs }) };
  };
  // Dates callers say are read in the line's time zone: its schedule's, else the first schedule's.
  const fallbackTimeZone = Object.values(config.businessHours)[0]?.timeZone ?? 'UTC';
  const informOutcome = (inform: Inform): IntentDefinition['outcome'] => ({
    kind: 'inform',
    answer: (language, now) => {
      const { schedule, openPrompt, closedPrompt, prompt } = inform;
      if (schedule === undefined || openPrompt === undefined || closedPrompt === undefined) return makePrompt(language, prompt ?? '');
      const status = isOpen(schedule, now);
      const hours = config.businessHours[schedule];
      const timeZone = hours?.timeZone ?? fallbackTimeZone;
      const weeklyHours = hours ? spokenWeek(hours.weekly, language) : '';
      const moment = (at: Date | undefined) => (at === undefined ? { day: '', time: '', dayAndTime: '' } : spokenMoment(at, language, timeZone, now));
      if (status.open) {
        const { day, time, dayAndTime } = moment(status.closesAt);
        return makePrompt(language, openPrompt, { closesDay: day, closesTime: time, closesAt: dayAndTime, weeklyHours });
      }
      const { day, time, dayAndTime } = moment(status.nextOpenAt);
      return makePrompt(language, closedPrompt, { opensDay: day, opensTime: time, opensAt: dayAndTime, weeklyHours });
    },
  });
  const intents = new Map<string, IntentDefinition>(
    config.intents.map((intent) => [
      intent.name,
      {
        name: intent.name,
        // The caller's language, else the default one (the config check asks for both).
        spokenName: (language: string) => intent.labels[language] ?? intent.labels[config.defaultLanguage] ?? intent.name,
        dtmfKey: intent.dtmfKey,
        ...(intent.confirmPrompt ? { confirm: (language: string) => makePrompt(language, intent.confirmPrompt!) } : {}),
        outcome: intent.escalate
          ? { kind: 'escalate', target: target(intent.escalate), slots: intent.escalate.slots.map(slotDefinition) }
          : intent.inform
            ? informOutcome(intent.inform)
            : selfServiceOutcome(intent.selfService.action, intent.selfService.slots.map(slotDefinition)),
      },
    ]),
  );
  const operator = intents.get(config.assistant.operator.intent);
  const personTarget = operator?.outcome.kind === 'escalate' ? operator.outcome.target : { queueId: config.queues[0]?.queueId ?? 'general', priority: 0, requiredSkills: [] };
  const lineSchedules = new Map(config.numbers.map((n) => [n.number, n.businessHours]));
  const queueSchedules = new Map(config.queues.map((q) => [q.queueId, q.businessHours]));
  const queues = new Map(config.queues.map((q) => [q.queueId, q]));
  // The queue's own file, then the app's built-in tone (once: a queue may name the tone itself).
  const holdMusic = new Map(
    config.queues.map((q) => [q.queueId, [...new Set([q.musicOnHoldUrl, options.builtInHoldMusicUrl].filter((url) => url !== undefined))]]),
  );
  const lines = new Map(
    config.numbers.map((n): [string, LineEntry] => [
      n.number,
      {
        name: n.name,
        language: n.language ?? config.defaultLanguage,
        languageMenu: n.languageMenu,
        timeZone: (n.businessHours === undefined ? undefined : config.businessHours[n.businessHours]?.timeZone) ?? fallbackTimeZone,
        ...(n.entry.kind === 'queue' ? { queue: { queueId: n.entry.queue, priority: n.entry.priority } } : {}),
      },
    ]),
  );
  const closed = (scheduleName: string | undefined, now: Date): AfterHours | undefined => {
    if (scheduleName === undefined) return undefined;
    const status = isOpen(scheduleName, now);
    if (status.open) return undefined;
    const afterHours = config.businessHours[scheduleName]?.afterHours;
    const callbackPrompt = afterHours?.callback ? afterHours.callbackPrompt : undefined;
    return {
      prompt: afterHours?.prompt ?? 'afterHours',
      voicemail: afterHours?.voicemail ?? false,
      ...(afterHours?.holidayPrompt !== undefined && status.holiday !== undefined ? { holidayPrompt: afterHours.holidayPrompt, holiday: status.holiday } : {}),
      ...(callbackPrompt !== undefined && status.nextOpenAt !== undefined
        ? {
            callbackPrompt,
            opensAt: status.nextOpenAt.toISOString(),
            timeZone: config.businessHours[scheduleName]?.timeZone ?? fallbackTimeZone,
            ...(afterHours?.callbackConfirmedPrompt !== undefined ? { callbackConfirmedPrompt: afterHours.callbackConfirmedPrompt } : {}),
          }
        : {}),
    };
  };

  return {
    languages: config.languages.map((l) => ({ code: l.code, spokenName: l.displayName, dtmfKey: l.dtmfKey })),
    defaultLanguage: config.defaultLanguage,
    menuWords: (language) => menuWords.get(language) ?? menuWords.get(config.defaultLanguage) ?? resolveMenuWords(language, undefined).words,
    prompt(language, key, values) {
      if (key === 'languageMenu') {
        // Each line in its own language's voice; the caller is still heard in the call's language.
        const lines = config.languages.map((l) => makePrompt(l.code, 'languageMenuOption', { key: l.dtmfKey }));
        const { voice } = makePrompt(language, 'greeting');
        return { ...lines.reduce(joinPrompts), voice, language };
      }
      return makePrompt(language, promptNames[key], values);
    },
    namedPrompt: (language, key, values) => (promptText(language, key) === undefined ? undefined : makePrompt(language, key, values)),
    understand: (text, language) => understand(text, language),
    recordsAgentCalls: (queueId) => queues.get(queueId)?.recordAgentCalls ?? false,
    holdMusicUrls: (queueId) => holdMusic.get(queueId) ?? (options.builtInHoldMusicUrl === undefined ? [] : [options.builtInHoldMusicUrl]),
    languageSkill: (language) => {
      const skill = skillOfLanguage.get(language);
      return skill ? { skill, minProficiency: 1 } : undefined;
    },
    intents,
    personTarget,
    notices: (calledNumber, now) =>
      config.notices
        .filter((n) => (n.numbers === undefined || n.numbers.includes(calledNumber)) && Date.parse(n.from) <= now.getTime() && now.getTime() < Date.parse(n.until))
        .map((n) => n.prompt),
    personKey: config.assistant.operator.dtmfKey,
    repeatKey: [config.assistant.operator.dtmfKey, ...config.intents.map((i) => i.dtmfKey)].includes('*') ? undefined : '*',
    lineClosed: (calledNumber, now) => closed(lineSchedules.get(calledNumber), now),
    queueClosed: (queueId, now) => closed(queueSchedules.get(queueId), now),
    line: (calledNumber) => lines.get(calledNumber) ?? { language: config.defaultLanguage, languageMenu: true, timeZone: fallbackTimeZone },
    acceptConfidence: config.assistant.acceptConfidence,
    clarifyConfidence: config.assistant.clarifyConfidence,
    maxClarifications: config.assistant.maxClarifications,
    maxNoInputRetries: config.assistant.maxNoInputRetries,
    maxNoMatchRetries: config.assistant.maxNoMatchRetries,
    bargeIn: config.assistant.bargeIn,
    endSilenceTimeoutInSeconds: config.assistant.endSilenceTimeoutInSeconds,
    initialSilenceTimeoutInSeconds: config.assistant.initialSilenceTimeoutInSeconds,
    actionFillerDelayInMs: config.assistant.actionFillerDelayInMs,
    actionTimeoutInMs: config.assistant.actionTimeoutInMs,
    maxVoicemailInSeconds: 120,
    callbackRetries: (queueId) => {
      const queue = queues.get(queueId);
      return {
        attempts: queue?.callbackAttempts ?? config.assistant.callbackAttempts,
        retryDelayInSeconds: queue?.callbackRetryDelayInSeconds ?? config.assistant.callbackRetryDelayInSeconds,
      };
    },
  };
}

