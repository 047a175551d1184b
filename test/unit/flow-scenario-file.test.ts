import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseContactCenterConfig, type ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import type { Conversation } from '../../local/acs/simulated-caller.js';
import { checkFlowExpectations, observeCall } from '../../local/flow-test/check-flow-expectations.js';
import { loadFlowScenarioFiles } from '../../local/flow-test/load-flow-scenario-files.js';
import { parseFlowScenarios } from '../../local/flow-test/parse-flow-scenarios.js';

const configFile = fileURLToPath(new URL('../../config/contact-center.yaml', import.meta.url));
const parsedConfig = parseContactCenterConfig(readFileSync(configFile, 'utf8'), configFile);
if (!parsedConfig.ok) throw new Error('the sample config is invalid');
const config: ContactCenterConfig = parsedConfig.config;

function errorsOf(yaml: string): string[] {
  const result = parseFlowScenarios(yaml, 'f.yaml', config);
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`);
}

describe('a scenario file', () => {
  it('keeps keys, numbers and phone numbers as written, and fills in the defaults', () => {
    const result = parseFlowScenarios(
      `name: keys
steps:
  - press: 0123
  - say: "yes"
  - { say: maybe, confidence: 0.45, bargeIn: true }
  - silence
  - waitForPrompt: connecting
  - hangUp
expect: { intent: none, escalated: billing }
`,
      'f.yaml',
      config,
    );
    expect(result).toEqual({
      ok: true,
      scenarios: [
        {
          name: 'keys',
          file: 'f.yaml',
          line: 1,
          from: '+14255550123',
          to: '+12125550100',
          steps: [{ press: '0123' }, { say: 'yes' }, { say: 'maybe', confidence: 0.45, bargeIn: true }, { silence: true }, { waitForPrompt: 'connecting' }, { hangUp: true }],
          whenScriptEnds: 'hangUp',
          expect: { intent: null, escalated: { queue: 'billing' } },
        },
      ],
    });
    const listed = parseFlowScenarios('- name: a\n  to: +12125550123\n  steps: []\n  expect: {}\n- name: b\n  steps: []\n  expect: {}\n', 'f.yaml');
    expect(listed.ok && listed.scenarios.map((s) => [s.name, s.to, s.line])).toEqual([
      ['a', '+12125550123', 1],
      ['b', '+12125550100', 5],
    ]);
  });

  it('names the line, column and field of every mistake', () => {
    expect(
      errorsOf(`- name: one
  to: 12125550100
  steps:
    - press: 12a
    - hangup
    - { say: hi, confidence: 2 }
  expect:
    outcome: done
    heard: oops
    intnet: x
- steps: []
`),
    ).toEqual([
      '2:7 [0].to Must be an E.164 phone number such as +12125550100 (quote it or not).',
      '4:14 [0].steps[0].press Must be keypad keys: digits, * and #.',
      '5:7 [0].steps[1] Unknown step "hangup". A step is one of: say: TEXT, press: KEYS, silence, hangUp, waitForPrompt: TEXT.',
      '6:30 [0].steps[2].confidence Must be a number from 0 to 1.',
      '8:14 [0].expect.outcome Must be one of "completed", "callerHungUp", "escalated", "rejected", "afterHours".',
      '9:12 [0].expect.heard Expected a list, but found the text "oops".',
      '10:5 [0].expect.intnet Unknown field "intnet". Did you mean "intent"?',
      '11:3 [1].name Missing required field "name".',
      '11:3 [1].expect Missing required field "expect".',
    ]);
    expect(errorsOf('name: [unclosed\n')).toEqual([expect.stringMatching(/^2:1 {2}YAML syntax error/)]);
    expect(errorsOf('')).toEqual([expect.stringContaining('The file holds no scenario')]);
  });

  it('locates an alias with no anchor, and refuses aliases that expand without end (both used to throw)', () => {
    expect(errorsOf('name: a\nsteps: *script\nexpect: {}\n')).toEqual(['2:8  YAML syntax error: the alias *script names no anchor; set &script on a value before it.']);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`)].join('\n');
    expect(errorsOf(laughs)).toEqual(['1:1  YAML aliases expand to more than 100 copies; write the values out instead.']);
  });

  it('checks intents, queues, skills and actions against the config, with a hint', () => {
    expect(
      errorsOf(`name: typos
steps: []
expect:
  intent: order_stauts
  escalated: { queue: billng, skills: [technical-suport] }
  actions: [{ action: order-status, status: succeeded }, { action: balance, status: failed }]
`),
    ).toEqual([
      '4:11 expect.intent Intent "order_stauts" is not in the config\'s intents. Did you mean "order_status"?',
      '5:23 expect.escalated.queue Queue "billng" is not in the config\'s queues. Did you mean "billing"?',
      '5:40 expect.escalated.skills[0] Skill "technical-suport" is not in the config\'s skills. Did you mean "technical-support"?',
      '6:68 expect.actions[1].action Action "balance" is not in the config\'s actions.',
    ]);
    expect(errorsOf('- name: same\n  steps: []\n  expect: {}\n- name: same\n  steps: []\n  expect: {}\n')).toEqual([
      '4:9 [1].name Another scenario in this file is already named "same".',
    ]);
  });
});

describe('the shipped scenarios', () => {
  // `switchboard flow test` runs a scenario without its own `at` at the current time (or --at). One
  // that expects a calendar date ("I heard Friday, December 4", moveDate 2026-12-04) holds on one
  // day only, so it must fix its own day: else a user running the README's command fails it.
  const months = /\b(january|february|march|april|may|june|july|august|september|october|november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b/i;
  const isoDate = /\b\d{4}-\d{2}-\d{2}\b/;
  const { scenarios, errors } = loadFlowScenarioFiles([], { root: fileURLToPath(new URL('../..', import.meta.url)), config });

  it('load without errors', () => {
    expect(errors).toEqual([]);
    expect(scenarios.length).toBeGreaterThan(50);
  });

  it('set their own time wherever they expect a calendar date', () => {
    const expectsDate = (s: (typeof scenarios)[number]): boolean =>
      (s.expect.heard ?? []).some((h) => months.test(h) || isoDate.test(h)) ||
      Object.values(s.expect.escalated?.slots ?? {}).some((v) => isoDate.test(v) || months.test(v));
    const dated = scenarios.filter(expectsDate);
    expect(dated.length).toBeGreaterThan(3);
    expect(dated.filter((s) => s.at === undefined).map((s) => `${s.file}:${s.line} ${s.name}`)).toEqual([]);
  });
});

describe('checking a call against expectations', () => {
  const conversation = (prompts: string[]): Conversation =>
    ({
      simulatedCallId: 's',
      correlationId: 'c',
      state: 'ended',
      endReason: 'appHungUp',
      entries: prompts.map((text) => ({ at: '', kind: 'heard', via: 'play', text })),
    }) as unknown as Conversation;
  const observed = observeCall(conversation(['Hello there. How can I help?', 'Goodbye now.']), {
    state: { stage: 'ended', endReason: 'completed', intent: 'order_status' },
    history: [],
  });

  it('finds heard texts in order, within one prompt or across prompts, ignoring case and spacing', () => {
    expect(checkFlowExpectations({ heard: ['hello', 'how can  I', 'goodbye'] }, observed, undefined)).toEqual([]);
    expect(checkFlowExpectations({ heard: ['help', 'hello'] }, observed, undefined)).toEqual([
      'heard: expected "hello" after "help", but it was heard only earlier.',
    ]);
    expect(checkFlowExpectations({ heard: ['transfer'] }, observed, undefined)).toEqual(['heard: expected "transfer", but no prompt said it.']);
  });

  it('reads the outcome and looks for secrets as whole words only', () => {
    expect(observed.outcome).toBe('completed');
    expect(observed.hungUp).toBe('app');
    const stored = JSON.stringify({ id: 'a14321b', text: 'Caller: pressed ****', at: '12:43:21', callConnectionId: '0c1d2e3f-4321-4abc-8def-0123456789ab' });
    expect(checkFlowExpectations({ outcome: 'completed', intent: 'order_status', notInHistory: ['4321'] }, observed, stored)).toEqual([]);
    expect(checkFlowExpectations({ notInHistory: ['4321'] }, observed, JSON.stringify({ slots: { pin: '4321' } }))).toEqual([
      'notInHistory: "4321" appears in the stored call: …{"slots":{"pin":"4321"}}…',
    ]);
  });
});
