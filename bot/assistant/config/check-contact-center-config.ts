import { XMLValidator } from 'fast-xml-parser';
import { isOpen } from '../business-hours.js';
import { languagesWithBuiltInMenuWords, resolveMenuWords } from '../menu-words.js';
import { closestName } from './closest-name.js';
import {
  actionOutcomes,
  standardPromptPlaceholders,
  weekDays,
  type Action,
  type OverflowAction,
  type ParsedContactCenterConfig,
  type PromptText,
  type SkillRequirement,
} from './contact-center-schema.js';

export type ConfigPath = readonly (string | number)[];

export interface ConfigIssue {
  readonly path: ConfigPath;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** Point at the map key itself rather than its value (e.g. a language code under `prompts`). */
  readonly at?: 'key';
}

/** Fewest examples per intent in the default language; fewer train a poor classifier. */
export const minExamplesPerIntent = 15;

const placeholderPattern = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * The rules one field cannot state alone: references between sections, unique names and keys,
 * prompts present in every language with the right placeholders, valid time zones.
 */
export function checkContactCenterConfig(config: ParsedContactCenterConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (path: ConfigPath, message: string, at?: 'key'): void => {
    issues.push(at ? { path, message, severity: 'error', at } : { path, message, severity: 'error' });
  };
  const warn = (path: ConfigPath, message: string): void => {
    issues.push({ path, message, severity: 'warning' });
  };

  const languageCodes = config.languages.map((l) => l.code);
  const skillNames = new Set(config.skills.map((s) => s.name));
  const queueIds = new Set(config.queues.map((q) => q.queueId));
  const scheduleNames = new Set(Object.keys(config.businessHours));
  const slotsByName = new Map(config.slots.map((s) => [s.name, s]));
  const actionsByName = new Map(config.actions.map((a) => [a.name, a]));
  const intentsByName = new Map(config.intents.map((i) => [i.name, i]));
  const defaultPrompts: Record<string, PromptText> = config.prompts[config.defaultLanguage] ?? config.prompts[languageCodes[0] ?? ''] ?? {};

  const unknown = (what: string, name: string, known: Iterable<string>, section: string): string => {
    const list = [...known];
    const hint = closestName(name, list);
    if (hint) return `${what} "${name}" is not defined in ${section}. Did you mean "${hint}"?`;
    if (list.length === 0) return `${what} "${name}" is not defined: ${section} is empty.`;
    if (list.length > 8) return `${what} "${name}" is not defined in ${section}.`;
    return `${what} "${name}" is not defined in ${section} (defined: ${list.join(', ')}).`;
  };
  const requireQueue = (path: ConfigPath, queue: string): void => {
    if (!queueIds.has(queue)) error(path, unknown('Queue', queue, queueIds, 'queues'));
  };
  const requireSchedule = (path: ConfigPath, schedule: string): void => {
    if (!scheduleNames.has(schedule)) error(path, unknown('Business-hours schedule', schedule, scheduleNames, 'businessHours'));
  };
  const requireSkills = (path: ConfigPath, requirements: readonly SkillRequirement[]): void => {
    const seen = new Set<string>();
    requirements.forEach((r, i) => {
      if (!skillNames.has(r.skill)) error([...path, i, 'skill'], unknown('Skill', r.skill, skillNames, 'skills'));
      if (seen.has(r.skill)) error([...path, i, 'skill'], `Skill "${r.skill}" is listed twice.`);
      seen.add(r.skill);
    });
  };
  const referencedPrompts: Array<{ path: ConfigPath; key: string; allowed?: readonly string[] }> = [];
  const requirePrompt = (path: ConfigPath, key: string, allowed?: readonly string[]): void => {
    referencedPrompts.push(allowed ? { path, key, allowed } : { path, key });
  };
  const unique = <T>(items: readonly T[], keyOf: (item: T) => string | undefined, field: string, what: string, pathOf: (i: number) => ConfigPath): void => {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (key === undefined) return;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else error(pathOf(i), `${what} "${key}" is already used by ${field}[${earlier}]; each must be unique.`);
    });
  };

  // Languages.
  if (!languageCodes.includes(config.defaultLanguage)) {
    error(['defaultLanguage'], unknown('Language', config.defaultLanguage, languageCodes, 'languages'));
  }
  unique(config.languages, (l) => l.code, 'languages', 'Language', (i) => ['languages', i, 'code']);
  unique(config.languages, (l) => l.dtmfKey, 'languages', 'Language menu key', (i) => ['languages', i, 'dtmfKey']);
  config.languages.forEach((language, i) => {
    if (language.agentSkill !== undefined && !skillNames.has(language.agentSkill)) {
      error(['languages', i, 'agentSkill'], unknown('Skill', language.agentSkill, skillNames, 'skills'));
    }
    const { missing } = resolveMenuWords(language.code, language.menuWords);
    if (missing.length > 0) {
      error(
        ['languages', i, 'menuWords'],
        `Language ${language.code} has no built-in menu words (only ${languagesWithBuiltInMenuWords.join(', ')} do): give menuWords ${missing.join(', ')}, the words callers say to answer the assistant's menus.`,
      );
    }
    if (!language.voice.startsWith(`${language.code}-`)) {
      warn(['languages', i, 'voice'], `Voice "${language.voice}" does not speak ${language.code}; callers will hear another accent or language.`);
    }
  });
  const checkLanguageKeys = (path: ConfigPath, record: Record<string, unknown>): void => {
    for (const code of Object.keys(record)) {
      if (!languageCodes.includes(code)) error([...path, code], unknown('Language', code, languageCodes, 'languages'), 'key');
    }
  };

  // Numbers.
  unique(config.numbers, (n) => n.number, 'numbers', 'Phone number', (i) => ['numbers', i, 'number']);
  config.numbers.forEach((number, i) => {
    if (number.language !== undefined && !languageCodes.includes(number.language)) {
      error(['numbers', i, 'language'], unknown('Language', number.language, languageCodes, 'languages'));
    }
    if (number.businessHours !== undefined) requireSchedule(['numbers', i, 'businessHours'], number.businessHours);
    if (number.entry.kind === 'queue') requireQueue(['numbers', i, 'entry', 'queue'], number.entry.queue);
  });

  // Notices.
  const lineNumbers = new Set(config.numbers.map((n) => n.number));
  config.notices.forEach((notice, i) => {
    requirePrompt(['notices', i, 'prompt'], notice.prompt, []);
    if (Date.parse(notice.until) <= Date.parse(notice.from)) error(['notices', i, 'until'], `A notice must end after it starts (from ${notice.from}).`);
    notice.numbers?.forEach((number, j) => {
      if (!lineNumbers.has(number)) error(['notices', i, 'numbers', j], unknown('Phone number', number, lineNumbers, 'numbers'));
    });
  });

  // Business hours.
  for (const [scheduleName, schedule] of Object.entries(config.businessHours)) {
    const path = ['businessHours', scheduleName];
    if (!isTimeZone(schedule.timeZone)) {
      error([...path, 'timeZone'], `"${schedule.timeZone}" is not a time zone this runtime knows; use an IANA name such as America/New_York or Europe/London.`);
    }
    for (const day of weekDays) checkOverlaps([...path, 'weekly', day], schedule.weekly[day], error);
    unique(schedule.holidays, (h) => h.date, `businessHours.${scheduleName}.holidays`, 'Holiday date', (i) => [...path, 'holidays', i, 'date']);
    schedule.holidays.forEach((holiday, i) => checkOverlaps([...path, 'holidays', i, 'hours'], holiday.hours, error));
    requirePrompt([...path, 'afterHours', 'prompt'], schedule.afterHours.prompt);
    if (schedule.afterHours.holidayPrompt !== undefined) requirePrompt([...path, 'afterHours', 'holidayPrompt'], schedule.afterHours.holidayPrompt, ['holiday']);
    if (schedule.afterHours.callbackPrompt !== undefined) requirePrompt([...path, 'afterHours', 'callbackPrompt'], schedule.afterHours.callbackPrompt);
    if (schedule.afterHours.callbackConfirmedPrompt !== undefined) {
      requirePrompt([...path, 'afterHours', 'callbackConfirmedPrompt'], schedule.afterHours.callbackConfirmedPrompt, ['opensAt']);
    }
    // The confirmation defaults to callbackConfirmed; the offer has no default.
    if (schedule.afterHours.callback && schedule.afterHours.callbackPrompt === undefined) {
      error([...path, 'afterHours', 'callback'], 'A callback after hours needs `callbackPrompt`: the prompt that offers it (press 1).');
    }
  }

  // Prompts: every language has every prompt any language has, with the same placeholders.
  checkLanguageKeys(['prompts'], config.prompts);
  for (const code of languageCodes) {
    if (config.prompts[code] === undefined) error(['prompts'], `There are no prompts for ${code}, which is listed in languages.`);
  }
  const promptKeys = new Set(Object.values(config.prompts).flatMap((set) => Object.keys(set)));
  for (const [code, set] of Object.entries(config.prompts)) {
    if (!languageCodes.includes(code)) continue;
    for (const key of promptKeys) {
      const prompt = set[key];
      if (prompt === undefined) {
        const hasIt = Object.entries(config.prompts).filter(([, s]) => s[key] !== undefined).map(([c]) => c);
        error(['prompts', code], `Prompt "${key}" is missing for ${code} (it exists for ${hasIt.join(', ')}).`);
        continue;
      }
      const path = ['prompts', code, key];
      if (typeof prompt !== 'string') {
        const ssml = prompt.ssml.trim();
        if (!ssml.startsWith('<speak') || !ssml.endsWith('</speak>')) error([...path, 'ssml'], 'SSML must be one <speak …>…</speak> document.');
        else {
          // Call Automation refuses SSML that is not well-formed XML: a call would fail at this prompt.
          const wellFormed = XMLValidator.validate(ssml);
          if (wellFormed !== true) error([...path, 'ssml'], `SSML is not well-formed XML: ${wellFormed.err.msg} (SSML line ${wellFormed.err.line}, column ${wellFormed.err.col}).`);
        }
      }
      const used = placeholdersOf(prompt);
      const standard = standardPromptPlaceholders(key);
      if (standard) {
        const extra = used.filter((p) => !standard.includes(p));
        const missing = standard.filter((p) => !used.includes(p));
        if (extra.length > 0 || missing.length > 0) {
          const problems = [
            ...(extra.length > 0 ? [`${formatPlaceholders(extra)} ${extra.length === 1 ? 'is' : 'are'} not filled in by the call flow`] : []),
            ...(missing.length > 0 ? [`${formatPlaceholders(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`] : []),
          ];
          error(path, `Prompt "${key}" must use ${formatPlaceholders(standard)}: ${problems.join('; ')}.`);
        }
      } else if (code !== config.defaultLanguage && defaultPrompts[key] !== undefined) {
        const reference = placeholdersOf(defaultPrompts[key]);
        if (!sameSet(used, reference)) {
          error(path, `Prompt "${key}" uses ${formatPlaceholders(used)} but its ${config.defaultLanguage} version uses ${formatPlaceholders(reference)}; translations must fill in the same values.`);
        }
      }
    }
  }

  // Assistant.
  const { assistant } = config;
  if (assistant.clarifyConfidence > assistant.acceptConfidence) {
    error(['assistant', 'clarifyConfidence'], `clarifyConfidence (${assistant.clarifyConfidence}) must not be above acceptConfidence (${assistant.acceptConfidence}).`);
  }
  if (assistant.actionFillerDelayInMs >= assistant.actionTimeoutInMs) {
    error(['assistant', 'actionFillerDelayInMs'], `The filler must start before the action times out: actionFillerDelayInMs (${assistant.actionFillerDelayInMs}) is not below actionTimeoutInMs (${assistant.actionTimeoutInMs}).`);
  }
  // 1 and 2 answer the yes / no and "Did you mean A, or B?" questions; # ends digits typed in.
  const menuKeys: Readonly<Record<string, string>> = { '1': 'yes and the first option', '2': 'no and the second option', '#': 'the end of digits typed in (a PIN, an order number)' };
  const takenBy = menuKeys[assistant.operator.dtmfKey];
  if (takenBy !== undefined) {
    error(['assistant', 'operator', 'dtmfKey'], `Key "${assistant.operator.dtmfKey}" already means ${takenBy} in the assistant's questions; the operator key must be another one (0, 3-9 or *).`);
  }
  const operatorIntent = intentsByName.get(assistant.operator.intent);
  if (!operatorIntent) {
    error(['assistant', 'operator', 'intent'], unknown('Intent', assistant.operator.intent, intentsByName.keys(), 'intents'));
  } else if (!operatorIntent.escalate) {
    error(['assistant', 'operator', 'intent'], `The operator key must reach a person, but intent "${operatorIntent.name}" does not escalate; choose an intent with escalate.`);
  }

  // Intents.
  unique(config.intents, (i) => i.name, 'intents', 'Intent name', (i) => ['intents', i, 'name']);
  unique(config.intents, (i) => i.dtmfKey, 'intents', 'Keypad menu key', (i) => ['intents', i, 'dtmfKey']);
  const exampleOwners = new Map<string, { intent: string; index: number }>();
  config.intents.forEach((intent, i) => {
    const path = ['intents', i];
    if (intent.dtmfKey !== undefined && intent.dtmfKey === assistant.operator.dtmfKey) {
      error([...path, 'dtmfKey'], `Key "${intent.dtmfKey}" is the operator key (assistant.operator.dtmfKey) and always reaches a person; pick another key for "${intent.name}".`);
    }
    checkLanguageKeys([...path, 'labels'], intent.labels);
    for (const code of languageCodes) {
      if (intent.labels[code] === undefined) error([...path, 'labels'], `Intent "${intent.name}" has no ${code} label; the clarify question and keypad menu need one per language.`);
    }
    checkLanguageKeys([...path, 'examples'], intent.examples);
    const defaults = intent.examples[config.defaultLanguage] ?? [];
    if (defaults.length < minExamplesPerIntent) {
      error([...path, 'examples', ...(intent.examples[config.defaultLanguage] ? [config.defaultLanguage] : [])],
        `Intent "${intent.name}" needs at least ${minExamplesPerIntent} ${config.defaultLanguage} examples to be understood reliably; it has ${defaults.length}.`);
    }
    for (const code of languageCodes) {
      if (code !== config.defaultLanguage && intent.examples[code] === undefined) {
        warn([...path, 'examples'], `Intent "${intent.name}" has no ${code} examples; ${code} callers can reach it by keypad or by speaking the default language only.`);
      }
    }
    for (const [code, examples] of Object.entries(intent.examples)) {
      examples.forEach((example, e) => {
        const key = `${code}\u0000${normalizeExample(example)}`;
        const owner = exampleOwners.get(key);
        if (owner === undefined) exampleOwners.set(key, { intent: intent.name, index: i });
        else if (owner.intent === intent.name) warn([...path, 'examples', code, e], `Example "${example}" appears twice in intent "${intent.name}".`);
        else error([...path, 'examples', code, e], `Example "${example}" also trains intent "${owner.intent}" (intents[${owner.index}]); one utterance cannot mean two intents.`);
      });
    }
    const outcomes = (['selfService', 'escalate', 'inform'] as const).filter((field) => intent[field] !== undefined);
    if (outcomes.length !== 1) {
      error(path, outcomes.length > 1
        ? `Intent "${intent.name}" has ${outcomes.join(' and ')}; keep exactly one.`
        : `Intent "${intent.name}" needs selfService (an action), escalate (a queue) or inform (an answer) to say what happens.`);
    }
    if (intent.inform) {
      const { prompt, schedule, openPrompt, closedPrompt } = intent.inform;
      const informPath = [...path, 'inform'];
      if (schedule === undefined) {
        if (prompt === undefined) error(informPath, 'inform needs a prompt, or a schedule with openPrompt and closedPrompt.');
        for (const [field, value] of [['openPrompt', openPrompt], ['closedPrompt', closedPrompt]] as const) {
          if (value !== undefined) error([...informPath, field], `${field} is said according to a schedule; add schedule, or use prompt alone.`);
        }
      } else {
        requireSchedule([...informPath, 'schedule'], schedule);
        const hours = config.businessHours[schedule];
        // Open through an ordinary week (holidays aside): the open prompt would have no closing time to say.
        const open = hours ? isOpen({ ...hours, holidays: [] }, new Date('2026-01-05T12:00:00Z')) : undefined;
        if (open?.open && open.closesAt === undefined) {
          error([...informPath, 'schedule'], `Schedule "${schedule}" is open around the clock, so openPrompt would have no closing time to say; answer with a fixed prompt instead.`);
        }
        if (prompt !== undefined) error([...informPath, 'prompt'], 'With a schedule, the answer is openPrompt or closedPrompt; prompt is for a fixed answer.');
        if (openPrompt === undefined) error(informPath, 'An answer from a schedule needs openPrompt, said while it is open.');
        if (closedPrompt === undefined) error(informPath, 'An answer from a schedule needs closedPrompt, said while it is closed.');
      }
      if (prompt !== undefined) requirePrompt([...informPath, 'prompt'], prompt, []);
      if (openPrompt !== undefined) requirePrompt([...informPath, 'openPrompt'], openPrompt, ['closesDay', 'closesTime', 'closesAt', 'weeklyHours']);
      if (closedPrompt !== undefined) requirePrompt([...informPath, 'closedPrompt'], closedPrompt, ['opensDay', 'opensTime', 'opensAt', 'weeklyHours']);
    }
    if (intent.escalate) {
      requireQueue([...path, 'escalate', 'queue'], intent.escalate.queue);
      requireSkills([...path, 'escalate', 'skills'], intent.escalate.skills);
      intent.escalate.slots.forEach((slot, s) => {
        if (!slotsByName.has(slot)) error([...path, 'escalate', 'slots', s], unknown('Slot', slot, slotsByName.keys(), 'slots'));
      });
    }
    if (intent.selfService) {
      const { action: actionName, slots } = intent.selfService;
      const action = actionsByName.get(actionName);
      if (!action) error([...path, 'selfService', 'action'], unknown('Action', actionName, actionsByName.keys(), 'actions'));
      slots.forEach((slot, s) => {
        if (!slotsByName.has(slot)) error([...path, 'selfService', 'slots', s], unknown('Slot', slot, slotsByName.keys(), 'slots'));
      });
      if (action) {
        for (const needed of slotsNeededBy(action)) {
          if (!slots.includes(needed)) {
            error([...path, 'selfService', 'slots'], `Action "${action.name}" needs slot "${needed}"; add it to this intent's selfService.slots so the caller is asked for it.`);
          }
        }
      }
    }
    if (intent.confirmPrompt !== undefined) requirePrompt([...path, 'confirmPrompt'], intent.confirmPrompt, []);
  });

  // Slots.
  unique(config.slots, (s) => s.name, 'slots', 'Slot name', (i) => ['slots', i, 'name']);
  config.slots.forEach((slot, i) => {
    const path = ['slots', i];
    requirePrompt([...path, 'prompt'], slot.prompt, []);
    if (slot.invalidPrompt !== undefined) requirePrompt([...path, 'invalidPrompt'], slot.invalidPrompt, []);
    if (slot.outOfRangePrompt !== undefined) {
      if (slot.type === 'date') requirePrompt([...path, 'outOfRangePrompt'], slot.outOfRangePrompt, []);
      else error([...path, 'outOfRangePrompt'], `outOfRangePrompt applies to date slots, not ${slot.type}; use invalidPrompt.`);
    }
    const hasLength = slot.type === 'digits' || slot.type === 'freeText';
    if (!hasLength && slot.minLength !== undefined) error([...path, 'minLength'], `minLength applies to digits and freeText slots, not ${slot.type}.`);
    if (!hasLength && slot.maxLength !== undefined) error([...path, 'maxLength'], `maxLength applies to digits and freeText slots, not ${slot.type}.`);
    if (slot.minLength !== undefined && slot.maxLength !== undefined && slot.minLength > slot.maxLength) {
      error([...path, 'minLength'], `minLength (${slot.minLength}) is greater than maxLength (${slot.maxLength}).`);
    }
    if (slot.type === 'freeText' && slot.input === 'dtmf') error([...path, 'input'], 'A freeText slot cannot be answered on the keypad; use speech.');
    if (slot.mask && slot.confirm) warn([...path, 'confirm'], `Slot "${slot.name}" is masked, so its value is never read back: confirm has no effect.`);
    if (slot.input === 'dtmf' && slot.type !== 'digits') warn([...path, 'input'], `Only a digits slot is keypad-only; "${slot.name}" (${slot.type}) is also answered by speech.`);
    if (!config.intents.some((intent) => intent.selfService?.slots.includes(slot.name) || intent.escalate?.slots.includes(slot.name))) {
      warn([...path, 'name'], `Slot "${slot.name}" is not used by any intent.`);
    }
  });

  // Actions.
  unique(config.actions, (a) => a.name, 'actions', 'Action name', (i) => ['actions', i, 'name']);
  config.actions.forEach((action, i) => {
    const path = ['actions', i];
    const outcomes = actionOutcomes[action.handler] as Record<string, readonly string[]>;
    for (const [outcome, key] of Object.entries(action.prompts as Record<string, string>)) {
      requirePrompt([...path, 'prompts', outcome], key, outcomes[outcome] ?? []);
    }
    const slotRef = (field: string, slotName: string | undefined): void => {
      if (slotName !== undefined && !slotsByName.has(slotName)) error([...path, field], unknown('Slot', slotName, slotsByName.keys(), 'slots'));
    };
    switch (action.handler) {
      case 'orderStatus':
        slotRef('orderNumberSlot', action.orderNumberSlot);
        for (const [status, key] of Object.entries(action.statusPrompts)) requirePrompt([...path, 'statusPrompts', status], key, []);
        if (action.maxLookups > 1 && action.prompts.notFoundTryAgain === undefined) {
          error([...path, 'maxLookups'], 'Asking for another order number needs `prompts.notFoundTryAgain`: what the caller hears before it is asked again.');
        }
        break;
      case 'accountBalance': {
        slotRef('accountNumberSlot', action.accountNumberSlot);
        slotRef('pinSlot', action.pinSlot);
        const pin = slotsByName.get(action.pinSlot);
        if (pin && (pin.type !== 'digits' || pin.input !== 'dtmf' || !pin.mask)) {
          error([...path, 'pinSlot'], `PIN slot "${pin.name}" must be type digits, input dtmf and mask true, so the PIN is typed, never spoken, and never stored.`);
        }
        break;
      }
    }
    if (action.timeoutInMs !== undefined && action.timeoutInMs <= assistant.actionFillerDelayInMs) {
      error([...path, 'timeoutInMs'], `timeoutInMs (${action.timeoutInMs}) must be above assistant.actionFillerDelayInMs (${assistant.actionFillerDelayInMs}).`);
    }
    if (!config.intents.some((intent) => intent.selfService?.action === action.name)) {
      warn([...path, 'name'], `Action "${action.name}" is not used by any intent.`);
    }
  });

  // Skills and queues.
  unique(config.skills, (s) => s.name, 'skills', 'Skill name', (i) => ['skills', i, 'name']);
  unique(config.queues, (q) => q.queueId, 'queues', 'Queue id', (i) => ['queues', i, 'queueId']);
  config.queues.forEach((queue, i) => {
    const path = ['queues', i];
    if (queue.businessHours !== undefined) requireSchedule([...path, 'businessHours'], queue.businessHours);
    requireSkills([...path, 'requiredSkills'], queue.requiredSkills);
    queue.relaxationSteps.forEach((step, s) => {
      const previous = queue.relaxationSteps[s - 1];
      if (previous && step.afterSeconds <= previous.afterSeconds) {
        error([...path, 'relaxationSteps', s, 'afterSeconds'], `Relaxation steps must be in increasing afterSeconds: ${step.afterSeconds} follows ${previous.afterSeconds}.`);
      }
    });
    if (queue.musicOnHoldUrl !== undefined && !new URL(queue.musicOnHoldUrl).pathname.toLowerCase().endsWith('.wav')) {
      warn(
        [...path, 'musicOnHoldUrl'],
        `Call Automation plays only WAV files (mono, 16-bit PCM, 16 kHz); if "${queue.musicOnHoldUrl}" is not one, callers hear the built-in hold tone instead.`,
      );
    }
    if (queue.relaxationSteps.length > 0 && queue.requiredSkills.length === 0) {
      warn([...path, 'relaxationSteps'], `Queue "${queue.queueId}" requires no skills, so its relaxation steps change nothing.`);
    }
    const rules = [
      ['maxWait', queue.overflow.maxWait?.action],
      ['maxQueueSize', queue.overflow.maxQueueSize?.action],
      ['whenNoAgentsLoggedIn', queue.overflow.whenNoAgentsLoggedIn?.action],
    ] as const;
    for (const [rule, action] of rules) {
      if (action === undefined) continue;
      const actionPath = [...path, 'overflow', rule, 'action'];
      checkOverflowAction(actionPath, action, queue.queueId);
    }
  });
  function checkOverflowAction(path: ConfigPath, action: OverflowAction, fromQueue: string): void {
    switch (action.kind) {
      case 'queue':
        if (action.queueId === fromQueue) error([...path, 'queueId'], `Queue "${fromQueue}" cannot overflow to itself.`);
        else requireQueue([...path, 'queueId'], action.queueId);
        break;
      case 'disconnect':
        requirePrompt([...path, 'message'], action.message, []);
        break;
      case 'voicemail':
      case 'callback':
        break;
    }
  }
  const loop = findOverflowLoop(config.queues);
  if (loop) {
    error(['queues', loop.index, 'overflow'], `Overflow sends callers round in a loop: ${loop.queueIds.join(' → ')}. A caller could bounce between these queues forever.`);
  }
  const reachable = new Set<string>();
  for (const n of config.numbers) if (n.entry.kind === 'queue') reachable.add(n.entry.queue);
  for (const intent of config.intents) if (intent.escalate) reachable.add(intent.escalate.queue);
  for (const q of config.queues) for (const a of overflowActions(q)) if (a.kind === 'queue') reachable.add(a.queueId);
  config.queues.forEach((queue, i) => {
    if (!reachable.has(queue.queueId)) warn(['queues', i, 'queueId'], `No number, intent or overflow sends callers to queue "${queue.queueId}".`);
  });

  // Every referenced prompt exists (in every language: the prompts check above made them agree).
  for (const ref of referencedPrompts) {
    const prompt = defaultPrompts[ref.key];
    if (prompt === undefined) {
      error(ref.path, unknown('Prompt', ref.key, Object.keys(defaultPrompts), `prompts.${config.defaultLanguage}`));
      continue;
    }
    if (ref.allowed !== undefined && standardPromptPlaceholders(ref.key) === undefined) {
      const extra = placeholdersOf(prompt).filter((p) => !ref.allowed?.includes(p));
      if (extra.length > 0) {
        error(ref.path, `Prompt "${ref.key}" uses ${formatPlaceholders(extra)}, which ${extra.length === 1 ? 'is' : 'are'} not filled in here${ref.allowed.length > 0 ? ` (available: ${formatPlaceholders(ref.allowed)})` : ''}.`);
      }
    }
  }
  return issues;
}

function slotsNeededBy(action: Action): string[] {
  switch (action.handler) {
    case 'orderStatus':
      return [action.orderNumberSlot];
    case 'accountBalance':
      return action.accountNumberSlot === undefined ? [action.pinSlot] : [action.accountNumberSlot, action.pinSlot];
  }
}

function overflowActions(queue: ParsedContactCenterConfig['queues'][number]): OverflowAction[] {
  const { maxWait, maxQueueSize, whenNoAgentsLoggedIn } = queue.overflow;
  return [maxWait?.action, maxQueueSize?.action, whenNoAgentsLoggedIn?.action].filter((a): a is OverflowAction => a !== undefined);
}

/** A cycle in the "overflows to queue" graph, starting at the earliest queue on it. */
function findOverflowLoop(queues: ParsedContactCenterConfig['queues']): { index: number; queueIds: string[] } | undefined {
  const edges = new Map(queues.map((q) => [q.queueId, overflowActions(q).flatMap((a) => (a.kind === 'queue' && a.queueId !== q.queueId ? [a.queueId] : []))]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const q of queues) {
    const cycle = visit(q.queueId);
    if (cycle) {
      const first = cycle[0] ?? q.queueId;
      return { index: queues.findIndex((x) => x.queueId === first), queueIds: cycle };
    }
  }
  return undefined;
}

function checkOverlaps(path: ConfigPath, ranges: readonly string[], error: (path: ConfigPath, message: string) => void): void {
  const spans = ranges
    .map((range, index) => ({ index, range, from: minutesOf(range.slice(0, 5)), to: minutesOf(range.slice(6)) }))
    .map((s) => ({ ...s, to: s.to <= s.from ? 24 * 60 : s.to }))
    .sort((a, b) => a.from - b.from);
  for (let i = 1; i < spans.length; i++) {
    const previous = spans[i - 1];
    const current = spans[i];
    if (previous && current && current.from < previous.to) {
      error([...path, current.index], `Opening range "${current.range}" overlaps "${previous.range}".`);
    }
  }
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function placeholdersOf(prompt: PromptText): string[] {
  const text = typeof prompt === 'string' ? prompt : prompt.ssml;
  return [...new Set([...text.matchAll(placeholderPattern)].map((m) => m[1] ?? ''))].sort();
}

function formatPlaceholders(names: readonly string[]): string {
  return names.length === 0 ? 'no placeholders' : names.map((n) => `{${n}}`).join(', ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function normalizeExample(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Whether the runtime's time-zone data knows this IANA name (Intl throws RangeError otherwise). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
