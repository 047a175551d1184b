import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ConfigIssue, ConfigPath } from '../../bot/assistant/config/check-contact-center-config.js';
import { closestName } from '../../bot/assistant/config/closest-name.js';
import { parseWithConfigIssues } from '../../bot/assistant/config/config-issues-from-zod.js';
import { locateYamlPath } from '../../bot/assistant/config/locate-yaml-path.js';
import { yamlDocumentData } from '../../bot/assistant/config/yaml-document-data.js';
import { formatConfigPath, type ConfigError, type ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import type { CallerStep, WhenScriptEnds } from '../acs/simulated-caller.js';

/** The main line of the sample config: it offers the language menu first. */
export const defaultCalledNumber = '+12125550100';
/** The caller of the sample backend's first account. */
export const defaultCallerNumber = '+14255550123';

export const outcomes = ['completed', 'callerHungUp', 'escalated', 'rejected', 'afterHours'] as const;
export type FlowOutcome = (typeof outcomes)[number];

export const intentVerdicts = ['accepted', 'clarify', 'noMatch', 'outOfScope', 'keypad', 'startOver'] as const;
export const callStages = [
  'answering', 'languageMenu', 'understanding', 'clarifying', 'collectingSlot', 'confirmingSlot',
  'runningAction', 'anythingElse', 'escalating', 'queued', 'ending', 'ended',
] as const;

/** What a scenario requires of the call; every field is optional and checked only when given. */
export interface FlowExpectations {
  /** Substrings of the prompts heard, found in this order (case and spacing ignored). */
  readonly heard?: readonly string[];
  /** Substrings no prompt may contain. */
  readonly notHeard?: readonly string[];
  /** The intent the call settled on; null: none was decided. */
  readonly intent?: string | null;
  /** The verdicts of the call's intent decisions, in order. */
  readonly intentVerdicts?: readonly (typeof intentVerdicts)[number][];
  readonly outcome?: FlowOutcome;
  /** Who hung up, as the caller's phone saw it: the caller, or the app (answered calls only). */
  readonly hungUp?: 'caller' | 'app';
  /** A RequestRouting command for this queue appears in history (with this priority and exactly these skills, when given). */
  readonly escalated?: {
    readonly queue: string;
    readonly priority?: number;
    readonly skills?: readonly { readonly skill: string; readonly minProficiency?: number }[];
    /** Slot values the agent's screen must show (the routing request's context). */
    readonly slots?: Readonly<Record<string, string>>;
  };
  readonly stage?: (typeof callStages)[number];
  /** The call state's endReason, exactly. */
  readonly endReason?: string;
  /** Self-service actions run and their results, in order. */
  readonly actions?: readonly { readonly action: string; readonly status: string }[];
  /** Texts that must not appear in the call's stored state and history (a PIN), as whole words. */
  readonly notInHistory?: readonly string[];
  /** Texts the stored call may hold only under `pii` keys (what the caller said, their number, balances read back). */
  readonly onlyUnderPii?: readonly string[];
}

export interface FlowScenario {
  readonly name: string;
  readonly description?: string;
  readonly file: string;
  readonly line: number;
  readonly from: string;
  readonly to: string;
  /** When the call is placed (ISO 8601 with offset): the app's clock is set to it for the call. */
  readonly at?: string;
  readonly steps: readonly CallerStep[];
  readonly whenScriptEnds: WhenScriptEnds;
  readonly expect: FlowExpectations;
}

export type ParseFlowScenariosResult =
  | { readonly ok: true; readonly scenarios: readonly FlowScenario[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

// The file is read with YAML's failsafe schema: every scalar is text, so `press: 0123` keeps its
// leading zero and `to: +12125550100` its plus sign. Numbers and booleans are converted here.
const text = z.string().min(1);
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, { error: 'Must be an E.164 phone number such as +12125550100 (quote it or not).' });
const keys = z.string().regex(/^[0-9*#]+$/, { error: 'Must be keypad keys: digits, * and #.' });
const boolText = z.enum(['true', 'false'], { error: 'Must be true or false.' }).transform((v) => v === 'true');
const confidenceText = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, { error: 'Must be a number from 0 to 1.' })
  .transform(Number);
const wholeNumberText = z.string().regex(/^\d+$/, { error: 'Must be a whole number.' }).transform(Number);

const stepKinds = ['say', 'press', 'silence', 'hangUp', 'waitForPrompt'] as const;
const stepSchemas = {
  say: z.strictObject({ say: text, confidence: confidenceText.optional(), bargeIn: boolText.optional() }),
  press: z.strictObject({ press: keys, bargeIn: boolText.optional() }),
  silence: z.strictObject({ silence: z.literal('true', { error: 'Write the step as just "silence".' }).transform(() => true as const) }),
  hangUp: z.strictObject({ hangUp: z.literal('true', { error: 'Write the step as just "hangUp".' }).transform(() => true as const) }),
  waitForPrompt: z.strictObject({ waitForPrompt: text }),
};
const stepHint = 'A step is one of: say: TEXT, press: KEYS, silence, hangUp, waitForPrompt: TEXT.';

/** Picks the step's form by the key it has, so a mistake is reported against that form. */
const callerStep = z.unknown().transform((value, ctx): CallerStep => {
  const shape = value === 'silence' || value === 'hangUp' ? { [value]: 'true' } : value;
  const kind = shape !== null && typeof shape === 'object' && !Array.isArray(shape) ? stepKinds.find((k) => k in shape) : undefined;
  if (kind === undefined) {
    ctx.addIssue({ code: 'custom', message: typeof value === 'string' ? `Unknown step "${value}". ${stepHint}` : stepHint, input: value });
    return z.NEVER;
  }
  const parsed = parseWithConfigIssues(stepSchemas[kind], shape);
  if (!parsed.success) {
    for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message, input: value });
    return z.NEVER;
  }
  return parsed.data as CallerStep;
});

const skillSchema = z.union([
  z.string().min(1).transform((skill) => ({ skill })),
  z.strictObject({ skill: text, minProficiency: wholeNumberText.optional() }),
]);

const escalatedSchema = z.union([
  z.string().min(1).transform((queue) => ({ queue })),
  z.strictObject({ queue: text, priority: wholeNumberText.optional(), skills: z.array(skillSchema).optional(), slots: z.record(z.string(), z.coerce.string()).optional() }),
]);

const expectationsSchema = z.strictObject({
  heard: z.array(text).optional(),
  notHeard: z.array(text).optional(),
  intent: text.transform((v) => (v === 'none' ? null : v)).optional(),
  intentVerdicts: z.array(z.enum(intentVerdicts)).optional(),
  outcome: z.enum(outcomes).optional(),
  hungUp: z.enum(['caller', 'app']).optional(),
  escalated: escalatedSchema.optional(),
  stage: z.enum(callStages).optional(),
  endReason: text.optional(),
  actions: z.array(z.strictObject({ action: text, status: z.enum(['succeeded', 'notFound', 'retry', 'failed', 'timedOut']) })).optional(),
  notInHistory: z.array(text).optional(),
  onlyUnderPii: z.array(text).optional(),
});

const scenarioSchema = z.strictObject({
  name: text,
  description: z.string().optional(),
  /** The caller's number, or `anonymous` for one who withheld it. */
  from: z.union([e164, z.literal('anonymous')], { error: 'Must be an E.164 phone number such as +14255550123, or anonymous.' }).optional(),
  to: e164.optional(),
  at: z.iso.datetime({ offset: true, error: 'Must be a moment with its UTC offset, such as 2026-11-26T22:30:00-05:00.' }).optional(),
  steps: z.array(callerStep),
  whenScriptEnds: z.enum(['hangUp', 'silence', 'wait']).optional(),
  expect: expectationsSchema,
});

type ParsedScenario = z.output<typeof scenarioSchema>;

/**
 * Parses a scenario file: one scenario (a mapping) or a list of them. Pure: the caller reads the
 * file. With `config`, names of intents, queues, skills and actions are checked against it too.
 * Errors name the file, line, column and field, like `switchboard config validate`.
 */
export function parseFlowScenarios(source: string, file: string, config?: ContactCenterConfig): ParseFlowScenariosResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, schema: 'failsafe', prettyErrors: false, uniqueKeys: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const position = lineCounter.linePos(syntax.pos[0]);
    return { ok: false, errors: [{ file, line: position.line, column: position.col, path: '', message: `YAML syntax error: ${syntax.message.trim()}` }] };
  }
  const read = yamlDocumentData(doc, lineCounter, 100);
  if ('problem' in read) return { ok: false, errors: [{ file, path: '', ...read.problem }] };
  const { data } = read;
  const locate = (issue: Pick<ConfigIssue, 'path' | 'message' | 'at'>): ConfigError => ({
    file,
    ...locateYamlPath(doc, lineCounter, issue.path, issue.at),
    path: formatConfigPath(issue.path),
    message: issue.message,
  });
  if (data === null || data === undefined || (Array.isArray(data) && data.length === 0)) {
    return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: 'The file holds no scenario: write one scenario (name, steps, expect) or a list of them.' }] };
  }
  const listed = Array.isArray(data);
  const parsed = parseWithConfigIssues(listed ? z.array(scenarioSchema) : scenarioSchema, data);
  if (!parsed.success) return { ok: false, errors: sortByPosition(parsed.issues.map(locate)) };
  const items: ParsedScenario[] = listed ? (parsed.data as ParsedScenario[]) : [parsed.data as ParsedScenario];
  const issues: { path: ConfigPath; message: string }[] = [];
  const names = new Set<string>();
  items.forEach((scenario, index) => {
    const base: ConfigPath = listed ? [index] : [];
    if (names.has(scenario.name)) issues.push({ path: [...base, 'name'], message: `Another scenario in this file is already named "${scenario.name}".` });
    names.add(scenario.name);
    if (config) issues.push(...checkAgainstConfig(scenario, base, config));
  });
  if (issues.length > 0) return { ok: false, errors: sortByPosition(issues.map(locate)) };
  return {
    ok: true,
    scenarios: items.map((scenario, index) => ({
      name: scenario.name,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      file,
      line: locateYamlPath(doc, lineCounter, listed ? [index, 'name'] : ['name']).line,
      from: scenario.from ?? defaultCallerNumber,
      to: scenario.to ?? defaultCalledNumber,
      ...(scenario.at !== undefined ? { at: scenario.at } : {}),
      steps: scenario.steps,
      whenScriptEnds: scenario.whenScriptEnds ?? 'hangUp',
      expect: withoutUndefined(scenario.expect) as FlowExpectations,
    })),
  };
}

/** Names a scenario expects must exist in the config it runs against; a typo would only ever fail. */
function checkAgainstConfig(scenario: ParsedScenario, base: ConfigPath, config: ContactCenterConfig): { path: ConfigPath; message: string }[] {
  const issues: { path: ConfigPath; message: string }[] = [];
  const known = (path: ConfigPath, what: string, name: string, names: readonly string[], where: string) => {
    if (names.includes(name)) return;
    const hint = closestName(name, names);
    issues.push({ path: [...base, 'expect', ...path], message: `${what} "${name}" is not in the config's ${where}.${hint ? ` Did you mean "${hint}"?` : ''}` });
  };
  const { expect } = scenario;
  if (expect.intent) known(['intent'], 'Intent', expect.intent, config.intents.map((i) => i.name), 'intents');
  if (expect.escalated) {
    // A queue written as `escalated: billing` is located at `escalated` by the nearest existing key.
    known(['escalated', 'queue'], 'Queue', expect.escalated.queue, config.queues.map((q) => q.queueId), 'queues');
    const skills = 'skills' in expect.escalated ? (expect.escalated.skills ?? []) : [];
    skills.forEach((s, i) => known(['escalated', 'skills', i], 'Skill', s.skill, config.skills.map((k) => k.name), 'skills'));
  }
  (expect.actions ?? []).forEach((a, i) => known(['actions', i, 'action'], 'Action', a.action, config.actions.map((x) => x.name), 'actions'));
  return issues;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function sortByPosition(errors: ConfigError[]): ConfigError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}
