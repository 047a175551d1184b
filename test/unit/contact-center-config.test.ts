import { readFileSync } from 'node:fs';
import { isOpen } from '../../bot/assistant/business-hours.js';
import { assistantFlowFromConfig } from '../../bot/assistant/assistant-flow-from-config.js';
import { wordsOf } from '../../bot/call-flow/join-prompts.js';
import { join } from 'node:path';
import {
  formatConfigPath,
  minExamplesPerIntent,
  parseContactCenterConfig,
  renderPrompt,
  standardPrompts,
  type ConfigError,
  type ContactCenterConfig,
} from '../../bot/assistant/contact-center-config.js';
import type { QueueDefinition } from '../../bot/routing/routing-types.js';

const root = join(import.meta.dirname, '..', '..');
const sampleFile = 'config/contact-center.yaml';
const sample = readFileSync(join(root, sampleFile), 'utf8');
const minimal = readFileSync(join(root, 'test/fixtures/config/minimal.yaml'), 'utf8');

function valid(text: string, file = 'test.yaml'): ContactCenterConfig {
  const result = parseContactCenterConfig(text, file);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`).join('\n'));
  return result.config;
}

function errorsOf(text: string): ConfigError[] {
  const result = parseContactCenterConfig(text, 'test.yaml');
  if (result.ok) throw new Error('expected the config to be rejected');
  return [...result.errors];
}

/** Replace `from` (which must occur exactly once) and return the text with the 1-based line it starts on. */
function edit(text: string, from: string, to: string): { text: string; line: number } {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return { text: text.slice(0, at) + to + text.slice(at + from.length), line: text.slice(0, at).split('\n').length };
}

describe('the sample config (config/contact-center.yaml)', () => {
  const config = valid(sample, sampleFile);

  it('is valid, with no warnings', () => {
    const result = parseContactCenterConfig(sample, sampleFile);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('describes the broadband company the issue asks for', () => {
    expect(config.name).toBe('Contoso Broadband');
    expect(config.intents.length).toBeGreaterThanOrEqual(10);
    expect(config.intents.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        'billing_question',
        'make_payment',
        'outage_report',
        'tech_support',
        'new_service',
        'moving_house',
        'cancel_service',
        'order_status',
        'account_balance',
        'speak_to_agent',
      ]),
    );
    for (const intent of config.intents) {
      expect((intent.examples['en-US'] ?? []).length).toBeGreaterThanOrEqual(minExamplesPerIntent);
      expect((intent.examples['es-ES'] ?? []).length).toBeGreaterThan(0);
    }
    expect(config.languages.map((l) => l.code)).toEqual(['en-US', 'es-ES']);
    expect(config.queues.map((q) => q.queueId)).toEqual(['billing', 'tech-support', 'sales', 'retention']);
  });

  it('ships the two self-service actions behind the intents that use them', () => {
    const orderStatus = config.intents.find((i) => i.name === 'order_status');
    const balance = config.intents.find((i) => i.name === 'account_balance');
    expect(orderStatus?.selfService).toEqual({ action: 'order-status', slots: ['orderNumber'] });
    expect(balance?.selfService).toEqual({ action: 'account-balance', slots: ['accountNumber', 'pin'] });
    expect(config.slots.find((s) => s.name === 'pin')).toMatchObject({ type: 'digits', input: 'dtmf', mask: true });
    expect(config.actions.map((a) => a.handler).sort()).toEqual(['accountBalance', 'orderStatus']);
  });

  it('normalises unquoted keypad keys to strings and fills defaults', () => {
    expect(config.languages.map((l) => l.dtmfKey)).toEqual(['1', '2']);
    expect(config.assistant.operator).toEqual({ dtmfKey: '0', intent: 'speak_to_agent' });
    expect(config.numbers[0]).toMatchObject({ languageMenu: true, entry: { kind: 'assistant' } });
    expect(config.numbers[0]?.language).toBeUndefined();
    expect(config.numbers[2]?.entry).toEqual({ kind: 'queue', queue: 'sales', priority: 1 });
    expect(config.businessHours['customer-care']?.weekly.sunday).toEqual([]);
  });

  it('configures queues as the routing decider\'s QueueDefinition (checked by the type checker)', () => {
    const definitions: QueueDefinition[] = config.queues;
    expect(definitions.find((q) => q.queueId === 'retention')?.overflow.maxWait).toEqual({ maxWaitInSeconds: 900, action: { kind: 'queue', queueId: 'billing' } });
  });

  it('resolves YAML anchors, so a holiday list is written once and shared', () => {
    expect(config.businessHours['sales']?.holidays).toEqual(config.businessHours['customer-care']?.holidays);
  });

  it('points editors at the published JSON Schema', () => {
    expect(sample.split('\n')[0]).toBe('# yaml-language-server: $schema=./contact-center.schema.json');
  });
});

describe('parseContactCenterConfig', () => {
  it('accepts the minimal config and fills every default', () => {
    const config = valid(minimal);
    expect(config.assistant).toEqual({
      acceptConfidence: 0.7,
      clarifyConfidence: 0.4,
      maxClarifications: 1,
      maxNoInputRetries: 2,
      maxNoMatchRetries: 2,
      initialSilenceTimeoutInSeconds: 5,
      endSilenceTimeoutInSeconds: 1,
      bargeIn: true,
      actionFillerDelayInMs: 1500,
      actionTimeoutInMs: 8000,
      callbackAttempts: 3,
      callbackRetryDelayInSeconds: 300,
      operator: { dtmfKey: '0', intent: 'agent' },
    });
    expect(config.queues[0]).toMatchObject({
      agentSelection: 'longestIdle',
      relaxationSteps: [],
      ringTimeInSeconds: 20,
      callbackOfferThresholdInSeconds: null,
      overflow: {},
    });
    expect(config.businessHours['office']?.afterHours).toEqual({ prompt: 'afterHours', voicemail: false, callback: false });
    expect(config.slots).toEqual([]);
    expect(config.outOfScopeExamples).toEqual({});
  });

  it('names the line and column of a wrong value', () => {
    const { text, line } = edit(minimal, '    musicOnHoldUrl: https://media.example/hold.wav', '    musicOnHoldUrl: https://media.example/hold.wav\n    agentSelection: fastest');
    expect(errorsOf(text)).toEqual([
      { file: 'test.yaml', line: line + 1, column: 21, path: 'queues[0].agentSelection', message: 'agentSelection is longestIdle, mostSkilled or roundRobin.' },
    ]);
  });

  it('reports every schema error at once, in file order', () => {
    let text = edit(minimal, 'dtmfKey: 1 }', 'dtmfKey: 10 }').text;
    text = edit(text, '    escalate: { queue: billing }', '    escalate: { queue: billing, priority: high }').text;
    const errors = errorsOf(text);
    expect(errors.map((e) => e.path)).toEqual(['languages[0].dtmfKey', 'intents[0].escalate.priority']);
    expect(errors[0]?.message).toBe('Must be a keypad key: a digit 0-9, "*" or "#".');
    expect(errors[1]?.message).toBe('Expected a number, but found the text "high".');
  });

  it('says which required fields are missing at the top level', () => {
    const errors = errorsOf('version: 1\nname: Empty\n');
    expect(errors.map((e) => e.message)).toEqual(
      ['defaultLanguage', 'numbers', 'languages', 'prompts', 'assistant', 'intents', 'queues'].map((f) => `Missing required field "${f}".`),
    );
    expect(errors.every((e) => e.line === 1 && e.column === 1)).toBe(true);
  });

  it('suggests the field meant by an unknown one, on the line of that key', () => {
    const { text, line } = edit(minimal, '  operator: { intent: agent }', '  operator: { intent: agent }\n  maxNoInputRetrys: 3');
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ line: line + 1, column: 3, path: 'assistant.maxNoInputRetrys', message: 'Unknown field "maxNoInputRetrys". Did you mean "maxNoInputRetries"?' }),
    ]);
  });

  it('suggests the right field inside the matching branch of a union', () => {
    const { text } = edit(
      sample,
      '    orderNumberSlot: orderNumber\n',
      '    orderNumberSlot: orderNumber\n    pinSlott: pin\n',
    );
    expect(errorsOf(text)).toEqual([expect.objectContaining({ path: 'actions[0].pinSlott', message: 'Unknown field "pinSlott" (allowed here: name, handler, backendUrlSetting, orderNumberSlot, maxLookups, statusPrompts, timeoutInMs, prompts).' })]);
  });

  it('reports a YAML syntax error with its position and stops there', () => {
    const { text, line } = edit(minimal, 'name: Minimal Telecom', 'name: [Minimal Telecom');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '', message: expect.stringMatching(/^YAML syntax error: /) });
    expect(errors[0]?.line).toBeGreaterThanOrEqual(line);
  });

  it('rejects a duplicate key as a syntax error on the second key', () => {
    const { text, line } = edit(minimal, 'name: Minimal Telecom', 'name: Minimal Telecom\nname: Other');
    expect(errorsOf(text)).toEqual([expect.objectContaining({ line: line + 1, column: 1, message: 'YAML syntax error: Map keys must be unique.' })]);
  });

  it('locates an alias whose anchor is not set (it used to throw a ReferenceError)', () => {
    const { text, line } = edit(minimal, 'name: Minimal Telecom', 'name: *companyName');
    expect(errorsOf(text)).toEqual([
      expect.objectContaining({ line, column: 7, message: 'YAML syntax error: the alias *companyName names no anchor; set &companyName on a value before it.' }),
    ]);
  });

  it('refuses aliases that expand without end (a file built to exhaust memory) with a sentence, not a crash', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`)].join('\n');
    expect(errorsOf(laughs)).toEqual([{ file: 'test.yaml', line: 1, column: 1, path: '', message: 'YAML aliases expand to more than 1000 copies; write the values out instead.' }]);
  });

  it('rejects an empty file with a sentence, not a type error', () => {
    expect(errorsOf('# nothing here\n')).toEqual([{ file: 'test.yaml', line: 1, column: 1, path: '', message: 'The file is empty; it must describe the contact center.' }]);
  });

  describe('cross-field checks on the sample', () => {
    const cases: Array<[string, string, string, string, RegExp]> = [
      ['an escalation to an unknown queue', '      queue: retention\n      priority: 1', '      queue: complaints\n      priority: 1', 'intents[11].escalate.queue', /^Queue "complaints" is not defined in queues \(defined: billing, tech-support, sales, retention\)\.$/],
      ['an unknown action', '      action: order-status', '      action: order-tracking', 'intents[3].selfService.action', /^Action "order-tracking" is not defined in actions \(defined: order-status, account-balance\)\.$/],
      ['an unknown slot', '      slots: [orderNumber]', '      slots: [orderNumber, postcode]', 'intents[3].selfService.slots[1]', /^Slot "postcode" is not defined/],
      ['an action whose slot the intent does not ask for', '      slots: [accountNumber, pin]', '      slots: [accountNumber]', 'intents[2].selfService.slots', /needs slot "pin"/],
      ['a duplicate intent name', '  - name: upgrade_plan', '  - name: new_service', 'intents[8].name', /^Intent name "new_service" is already used by intents\[7\]/],
      ['a duplicate language menu key', '    dtmfKey: 2\n    agentSkill: spanish', '    dtmfKey: 1\n    agentSkill: spanish', 'languages[1].dtmfKey', /Language menu key "1" is already used by languages\[0\]/],
      ['an example that trains two intents', '        - I want to speak to a person', '        - I want to pay my bill', 'intents[13].examples.en-US[0]', /also trains intent "make_payment"/],
      ['a clarify band above the accept threshold', '  clarifyConfidence: 0.4', '  clarifyConfidence: 0.8', 'assistant.clarifyConfidence', /must not be above acceptConfidence \(0\.7\)/],
      ['a filler that would come after the timeout', '  actionTimeoutInMs: 8000', '  actionTimeoutInMs: 1000', 'assistant.actionFillerDelayInMs', /filler must start before the action times out/],
      ['a PIN slot that could be spoken', '    pinSlot: pin', '    pinSlot: accountNumber', 'actions[1].pinSlot', /must be type digits, input dtmf and mask true/],
      ['a translation with different placeholders', 'El pedido {orderNumber} está {status}. La última actualización es del {date}.', 'El pedido {orderNumber} está {status}.', 'prompts.es-ES.orderStatusFound', /translations must fill in the same values/],
      ['an action prompt with placeholders the handler lacks', '{ balance: balanceResult,', '{ balance: orderStatusFound,', 'actions[1].prompts.balance', /uses \{date\}, \{orderNumber\}, \{status\}, which are not filled in here \(available: \{amount\}, \{dueDate\}\)/],
      ['a number in a language that is not configured', '    language: es-ES\n    languageMenu: false', '    language: fr-FR\n    languageMenu: false', 'numbers[1].language', /^Language "fr-FR" is not defined in languages/],
      ['a queue overflowing to itself', 'action: { kind: queue, queueId: billing } }\n      whenNoAgentsLoggedIn', 'action: { kind: queue, queueId: retention } }\n      whenNoAgentsLoggedIn', 'queues[3].overflow.maxWait.action.queueId', /cannot overflow to itself/],
      ['relaxation steps out of order', '      - { afterSeconds: 240, minProficiency: anyAgentOfQueue }', '      - { afterSeconds: 60, minProficiency: anyAgentOfQueue }', 'queues[1].relaxationSteps[1].afterSeconds', /increasing afterSeconds: 60 follows 90/],
      ['a schedule that does not exist', '    businessHours: sales\n    entry', '    businessHours: weekend\n    entry', 'numbers[2].businessHours', /^Business-hours schedule "weekend" is not defined/],
      ['an intent without a Spanish label', 'labels: { en-US: making a complaint, es-ES: presentar una reclamación }', 'labels: { en-US: making a complaint }', 'intents[11].labels', /has no es-ES label/],
      ['malformed SSML', '        <speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">\n', '', 'prompts.en-US.askPin.ssml', /SSML must be one <speak/],
      ['SSML with an unclosed element', 'followed by the pound key.<break time="300ms"/>', 'followed by the pound key.<break time="300ms">', 'prompts.en-US.askPin.ssml', /SSML is not well-formed XML: Expected closing tag 'break'/],
      ['SSML with a bare ampersand', 'For your security, please enter', 'For safety & security, please enter', 'prompts.en-US.askPin.ssml', /SSML is not well-formed XML: char '&' is not expected/],
      ['min above max length', '    minLength: 8\n    maxLength: 10', '    minLength: 12\n    maxLength: 10', 'slots[0].minLength', /minLength \(12\) is greater than maxLength \(10\)/],
    ];

    it.each(cases)('rejects %s, naming the field and its line', (_what, from, to, path, message) => {
      const { text, line } = edit(sample, from, to);
      const errors = errorsOf(text);
      expect(errors).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
      const error = errors[0];
      // The reported line is the edited line or (for a list or map) the key that introduces it.
      expect(error && Math.abs(error.line - line)).toBeLessThanOrEqual(3);
    });
  });

  it('warns about things that are legal but probably unintended', () => {
    const { text } = edit(minimal, 'queues:\n', 'queues:\n  - { queueId: unused, name: Unused, musicOnHoldUrl: "https://media.example/hold.wav" }\n');
    const result = parseContactCenterConfig(text, 'test.yaml');
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([expect.objectContaining({ path: 'queues[0].queueId', message: 'No number, intent or overflow sends callers to queue "unused".' })]);
  });
});

describe("the call flow's prompts from the sample config", () => {
  const config = valid(sample, sampleFile);
  const flow = assistantFlowFromConfig(config, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));

  it("reads each language menu line in that language's voice, and listens in the call's language", () => {
    const menu = flow.prompt('en-US', 'languageMenu');
    expect(menu).toMatchObject({ ssml: true, language: 'en-US' });
    for (const language of config.languages) expect(menu.text).toContain(`<voice name="${language.voice}">`);
    expect(wordsOf(menu)).toBe('For English, press 1. Para español, pulse 2.');
  });
});

describe('recording agent calls', () => {
  it("is each queue's own choice, off unless the config turns it on", () => {
    const flow = assistantFlowFromConfig(valid(sample, sampleFile), () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));
    expect(flow.recordsAgentCalls('billing')).toBe(true);
    const off = valid(sample.replaceAll('    recordAgentCalls: true\n', ''), sampleFile);
    expect(assistantFlowFromConfig(off, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true })).recordsAgentCalls('billing')).toBe(false);
  });
});

describe('callbacks nobody answers', () => {
  it("are dialled as often as their queue says, or else as the assistant's defaults say", () => {
    const config = valid(sample, sampleFile);
    const flow = assistantFlowFromConfig(config, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));
    expect(flow.callbackRetries('sales')).toEqual({ attempts: 4, retryDelayInSeconds: 120 });
    expect(flow.callbackRetries('billing')).toEqual({ attempts: config.assistant.callbackAttempts, retryDelayInSeconds: config.assistant.callbackRetryDelayInSeconds });
    expect(errorsOf(edit(sample, '    callbackRetryDelayInSeconds: 120\n', '    callbackRetryDelayInSeconds: 5\n').text).map((e) => e.path)).toEqual(['queues[2].callbackRetryDelayInSeconds']);
  });
});

describe('callbacks after hours', () => {
  it('confirm with callbackConfirmed unless the schedule names its own prompt', () => {
    const text = edit(sample, '      callbackPrompt: callbackWhenOpen\n      callbackConfirmedPrompt: callbackBookedWhenOpen\n\n  sales:', '      callbackPrompt: callbackWhenOpen\n\n  sales:').text;
    expect(() => valid(text, sampleFile)).not.toThrow();
  });
});

describe('order status lookups', () => {
  it('more than one lookup needs the prompt said before the number is asked again', () => {
    const text = edit(sample, ', notFoundTryAgain: orderNotFoundTryAgain }', ' }').text;
    expect(errorsOf(text).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'actions[0].maxLookups: Asking for another order number needs `prompts.notFoundTryAgain`: what the caller hears before it is asked again.',
    ]);
    expect(valid(edit(text, '    maxLookups: 2\n', '').text, sampleFile).actions[0]).toMatchObject({ maxLookups: 1 });
  });

  it("a status must map to a prompt every language has", () => {
    const text = edit(sample, 'delivered: orderDelivered }', 'delivered: orderArrived }').text;
    expect(errorsOf(text).map((e) => e.path)).toEqual(['actions[0].statusPrompts.delivered']);
  });
});

describe('notices', () => {
  it('a notice runs on its lines from its start until its end', () => {
    const config = valid(sample, sampleFile);
    const flow = assistantFlowFromConfig(config, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));
    expect(flow.notices('+12125550100', new Date('2026-12-13T23:59:59-05:00'))).toEqual([]);
    expect(flow.notices('+12125550100', new Date('2026-12-14T00:00:00-05:00'))).toEqual(['holidayHoursNotice']);
    expect(flow.notices('+12125550123', new Date('2026-12-20T12:00:00Z'))).toEqual(['holidayHoursNotice']);
    expect(flow.notices('+12125550150', new Date('2026-12-20T12:00:00Z'))).toEqual([]);
    expect(flow.notices('+12125550100', new Date('2026-12-27T00:00:00-05:00'))).toEqual([]);
  });

  it('are refused when they end before they start, name a line that is not configured, or lack an offset', () => {
    let text = edit(sample, '    until: 2026-12-27T00:00:00-05:00', '    until: 2026-12-01T00:00:00-05:00').text;
    text = edit(text, '    numbers: ["+12125550100", "+12125550123"]', '    numbers: ["+12125550100", "+12125559999"]').text;
    expect(errorsOf(text).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'notices[0].until: A notice must end after it starts (from 2026-12-14T00:00:00-05:00).',
      expect.stringMatching(/^notices\[0\]\.numbers\[1\]: Phone number "\+12125559999" is not defined in numbers/),
    ]);
    const local = edit(sample, '    from: 2026-12-14T00:00:00-05:00', '    from: 2026-12-14T00:00:00').text;
    expect(errorsOf(local)).toEqual([expect.objectContaining({ path: 'notices[0].from', message: 'A moment is written with its UTC offset, e.g. 2026-12-24T08:00:00-05:00.' })]);
  });
});

describe('holidays after hours', () => {
  it('the holiday prompt may say {holiday} and nothing else the moment does not know', () => {
    const text = edit(sample, "    holidayHours: Today is {holiday}, and we're keeping holiday hours.", "    holidayHours: Today is {holiday}; we open at {opensAt}.").text;
    expect(errorsOf(text).map((e) => `${e.path}: ${e.message}`)).toContain(
      'businessHours.customer-care.afterHours.holidayPrompt: Prompt "holidayHours" uses {opensAt}, which is not filled in here (available: {holiday}).',
    );
  });

  it('a closed schedule names the holiday only where the config has a holiday prompt', () => {
    const config = valid(sample, sampleFile);
    const thanksgiving = new Date('2026-11-26T15:00:00Z');
    const closedForHoliday = () => ({ open: false, nextOpenAt: new Date('2026-11-27T13:00:00Z'), holiday: 'Thanksgiving Day' });
    const flow = assistantFlowFromConfig(config, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), closedForHoliday);
    expect(flow.queueClosed('billing', thanksgiving)).toMatchObject({ prompt: 'afterHours', holidayPrompt: 'holidayHours', holiday: 'Thanksgiving Day' });
    const withoutPrompt = valid(edit(sample, '      prompt: afterHours\n      holidayPrompt: holidayHours\n', '      prompt: afterHours\n').text, sampleFile);
    const plain = assistantFlowFromConfig(withoutPrompt, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), closedForHoliday);
    expect(plain.queueClosed('billing', thanksgiving)).not.toHaveProperty('holiday');
  });
});

describe('an intent the assistant answers itself', () => {
  const config = valid(sample, sampleFile);
  const schedules = new Map(Object.entries(config.businessHours));
  const flow = assistantFlowFromConfig(config, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), (name, now) => isOpen(schedules.get(name)!, now));
  const hours = flow.intents.get('opening_hours')!.outcome;
  const say = (language: string, at: string) => (hours.kind === 'inform' ? wordsOf(hours.answer(language, new Date(at))) : hours.kind);

  it("says the sample's customer-care hours as they stand when the caller asks, in the caller's language", () => {
    expect(say('en-US', '2026-11-24T11:00:00-05:00')).toMatch(/^Our customer care team is here right now; we close today at 8 PM\. /);
    expect(say('en-US', '2026-11-28T18:30:00-05:00')).toMatch(/^Our customer care team is closed right now\. We open again Monday at 8 AM\. /);
    expect(say('en-US', '2026-12-24T12:00:00-05:00')).toMatch(/we close today at 1 PM/); // Christmas Eve's shorter hours
    expect(say('en-US', '2026-12-24T14:00:00-05:00')).toMatch(/We open again Saturday at 9 AM\./); // Christmas Day is closed
    expect(say('es-ES', '2026-11-27T21:00:00-05:00')).toMatch(/Volvemos a abrir mañana a las 9:00\./);
    expect(say('es-ES', '2026-11-25T10:00:00-05:00')).toMatch(/cerramos hoy a las 20:00\./);
    // The week is read from the schedule, so the answer cannot go stale when the hours change.
    expect(say('en-US', '2026-11-24T11:00:00-05:00')).toMatch(/We're open Monday to Friday from 8 AM to 8 PM, and Saturday from 9 AM to 5 PM\.$/);
    expect(say('es-ES', '2026-11-24T11:00:00-05:00')).toMatch(/Abrimos de lunes a viernes de 8:00 a 20:00, y los sábados de 9:00 a 17:00\.$/);
  });

  it('needs a prompt, or a schedule with both of its prompts, each saying only what it knows', () => {
    const at = "    inform:\n      schedule: customer-care\n      openPrompt: hoursOpenNow\n      closedPrompt: hoursClosedNow\n";
    const messages = (to: string) => errorsOf(edit(sample, at, to).text).map((e) => `${e.path}: ${e.message}`);
    expect(messages("    inform:\n      schedule: customer-care\n      openPrompt: hoursOpenNow\n")).toEqual([
      'intents[12].inform: An answer from a schedule needs closedPrompt, said while it is closed.',
    ]);
    expect(messages("    inform:\n      schedule: care\n      openPrompt: hoursOpenNow\n      closedPrompt: hoursClosedNow\n")).toEqual([
      expect.stringContaining('intents[12].inform.schedule: Business-hours schedule "care" is not defined in businessHours'),
    ]);
    expect(messages("    inform:\n      schedule: customer-care\n      openPrompt: hoursClosedNow\n      closedPrompt: hoursOpenNow\n")).toEqual([
      'intents[12].inform.openPrompt: Prompt "hoursClosedNow" uses {opensAt}, which is not filled in here (available: {closesDay}, {closesTime}, {closesAt}, {weeklyHours}).',
      'intents[12].inform.closedPrompt: Prompt "hoursOpenNow" uses {closesAt}, which is not filled in here (available: {opensDay}, {opensTime}, {opensAt}, {weeklyHours}).',
    ]);
    expect(messages("    inform:\n      openPrompt: hoursOpenNow\n")).toEqual([
      'intents[12].inform: inform needs a prompt, or a schedule with openPrompt and closedPrompt.',
      'intents[12].inform.openPrompt: openPrompt is said according to a schedule; add schedule, or use prompt alone.',
    ]);
    expect(messages("    inform: { prompt: goodbye }\n    escalate: { queue: billing }\n")).toEqual(['intents[12]: Intent "opening_hours" has escalate and inform; keep exactly one.']);
    const roundTheClock = edit(sample, '      monday: ["08:00-20:00"]\n      tuesday: ["08:00-20:00"]\n      wednesday: ["08:00-20:00"]\n      thursday: ["08:00-20:00"]\n      friday: ["08:00-20:00"]\n      saturday: ["09:00-17:00"]\n',
      '      monday: ["00:00-24:00"]\n      tuesday: ["00:00-24:00"]\n      wednesday: ["00:00-24:00"]\n      thursday: ["00:00-24:00"]\n      friday: ["00:00-24:00"]\n      saturday: ["00:00-24:00"]\n      sunday: ["00:00-24:00"]\n').text;
    expect(errorsOf(roundTheClock).map((e) => `${e.path}: ${e.message}`)).toEqual([
      'intents[12].inform.schedule: Schedule "customer-care" is open around the clock, so openPrompt would have no closing time to say; answer with a fixed prompt instead.',
    ]);
    const fixed = valid(edit(sample, at, "    inform: { prompt: goodbye }\n").text);
    const answer = assistantFlowFromConfig(fixed, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: false })).intents.get('opening_hours')!.outcome;
    expect(answer.kind === 'inform' && wordsOf(answer.answer('es-ES', new Date()))).toBe('Gracias por llamar a Contoso Broadband. Que tenga un buen día. Adiós.');
  });
});

describe('slots', () => {
  it('warn where a setting would have no effect: confirm on a masked slot, keypad-only on a slot that is not digits', () => {
    let text = edit(sample, '    input: dtmf\n    minLength: 4\n    maxLength: 6\n    mask: true\n', '    input: dtmf\n    minLength: 4\n    maxLength: 6\n    mask: true\n    confirm: true\n').text;
    text = edit(text, '    outOfRangePrompt: moveDateInPast\n    input: speech', '    outOfRangePrompt: moveDateInPast\n    input: dtmf').text;
    const result = parseContactCenterConfig(text, sampleFile);
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        'Slot "pin" is masked, so its value is never read back: confirm has no effect.',
        'Only a digits slot is keypad-only; "moveDate" (date) is also answered by speech.',
      ]),
    );
  });
});

describe('a date slot\'s out-of-range prompt', () => {
  it('must name a prompt, and only a date slot may have one', () => {
    const unknownPrompt = edit(sample, '    outOfRangePrompt: moveDateInPast\n', '    outOfRangePrompt: moveDateGone\n').text;
    expect(errorsOf(unknownPrompt)).toEqual([expect.objectContaining({ path: 'slots[2].outOfRangePrompt', message: expect.stringContaining('moveDateGone') })]);
    const onDigits = edit(sample, '    invalidPrompt: orderNumberInvalid\n', '    invalidPrompt: orderNumberInvalid\n    outOfRangePrompt: moveDateInPast\n').text;
    expect(errorsOf(onDigits)).toEqual([expect.objectContaining({ path: 'slots[0].outOfRangePrompt', message: 'outOfRangePrompt applies to date slots, not digits; use invalidPrompt.' })]);
  });
});

describe('queues', () => {
  it('refuse a ring time routing could not use (the config check used to pass it and the app then failed to start)', () => {
    const { text } = edit(minimal, '    musicOnHoldUrl: https://media.example/hold.wav', '    musicOnHoldUrl: https://media.example/hold.wav\n    ringTimeInSeconds: 3');
    expect(errorsOf(text)).toEqual([expect.objectContaining({ path: 'queues[0].ringTimeInSeconds', message: expect.stringContaining('at least 5 seconds') })]);
  });

  it('may leave out their music (callers hear the built-in tone), and are warned when it is not a WAV file Call Automation can play', () => {
    const withoutMusic = parseContactCenterConfig(edit(minimal, '    musicOnHoldUrl: https://media.example/hold.wav\n', '').text, 'test.yaml');
    expect(withoutMusic.ok && withoutMusic.warnings).toEqual([]);
    const mp3 = parseContactCenterConfig(edit(minimal, 'https://media.example/hold.wav', 'https://media.example/hold.mp3').text, 'test.yaml');
    expect(mp3.ok && mp3.warnings).toEqual([
      expect.objectContaining({ path: 'queues[0].musicOnHoldUrl', message: expect.stringContaining('callers hear the built-in hold tone instead') }),
    ]);
    // A signed blob URL keeps the file name in its path.
    const signed = parseContactCenterConfig(edit(minimal, 'https://media.example/hold.wav', 'https://media.example/hold.WAV?sv=2024-01-01&sig=abc').text, 'test.yaml');
    expect(signed.ok && signed.warnings).toEqual([]);
  });
});

describe('self-service time limits', () => {
  it("an action's own timeoutInMs is the hard limit its run gets; others get the assistant's", () => {
    const text = edit(sample, '    orderNumberSlot: orderNumber\n    timeoutInMs: 8000', '    orderNumberSlot: orderNumber\n    timeoutInMs: 3000').text;
    const flow = assistantFlowFromConfig(valid(text, sampleFile), () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));
    expect(flow.intents.get('order_status')?.outcome).toMatchObject({ kind: 'selfService', action: 'order-status', timeoutInMs: 3000 });
    expect(flow.intents.get('account_balance')?.outcome).not.toHaveProperty('timeoutInMs');
    expect(flow.actionTimeoutInMs).toBe(8000);
  });
});

describe('renderPrompt', () => {
  const config = valid(sample, sampleFile);

  it('fills placeholders and carries the language voice', () => {
    expect(renderPrompt(config, 'en-US', 'clarify', { a: 'a question about your bill', b: 'making a payment' })).toEqual({
      text: 'Just so I get this right. Did you mean a question about your bill, or making a payment?',
      voice: 'en-US-JennyNeural',
      language: 'en-US',
    });
    expect(renderPrompt(config, 'es-ES', 'queuePosition', { position: 3 }).text).toBe('Su posición en la cola es la número 3.');
  });

  it('marks SSML and escapes values inserted into it, as the call flow plays it', () => {
    const ssmlConfig = { ...config, prompts: { ...config.prompts, 'en-US': { ...config.prompts['en-US']!, custom: { ssml: '<speak>Hi {name}</speak>' } } } };
    const expected = { text: '<speak>Hi A &#38; &#60;B&#62;</speak>', ssml: true, voice: 'en-US-JennyNeural', language: 'en-US' };
    expect(renderPrompt(ssmlConfig, 'en-US', 'custom', { name: 'A & <B>' })).toEqual(expected);
    const flow = assistantFlowFromConfig(ssmlConfig, () => ({ intent: null, confidence: 0, outOfScope: true, ranked: [] }), () => ({ open: true }));
    expect(flow.namedPrompt('en-US', 'custom', { name: 'A & <B>' })).toEqual(expected);
  });

  it('throws on a missing value rather than speaking a placeholder', () => {
    expect(() => renderPrompt(config, 'en-US', 'queuePosition')).toThrow('needs a value for {position}');
    expect(() => renderPrompt(config, 'fr-FR', 'greeting')).toThrow('No prompt "greeting" for language fr-FR');
  });

  it('has every standard prompt in every sample language', () => {
    for (const language of config.languages) {
      for (const key of Object.keys(standardPrompts)) expect(config.prompts[language.code]?.[key]).toBeDefined();
    }
  });
});

describe('formatConfigPath', () => {
  it('writes paths the way ops read them', () => {
    expect(formatConfigPath(['intents', 3, 'examples'])).toBe('intents[3].examples');
    expect(formatConfigPath(['prompts', 'es-ES', 'greeting'])).toBe('prompts.es-ES.greeting');
    expect(formatConfigPath(['businessHours', 'after hours'])).toBe('businessHours["after hours"]');
    expect(formatConfigPath([])).toBe('');
  });
});
