import { z } from 'zod';

/**
 * The contact-center configuration (config/contact-center.yaml) as one zod schema: the single source
 * of the TypeScript types and of config/contact-center.schema.json. Rules that span several fields
 * (references between sections, unique names, placeholders) live in check-contact-center-config.ts.
 *
 * No transforms except the keypad-key normalisation: the parsed config mirrors the file, so what ops
 * read in the YAML is what the code sees.
 */

export const contactCenterConfigVersion = 1;

const keypadKeys = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type KeypadKey = (typeof keypadKeys)[number];

/** Unquoted digits in YAML are numbers; accept them so ops need not quote `dtmfKey: 1`. */
const notAKeypadKey = 'Must be a keypad key: a digit 0-9, "*" or "#".';
export const keypadKeySchema = z
  .union([z.enum(keypadKeys), z.int().min(0, { error: notAKeypadKey }).max(9, { error: notAKeypadKey })], { error: notAKeypadKey })
  .transform((key) => String(key) as KeypadKey)
  .meta({ id: 'KeypadKey', description: 'A telephone keypad key: 0-9, "*" or "#" (quote * and # in YAML).' });

const name = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, { error: `A ${what} name uses lower-case letters, digits, "_" and "-", and starts with a letter.` })
    .max(64);

const identifier = (what: string) =>
  z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, { error: `A ${what} is a letter followed by letters, digits or "_" (e.g. askOrderNumber).` })
    .max(64);

export const languageCodeSchema = z
  .string()
  .regex(/^[a-z]{2,3}-[A-Z]{2}$/, { error: 'A language code looks like en-US or es-ES.' })
  .meta({ id: 'LanguageCode', description: 'BCP 47 language and region, as Azure Speech names locales (en-US, es-ES).' });

const promptKey = identifier('prompt key').meta({ description: 'The name of a prompt under `prompts.<language>`.' });
const queueRef = name('queue').meta({ description: 'The `queueId` of a queue in `queues`.' });
const skillRef = name('skill').meta({ description: 'The name of a skill in `skills`.' });
const seconds = (max: number) => z.int().min(0).max(max);
const positiveSeconds = (max: number) => z.int().min(1).max(max);
const text = z.string().trim().min(1, { error: 'Must not be empty.' });

// ── Numbers ─────────────────────────────────────────────────────────────────────────────────

export const e164Schema = z
  .string()
  .regex(/^\+[1-9][0-9]{6,14}$/, { error: 'A phone number is in E.164 form: "+" then country code and number, no spaces (e.g. "+12125550100").' })
  .meta({ description: 'E.164 phone number, quoted in YAML: "+12125550100".' });

export const numberEntrySchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('assistant').meta({ description: 'Callers talk to the virtual assistant first.' }) }),
      z.strictObject({
        kind: z.literal('queue').meta({ description: 'Callers go straight to a queue.' }),
        queue: queueRef,
        priority: z.int().min(0).max(100).default(0).meta({ description: 'Larger is answered first.' }),
      }),
    ],
    { error: 'The entry `kind` is "assistant" or "queue".' },
  )
  .meta({ id: 'NumberEntry' });

export const phoneNumberSchema = z
  .strictObject({
    number: e164Schema,
    name: text.max(100).meta({ description: 'What this line is, for people reading history and dashboards; agents are shown it with what the assistant learned.' }),
    language: languageCodeSchema
      .optional()
      .meta({ description: 'Language callers hear first; defaults to `defaultLanguage`.' }),
    languageMenu: z
      .boolean()
      .default(true)
      .meta({ description: 'Offer the language menu first when more than one language is configured.' }),
    businessHours: name('schedule')
      .optional()
      .meta({ description: 'Schedule checked on arrival: outside it the after-hours behaviour runs at once. Omit to let the assistant self-serve around the clock (queues still check their own hours).' }),
    entry: numberEntrySchema,
  })
  .meta({ id: 'PhoneNumber' });

// ── Languages ───────────────────────────────────────────────────────────────────────────────

const menuWordList = (description: string) => z.array(text.max(60)).min(1).max(30).meta({ description });

export const menuWordsSchema = z
  .strictObject({
    yes: menuWordList('Saying yes (confirmations, the callback offer).'),
    no: menuWordList('Saying no, or that there is nothing else.'),
    person: menuWordList('Asking for a person.'),
    callback: menuWordList('Asking to be called back.'),
    message: menuWordList('Asking to leave a message.'),
    wait: menuWordList('Choosing to stay in the queue.'),
    first: menuWordList('Picking the first of the two options the clarifying question names ("the first one"); counts at the start of a short answer (at most 3 more words); optional, as keys 1 and 2 also pick.'),
    second: menuWordList('Picking the second of the two options the clarifying question names ("the second one"); optional.'),
    repeat: menuWordList('Asking to hear the question again ("can you repeat that"), alone or with a polite word; optional, as * also asks.'),
    startOver: menuWordList('Going back to "How can I help you?" from a question about a value ("start over", "main menu"), alone or with a polite word; optional.'),
  })
  .partial()
  .meta({
    id: 'MenuWords',
    description: 'What callers say in this language to answer the assistant\'s menus; English and Spanish have them built in, any list given here replaces the built-in one.',
  });

export const languageSchema = z
  .strictObject({
    code: languageCodeSchema,
    voice: z
      .string()
      .regex(/^[a-z]{2,3}-[A-Z]{2}-[A-Za-z0-9]+$/, { error: 'A voice is an Azure neural voice name like en-US-JennyNeural.' })
      .meta({ description: 'Azure text-to-speech voice, e.g. en-US-JennyNeural.' }),
    displayName: text.max(40).meta({ description: 'The language as its speakers name it, spoken in the language menu ("Español").' }),
    dtmfKey: keypadKeySchema.meta({ description: 'Key that picks this language in the language menu.' }),
    agentSkill: skillRef
      .optional()
      .meta({ description: 'Skill every agent needs to take a call in this language; added to the escalation skills.' }),
    menuWords: menuWordsSchema.optional(),
  })
  .meta({ id: 'Language' });

// ── Business hours ──────────────────────────────────────────────────────────────────────────

const hourRangePattern = /^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

export const hourRangeSchema = z
  .string()
  .regex(hourRangePattern, { error: 'Opening hours are "HH:MM-HH:MM" in 24-hour local time, e.g. "08:00-20:00" (end may be "24:00").', abort: true })
  .refine((range) => range.slice(0, 5) !== range.slice(6), { error: 'An opening range must not start and end at the same time.' })
  .meta({
    id: 'HourRange',
    description: 'Local wall-clock "HH:MM-HH:MM". An end before the start runs past midnight into the next day ("22:00-02:00").',
  });

const dayHours = z.array(hourRangeSchema).default([]);

export const weekDays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type WeekDay = (typeof weekDays)[number];

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'A date is written YYYY-MM-DD, e.g. 2025-12-25.', abort: true })
  .refine(isCalendarDate, { error: 'This date does not exist in the calendar.' })
  .meta({ description: 'Calendar date YYYY-MM-DD in the schedule\'s time zone.' });

export const holidaySchema = z
  .strictObject({
    date: isoDateSchema,
    name: text.max(100),
    hours: z
      .array(hourRangeSchema)
      .default([])
      .meta({ description: 'Opening hours on this date instead of the weekly ones; omit or leave empty to close all day.' }),
  })
  .meta({ id: 'Holiday' });

export const afterHoursSchema = z
  .strictObject({
    prompt: promptKey.default('afterHours').meta({ description: 'Message played when closed.' }),
    holidayPrompt: promptKey
      .optional()
      .meta({ description: 'Said before `prompt` when the schedule is closed for one of its holidays (all day, or outside the day\'s shorter hours); {holiday} is the holiday\'s name, e.g. "We are closed today for {holiday}."' }),
    voicemail: z.boolean().default(false).meta({ description: 'Let the caller leave a voicemail.' }),
    callback: z
      .boolean()
      .default(false)
      .meta({ description: 'Offer to call the caller back when the schedule next opens (press 1); needs `callbackPrompt`. The callback waits in the queue the caller was headed for: the line\'s queue, the closed queue, or, on a line that runs the assistant, the operator intent\'s queue.' }),
    callbackPrompt: promptKey
      .optional()
      .meta({ description: 'The prompt that offers the callback: press 1 for a callback, and press 2 to leave a message when `voicemail` is on.' }),
    callbackConfirmedPrompt: promptKey
      .optional()
      .meta({ description: 'Said once that callback is booked; {opensAt} is when, in the schedule\'s time zone ("Friday, November 27 at 8:00 AM"). Default: callbackConfirmed.' }),
  })
  .meta({ id: 'AfterHours' });

export const businessHoursScheduleSchema = z
  .strictObject({
    timeZone: z.string().min(1).meta({ description: 'IANA time zone, e.g. America/New_York or Europe/London.' }),
    weekly: z
      .strictObject(Object.fromEntries(weekDays.map((day) => [day, dayHours])) as Record<WeekDay, typeof dayHours>)
      .meta({ description: 'Opening ranges per day; a day left out is closed.' }),
    holidays: z.array(holidaySchema).default([]),
    afterHours: afterHoursSchema.default({ prompt: 'afterHours', voicemail: false, callback: false }),
  })
  .meta({ id: 'BusinessHoursSchedule' });

// ── Prompts ─────────────────────────────────────────────────────────────────────────────────

export const promptSchema = z
  .union([text, z.strictObject({ ssml: text.meta({ description: 'A full <speak> document.' }) })], {
    error: 'A prompt is text, or { ssml: "<speak …>…</speak>" }.',
  })
  .meta({
    id: 'Prompt',
    description: 'Spoken text, or SSML under `ssml`. {name} placeholders are filled in when played.',
  });

/**
 * Prompts every language must have, with the placeholders the call flow fills in. Other keys may be
 * added (slot questions, action results, confirmations) and are referenced by name.
 */
export const standardPrompts = {
  greeting: { placeholders: [], description: 'First thing a caller hears.' },
  languageMenuOption: { placeholders: ['key'], description: 'One line of the language menu, spoken in its own language and voice.' },
  openQuestion: { placeholders: [], description: 'The open question, e.g. "How can I help you today?".' },
  keypadMenuOption: { placeholders: ['label', 'key'], description: 'One line of the keypad menu read after the open question\'s reprompt, built from each intent\'s label and dtmfKey.' },
  clarify: { placeholders: ['a', 'b'], description: 'Asked when unsure between two intents; {a} and {b} are intent labels.' },
  noInput: { placeholders: [], description: 'After silence, said before the question is asked again ("Sorry, I didn\'t hear anything.").' },
  noMatch: { placeholders: [], description: 'When the caller was not understood, said before the question is asked again.' },
  confirmSlot: { placeholders: ['value'], description: 'Read back a value before using it. {value} is a digits slot read one digit at a time in groups ("1 2 3 4, 5 6 7 8"), a date as words, anything else as heard.' },
  slotInvalid: { placeholders: [], description: 'A value was heard but is not valid (too short, not a date…).' },
  actionFiller: { placeholders: [], description: 'Played when a self-service lookup is slow.' },
  actionFailed: { placeholders: [], description: 'A self-service action failed or timed out. Say only what went wrong: a person takes over, and `transferring` (or, with the queue closed, its after-hours message) follows.' },
  anythingElse: { placeholders: [], description: 'After self-service: offer more help.' },
  transferring: { placeholders: [], description: 'Before the caller joins a queue, also after `actionFailed` or an action that locked the caller out.' },
  queueWelcome: { placeholders: [], description: 'Leads the first announcement in a queue, made when nobody is free to take the call ("All of our team members are busy…").' },
  queuePosition: { placeholders: ['position'], description: 'Periodic announcement of the caller\'s place.' },
  queueExpectedWait: { placeholders: ['minutes'], description: 'Periodic announcement of the expected wait.' },
  queueStillWaiting: { placeholders: [], description: 'Leads each later announcement of the caller\'s place in the queue.' },
  callbackOffer: { placeholders: [], description: 'Offer a callback instead of waiting (press 1).' },
  callbackConfirmed: { placeholders: [], description: 'The callback is booked.' },
  voicemailPrompt: { placeholders: [], description: 'Invites the caller to leave a message after the tone.' },
  voicemailSaved: { placeholders: [], description: 'The message was recorded.' },
  afterHours: { placeholders: [], description: 'Default closed message.' },
  noAgentsAvailable: { placeholders: [], description: 'Nowhere to route the call: nobody can take it now.' },
  technicalDifficulty: { placeholders: [], description: 'The caller\'s request for a person could not be sent (Service Bus unreachable); said before it is sent once more, the caller staying on the line.' },
  goodbye: { placeholders: [], description: 'Last thing a caller hears before the assistant hangs up.' },
} as const satisfies Record<string, { placeholders: readonly string[]; description: string }>;

/** Prompts the call flow says when a config has them, and goes on without otherwise. */
export const optionalStandardPrompts = {
  transferFailed: {
    placeholders: [],
    description: 'An agent\'s transfer to a phone number did not go through (busy, no answer, refused). Said to the caller and the agent, who talk on; if the agent has left, said before the caller is queued again (without it, `technicalDifficulty` is said there).',
  },
  voicemailUnavailable: {
    placeholders: [],
    description: 'A voicemail could not be recorded (Call Automation refused to start the recording). Said before `noAgentsAvailable`, after which the call ends.',
  },
} as const satisfies Record<string, { placeholders: readonly string[]; description: string }>;

export type StandardPromptKey = keyof typeof standardPrompts | keyof typeof optionalStandardPrompts;

/** The placeholders a standard prompt (required or optional) must use; undefined for a deployment's own prompts. */
export function standardPromptPlaceholders(key: string): readonly string[] | undefined {
  const all: Record<string, { placeholders: readonly string[] }> = { ...standardPrompts, ...optionalStandardPrompts };
  return Object.hasOwn(all, key) ? all[key]?.placeholders : undefined;
}

export const promptSetSchema = z
  .object({
    ...(Object.fromEntries(
      Object.entries(standardPrompts).map(([key, info]) => [key, promptSchema.meta({ description: info.description })]),
    ) as Record<keyof typeof standardPrompts, typeof promptSchema>),
    ...(Object.fromEntries(
      Object.entries(optionalStandardPrompts).map(([key, info]) => [key, promptSchema.optional().meta({ description: info.description })]),
    ) as Record<keyof typeof optionalStandardPrompts, z.ZodOptional<typeof promptSchema>>),
  })
  .catchall(promptSchema)
  .meta({ id: 'PromptSet', description: 'Every standard prompt, plus any prompts this deployment adds.' });

// ── Assistant ───────────────────────────────────────────────────────────────────────────────

const confidence = z.number().min(0).max(1);

export const assistantSettingsSchema = z
  .strictObject({
    acceptConfidence: confidence.default(0.7).meta({ description: 'Act on the top intent at or above this confidence.' }),
    clarifyConfidence: confidence
      .default(0.4)
      .meta({ description: 'From here up to acceptConfidence, ask the clarify question; below it, treat as no match.' }),
    maxClarifications: z
      .int()
      .min(0)
      .max(3)
      .default(1)
      .meta({ description: 'Clarifying questions ("Did you mean A, or B?") in a row before a person takes over; 0 treats an unsure answer as not understood.' }),
    maxNoInputRetries: z.int().min(0).max(5).default(2).meta({ description: 'Reprompts after silence before a person takes over.' }),
    maxNoMatchRetries: z.int().min(0).max(5).default(2).meta({ description: 'Rephrased prompts after no match before a person takes over.' }),
    initialSilenceTimeoutInSeconds: positiveSeconds(60).default(5),
    endSilenceTimeoutInSeconds: z.number().min(0.5).max(10).default(1).meta({ description: 'Silence that ends a spoken answer.' }),
    bargeIn: z.boolean().default(true).meta({ description: 'Callers may speak or press keys over a prompt.' }),
    actionFillerDelayInMs: z.int().min(0).max(10_000).default(1500).meta({ description: 'Play actionFiller when an action has not answered after this long.' }),
    actionTimeoutInMs: z.int().min(500).max(60_000).default(8000).meta({ description: 'Hard limit for an action; after it a person takes over. Actions may override.' }),
    callbackAttempts: z.int().min(1).max(10).default(3).meta({ description: 'Times a callback is dialled (the first try included) before it is given up: not answered, busy, declined or refused.' }),
    callbackRetryDelayInSeconds: z.int().min(30).max(86_400).default(300).meta({ description: 'Wait after a callback nobody answered before it joins its queue again to be dialled once more.' }),
    operator: z
      .strictObject({
        dtmfKey: keypadKeySchema.default('0'),
        intent: name('intent').meta({ description: 'The escalating intent that pressing this key means.' }),
      })
      .meta({ description: 'The key that always reaches a person.' }),
  })
  .meta({ id: 'AssistantSettings' });

// ── Slots, actions, intents ─────────────────────────────────────────────────────────────────

export const slotTypes = ['digits', 'date', 'yesNo', 'freeText'] as const;
export type SlotType = (typeof slotTypes)[number];

export const slotSchema = z
  .strictObject({
    name: identifier('slot name'),
    type: z.enum(slotTypes, { error: 'A slot type is one of digits, date, yesNo, freeText.' }),
    prompt: promptKey.meta({ description: 'Question that asks for the value.' }),
    invalidPrompt: promptKey.optional().meta({ description: 'Said before the slot is asked again when the value is not valid; defaults to slotInvalid.' }),
    outOfRangePrompt: promptKey
      .optional()
      .meta({ description: 'Date slots: said instead of invalidPrompt when the caller gave a date outside dateRange ("yesterday" for a booking), so "I didn\'t catch a date" and "that date has passed" can differ.' }),
    input: z
      .enum(['speechOrDtmf', 'dtmf', 'speech'], { error: 'Slot input is speechOrDtmf, dtmf or speech.' })
      .default('speechOrDtmf')
      .meta({
        description:
          'How the caller may answer. dtmf: a digits slot is typed on the keypad only (secrets such as a PIN; other types are not keypad-only). speech and speechOrDtmf: the caller speaks, and keys still work (a digits slot takes them as its value; elsewhere the operator key reaches a person).',
      }),
    minLength: z.int().min(1).max(64).optional().meta({ description: 'Fewest digits or characters (digits, freeText).' }),
    maxLength: z.int().min(1).max(256).optional().meta({ description: 'Most digits (digits; default 20) or characters (freeText; default 200: a longer answer is cut at a word, not refused).' }),
    mask: z.boolean().default(false).meta({ description: 'Never write the value to history or logs (a PIN).' }),
    confirm: z.boolean().default(false).meta({ description: 'Read the value back (confirmSlot) before using it; never for a masked slot, whose value is not said aloud.' }),
    dateRange: z
      .enum(['future', 'past', 'any'], { error: 'A date range is future, past or any.' })
      .default('any')
      .meta({ description: 'Date slots: which dates are valid ("next Friday" is read forward for future); read in the line\'s time zone.' }),
  })
  .meta({ id: 'Slot' });

const settingName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'A setting name is UPPER_SNAKE_CASE, e.g. ORDER_BACKEND_URL.' })
  .meta({ description: 'App setting holding the backend base URL.' });

const actionTimeout = z
  .int()
  .min(500)
  .max(60_000)
  .optional()
  .meta({ description: 'This action\'s hard limit, instead of assistant.actionTimeoutInMs; the filler still starts at assistant.actionFillerDelayInMs.' });

/** Outcomes each handler reports, with the placeholders it fills in; ops map each to a prompt. */
export const actionOutcomes = {
  orderStatus: {
    found: ['orderNumber', 'status', 'date'],
    notFound: ['orderNumber'],
    notFoundTryAgain: ['orderNumber'],
  },
  accountBalance: {
    balance: ['amount', 'dueDate'],
    pinIncorrect: [],
    locked: [],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type ActionHandler = keyof typeof actionOutcomes;

const outcomePrompts = <H extends ActionHandler>(handler: H) =>
  z
    .strictObject(
      Object.fromEntries(Object.keys(actionOutcomes[handler]).map((outcome) => [outcome, promptKey])) as Record<
        keyof (typeof actionOutcomes)[H],
        typeof promptKey
      >,
    )
    .meta({ description: 'Prompt key said for each outcome of the action.' });

export const actionSchema = z
  .discriminatedUnion(
    'handler',
    [
      z
        .strictObject({
          name: name('action'),
          handler: z.literal('orderStatus').meta({ description: 'Looks an order up in an HTTP backend.' }),
          backendUrlSetting: settingName,
          orderNumberSlot: identifier('slot name').meta({ description: 'Slot holding the order number.' }),
          maxLookups: z
            .int()
            .min(1)
            .max(5)
            .default(1)
            .meta({ description: 'Order numbers a caller may try: an unknown one is asked again (after the notFoundTryAgain prompt) until this many were looked up; the last goes to a person after notFound. 1: one lookup, then notFound and the anything-else question.' }),
          statusPrompts: z
            .record(text.max(60), promptKey)
            .default({})
            .meta({ description: 'The backend\'s order statuses ("shipped") and the prompt that says each in the caller\'s language ({status} in the found prompt); a status not listed is said as the backend wrote it.' }),
          timeoutInMs: actionTimeout,
          prompts: z
            .strictObject({
              found: promptKey,
              notFound: promptKey,
              notFoundTryAgain: promptKey.optional().meta({ description: 'Said before the order number is asked again; needed when maxLookups is over 1.' }),
            })
            .meta({ description: 'Prompt key said for each outcome of the action.' }),
        })
        .meta({ id: 'OrderStatusAction' }),
      z
        .strictObject({
          name: name('action'),
          handler: z.literal('accountBalance').meta({ description: 'Reads the balance of an account after a PIN check.' }),
          backendUrlSetting: settingName,
          accountNumberSlot: identifier('slot name')
            .optional()
            .meta({ description: 'Slot holding the account number; without it the caller\'s number identifies the account.' }),
          pinSlot: identifier('slot name').meta({ description: 'Slot holding the PIN; must be masked DTMF digits.' }),
          maxPinAttempts: z.int().min(1).max(5).default(3),
          timeoutInMs: actionTimeout,
          prompts: outcomePrompts('accountBalance'),
        })
        .meta({ id: 'AccountBalanceAction' }),
    ],
    { error: `An action's handler is one of: ${Object.keys(actionOutcomes).join(', ')}.` },
  )
  .meta({ id: 'Action', description: 'A self-service action; `handler` picks the code that runs it.' });

export const skillRequirementSchema = z
  .strictObject({
    skill: skillRef,
    minProficiency: z.int().min(1).max(5).meta({ description: 'Lowest proficiency (1 novice – 5 expert) an agent needs.' }),
  })
  .meta({ id: 'SkillRequirement' });

export const escalationSchema = z
  .strictObject({
    queue: queueRef,
    priority: z.int().min(0).max(100).default(0).meta({ description: 'Larger is answered first.' }),
    skills: z.array(skillRequirementSchema).default([]).meta({ description: 'Skills needed on top of the queue\'s own.' }),
    slots: z
      .array(identifier('slot name'))
      .default([])
      .meta({ description: 'Slots asked for, in order, before the caller is queued; the agent sees the answers (masked ones as asterisks).' }),
  })
  .meta({ id: 'Escalation' });

export const selfServiceSchema = z
  .strictObject({
    action: name('action'),
    slots: z.array(identifier('slot name')).default([]).meta({ description: 'Slots filled, in order, before the action runs.' }),
  })
  .meta({ id: 'SelfService' });

export const informSchema = z
  .strictObject({
    prompt: promptKey.optional().meta({ description: 'A fixed answer (the address, the website, how to pay), said to every caller who asks.' }),
    schedule: name('schedule')
      .optional()
      .meta({ description: 'Answer with this `businessHours` schedule, as it stands when the caller asks: openPrompt while it is open, closedPrompt while it is closed.' }),
    openPrompt: promptKey
      .optional()
      .meta({ description: 'Said while the schedule is open; {closesDay} ("today", "tomorrow", "Monday") and {closesTime} ("8 PM") say when it closes, {closesAt} both in one phrase ("today at 8 PM", "hoy a las 20:00"), {weeklyHours} its week ("Monday to Friday from 8 AM to 8 PM, and Saturday from 9 AM to 5 PM").' }),
    closedPrompt: promptKey
      .optional()
      .meta({ description: 'Said while the schedule is closed; {opensDay} and {opensTime} say when it opens again, {opensAt} both in one phrase ("Monday at 8 AM", "el lunes a las 8:00"), {weeklyHours} its week.' }),
  })
  .meta({
    id: 'Inform',
    description: 'The assistant answers the question itself, then asks whether there is anything else: either `prompt`, or `schedule` with `openPrompt` and `closedPrompt`.',
  });

export const intentSchema = z
  .strictObject({
    name: name('intent'),
    description: text.max(300),
    labels: z
      .record(languageCodeSchema, text.max(80))
      .meta({ description: 'Short spoken name per language, used in the clarify question and the keypad menu.' }),
    dtmfKey: keypadKeySchema.optional().meta({ description: 'Key for this intent in the keypad menu.' }),
    examples: z
      .record(languageCodeSchema, z.array(text.max(300)).min(1))
      .meta({ description: 'Example utterances per language that train the intent classifier; at least 15 in defaultLanguage.' }),
    selfService: selfServiceSchema.optional(),
    escalate: escalationSchema.optional(),
    inform: informSchema.optional(),
    confirmPrompt: promptKey
      .optional()
      .meta({ description: 'Yes/no question asked before acting on the intent (e.g. before cancelling service).' }),
  })
  .meta({ id: 'Intent', description: 'What a caller may want; exactly one of selfService, escalate or inform says what happens.' });

export const skillSchema = z
  .strictObject({ name: name('skill'), description: text.max(200) })
  .meta({ id: 'Skill' });

// ── Queues (the routing issue's QueueDefinition, plus where the caller waits) ──────────────

export const overflowActionSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({ kind: z.literal('queue'), queueId: queueRef }),
      z.strictObject({ kind: z.literal('voicemail') }),
      z.strictObject({ kind: z.literal('callback') }),
      z.strictObject({
        kind: z.literal('disconnect'),
        message: promptKey.meta({ description: 'Prompt key played before hanging up.' }),
      }),
    ],
    { error: 'An overflow action `kind` is queue, voicemail, callback or disconnect.' },
  )
  .meta({ id: 'OverflowAction' });

export const overflowRulesSchema = z
  .strictObject({
    maxWait: z
      .strictObject({ maxWaitInSeconds: positiveSeconds(86_400), action: overflowActionSchema })
      .optional()
      .meta({ description: 'When a caller has waited this long.' }),
    maxQueueSize: z
      .strictObject({ maxQueueSize: z.int().min(1).max(10_000), action: overflowActionSchema })
      .optional()
      .meta({ description: 'When this many callers are already waiting (callbacks not counted).' }),
    whenNoAgentsLoggedIn: z
      .strictObject({ action: overflowActionSchema })
      .optional()
      .meta({ description: 'When no agent of the queue is ready and signed in.' }),
  })
  .meta({ id: 'OverflowRules' });

export const queueSchema = z
  .strictObject({
    queueId: name('queue'),
    name: text.max(100),
    businessHours: name('schedule').optional().meta({ description: 'Schedule in `businessHours`; omit for always open.' }),
    agentSelection: z
      .enum(['longestIdle', 'mostSkilled', 'roundRobin'], { error: 'agentSelection is longestIdle, mostSkilled or roundRobin.' })
      .default('longestIdle'),
    requiredSkills: z.array(skillRequirementSchema).default([]),
    relaxationSteps: z
      .array(
        z.strictObject({
          afterSeconds: positiveSeconds(86_400),
          minProficiency: z
            .union([z.int().min(1).max(5), z.literal('anyAgentOfQueue')], { error: 'minProficiency is 1-5 or "anyAgentOfQueue".' })
            .meta({ description: 'Lower every required proficiency to this, or accept any agent of the queue.' }),
        }),
      )
      .default([])
      .meta({ description: 'Applied in order of afterSeconds as the caller waits; the last one reached wins.' }),
    ringTimeInSeconds: z
      .int()
      .min(5, { error: 'An agent needs at least 5 seconds to answer: ringTimeInSeconds is 5 to 120.' })
      .max(120)
      .default(20)
      .meta({ description: 'How long an offered agent\'s Teams client rings (5 to 120 s).' }),
    maxMissesBeforeNotReady: z.int().min(1).max(20).default(2),
    announcementIntervalInSeconds: seconds(3600).default(60).meta({ description: 'Position / wait announcements; 0 turns them off.' }),
    callbackOfferThresholdInSeconds: positiveSeconds(86_400)
      .nullable()
      .default(null)
      .meta({ description: 'Offer a callback once the expected wait exceeds this; null never offers.' }),
    musicOnHoldUrl: z
      .url({ protocol: /^https?$/, error: 'musicOnHoldUrl must be an http(s) URL of a WAV file.' })
      .optional()
      .meta({
        description:
          'A WAV file (mono, 16-bit PCM, 16 kHz) Call Automation can download, looped while callers wait. Without it, or when it cannot be played, callers hear the built-in hold tone the app serves.',
      }),
    callbackAttempts: z
      .int()
      .min(1)
      .max(10)
      .optional()
      .meta({ description: 'Times this queue\'s callbacks are dialled before they are given up; omit for `assistant.callbackAttempts`.' }),
    callbackRetryDelayInSeconds: z
      .int()
      .min(30)
      .max(86_400)
      .optional()
      .meta({ description: 'Wait before this queue\'s unanswered callbacks are dialled again; omit for `assistant.callbackRetryDelayInSeconds`.' }),
    wrapUpInSeconds: seconds(3600)
      .default(0)
      .meta({ description: 'After-call work: an agent whose call from this queue ended takes no new call for this long, unless they say they are ready sooner (POST /api/agents/{id}/state). 0 for none.' }),
    recordAgentCalls: z
      .boolean()
      .default(false)
      .meta({ description: 'Record this queue\'s calls from the moment an agent joins until the call ends (into RECORDINGS_CONTAINER_URL); say so to callers in a prompt.' }),
    dispositions: z
      .array(name('disposition'))
      .default([])
      .meta({ description: 'Codes an agent records for how a call from this queue ended (POST /api/agents/{id}/wrap-up). Empty: any code is accepted.' }),
    serviceLevelThresholdInSeconds: positiveSeconds(3600).default(20),
    defaultHandleTimeInSeconds: positiveSeconds(7200).default(300).meta({ description: 'Used for the expected wait until the queue has measured its own.' }),
    overflow: overflowRulesSchema.default({}),
  })
  .meta({ id: 'Queue' });

// ── Notices ─────────────────────────────────────────────────────────────────────────────────

const momentSchema = z.iso.datetime({ offset: true, error: 'A moment is written with its UTC offset, e.g. 2026-12-24T08:00:00-05:00.' });

export const noticeSchema = z
  .strictObject({
    prompt: promptKey.meta({ description: 'Said after the greeting while the notice runs: an outage being fixed, changed opening hours over the holidays.' }),
    from: momentSchema.meta({ description: 'When callers start to hear it, with its UTC offset.' }),
    until: momentSchema.meta({ description: 'When it stops (exclusive), with its UTC offset.' }),
    numbers: z.array(e164Schema).min(1).optional().meta({ description: 'The lines that play it (numbers[].number); every line when absent.' }),
  })
  .meta({ id: 'Notice' });

// ── The file ────────────────────────────────────────────────────────────────────────────────

export const contactCenterConfigSchema = z
  .strictObject({
    version: z.literal(contactCenterConfigVersion, { error: `version must be ${contactCenterConfigVersion}.` }),
    name: text.max(100).meta({ description: 'The organisation callers reach.' }),
    defaultLanguage: languageCodeSchema.meta({ description: 'One of `languages`; intents need 15+ examples in it.' }),
    numbers: z.array(phoneNumberSchema).min(1, { error: 'At least one phone number is needed.' }),
    languages: z.array(languageSchema).min(1, { error: 'At least one language is needed.' }),
    businessHours: z.record(name('schedule'), businessHoursScheduleSchema).default({}),
    prompts: z.record(languageCodeSchema, promptSetSchema),
    assistant: assistantSettingsSchema,
    intents: z.array(intentSchema).min(1, { error: 'At least one intent is needed.' }),
    outOfScopeExamples: z
      .record(languageCodeSchema, z.array(text.max(300)))
      .default({})
      .meta({ description: 'Things callers say that no intent covers; help the classifier say "out of scope".' }),
    slots: z.array(slotSchema).default([]),
    actions: z.array(actionSchema).default([]),
    skills: z.array(skillSchema).default([]),
    queues: z.array(queueSchema).min(1, { error: 'At least one queue is needed.' }),
    notices: z.array(noticeSchema).default([]).meta({ description: 'Announcements callers hear after the greeting for a while.' }),
  })
  .meta({ id: 'ContactCenterConfig', title: 'Switchboard contact-center configuration' });

function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

// ── Types ───────────────────────────────────────────────────────────────────────────────────

/** What the schema alone accepts; check-contact-center-config.ts turns it into ContactCenterConfig. */
export type ParsedContactCenterConfig = z.output<typeof contactCenterConfigSchema>;
export type ParsedIntent = z.output<typeof intentSchema>;
type ParsedConfig = ParsedContactCenterConfig;

export type PhoneNumber = z.output<typeof phoneNumberSchema>;
export type NumberEntry = z.output<typeof numberEntrySchema>;
export type Language = z.output<typeof languageSchema>;
export type BusinessHoursSchedule = z.output<typeof businessHoursScheduleSchema>;
export type Holiday = z.output<typeof holidaySchema>;
export type AfterHours = z.output<typeof afterHoursSchema>;
export type PromptText = z.output<typeof promptSchema>;
export type PromptSet = z.output<typeof promptSetSchema>;
export type AssistantSettings = z.output<typeof assistantSettingsSchema>;
export type Slot = z.output<typeof slotSchema>;
export type Action = z.output<typeof actionSchema>;
export type OrderStatusAction = Extract<Action, { handler: 'orderStatus' }>;
export type AccountBalanceAction = Extract<Action, { handler: 'accountBalance' }>;
export type SkillRequirement = z.output<typeof skillRequirementSchema>;
export type Escalation = z.output<typeof escalationSchema>;
export type SelfService = z.output<typeof selfServiceSchema>;
export type Inform = z.output<typeof informSchema>;
export type Skill = z.output<typeof skillSchema>;
export type OverflowAction = z.output<typeof overflowActionSchema>;
export type OverflowRules = z.output<typeof overflowRulesSchema>;
export type Queue = z.output<typeof queueSchema>;

/** An intent after the cross-field checks: exactly one of `selfService`, `escalate` or `inform` is set. */
export type Intent = Omit<ParsedIntent, 'selfService' | 'escalate' | 'inform'> &
  (
    | { selfService: SelfService; escalate?: undefined; inform?: undefined }
    | { escalate: Escalation; selfService?: undefined; inform?: undefined }
    | { inform: Inform; selfService?: undefined; escalate?: undefined }
  );

/** A configuration that passed the schema and every cross-field check. */
export type ContactCenterConfig = Omit<ParsedConfig, 'intents'> & { intents: Intent[] };
