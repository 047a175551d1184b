// The shipped scenario files (scenarios/*.yaml) played against the whole local Azure in this
// process, with the real config/contact-center.yaml, its trained classifier and the sample backend.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowTest } from '../../local/cli/flow-test.js';
import { formatFlowResult } from '../../local/flow-test/format-flow-report.js';
import { localStackFlowTestTarget, type FlowTestTarget } from '../../local/flow-test/flow-test-target.js';
import { loadFlowScenarioFiles, readConfigForScenarios } from '../../local/flow-test/load-flow-scenario-files.js';
import { parseFlowScenarios, type FlowScenario } from '../../local/flow-test/parse-flow-scenarios.js';
import { runFlowScenario } from '../../local/flow-test/run-flow-scenarios.js';
import { callIdFor } from '../../bot/handle-incoming-call.js';
import type { LocalStack } from '../../local/local-stack.js';
import { SettableClock } from '../../local/host/settable-clock.js';
import { startTestStack } from '../support/test-stack.js';
import { apiFetch } from '../support/api-fetch.js';
import { apiRoles } from '../../bot/api-access.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = join(root, 'config', 'contact-center.yaml');
const { config } = readConfigForScenarios(configFile);
const shipped = loadFlowScenarioFiles([], { root, ...(config ? { config } : {}) });

let stack: LocalStack;
let target: FlowTestTarget;

beforeAll(async () => {
  // A Tuesday at 11 AM in New York, when every schedule of the sample config is open; scenarios
  // about closed hours set their own `at`.
  const openHours = new SettableClock();
  openHours.set(new Date('2026-11-24T11:00:00-05:00'));
  stack = await startTestStack({
    settings: { CONTACT_CENTER_CONFIG_FILE: configFile },
    clock: openHours,
  });
  target = localStackFlowTestTarget(stack);
});
afterAll(async () => {
  await stack?.close();
});

function only(yaml: string): FlowScenario {
  const parsed = parseFlowScenarios(yaml, 'inline.yaml', config);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`).join('\n'));
  const [scenario] = parsed.scenarios;
  if (!scenario) throw new Error('no scenario');
  return scenario;
}

describe('the shipped scenario files', () => {
  it('are valid against the sample config and cover every intent of it', () => {
    expect(shipped.errors).toEqual([]);
    const intents = new Set(shipped.scenarios.map((s) => s.expect.intent));
    expect(config?.intents.map((i) => i.name).filter((name) => !intents.has(name))).toEqual([]);
  });

  it.each(shipped.scenarios.map((s) => [`${s.file}: ${s.name}`, s] as const))('%s', async (_, scenario) => {
    const result = await runFlowScenario(scenario, target);
    expect(result.passed ? [] : formatFlowResult(result)).toEqual([]);
  });
});

describe("the sample config's skills", () => {
  it('are listed with their descriptions for an agent choosing whom to consult, and for no one without a role', async () => {
    const response = await apiFetch(stack, 'skills', {}, { objectId: 'an-agent', roles: [apiRoles.agent] });
    expect(response.status).toBe(200);
    const { value } = (await response.json()) as { value: { name: string; description: string; agents: number; availableNow: number }[] };
    expect(value.map((s) => s.name)).toEqual(config!.skills.map((s) => s.name));
    expect(value.find((s) => s.name === 'retention')).toEqual({ name: 'retention', description: 'Customers who want to leave; authorised to offer retention deals.', agents: 0, availableNow: 0 });
    expect((await apiFetch(stack, 'skills', {}, { objectId: 'someone', roles: [] })).status).toBe(403);
  });
});

describe('the flow test runner', () => {
  it('fails a scenario on every expectation the call does not meet, and says which', async () => {
    const result = await runFlowScenario(
      only(`
name: wrong on purpose
steps: [{ press: 1 }, { press: 4 }, { press: 12345678 }, { say: "yes" }, { say: "no" }]
expect:
  heard: [Goodbye, Please say or key in your order number]
  notHeard: [is shipped]
  intent: billing_question
  outcome: escalated
  escalated: billing
  actions: [{ action: order-status, status: notFound }]
  notInHistory: ["12345678"]
`),
      target,
    );
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      'heard: expected "Please say or key in your order number" after "Goodbye", but it was heard only earlier.',
      expect.stringMatching(/^notHeard: "is shipped" was heard in "Thanks\. Order 1 2 3 4, 5 6 7 8 is shipped/),
      'outcome: expected escalated, got completed.',
      'intent: expected billing_question, got order_status.',
      'escalated: expected a RequestRouting to billing, got none.',
      'actions: expected [order-status notFound], got [order-status succeeded].',
      expect.stringMatching(/^notInHistory: "12345678" appears in the stored call/),
    ]);
    const report = formatFlowResult(result).join('\n');
    expect(report).toMatch(/^FAIL {2}wrong on purpose/);
    expect(report).toContain('caller:    pressed 12345678');
    expect(report).toContain('assistant: Thanks. Order 1 2 3 4, 5 6 7 8 is shipped.');
  });

  it("keeps the config's name of the dialled line in the call's history and in what the agent is handed", async () => {
    const result = await runFlowScenario(only('name: line name\nto: "+12125550123"\nsteps: [{ press: 0 }, hangUp]\nexpect: { outcome: callerHungUp }\n'), target);
    const call = await stack.switchboard.getCallHistory(callIdFor(result.conversation!.correlationId));
    const line = 'Atención al cliente (línea en español)';
    expect(call!.history[0]!.entry).toMatchObject({ kind: 'callReceived', line });
    const routing = call!.history.map((h) => h.entry).find((e) => e.kind === 'command' && e.command.kind === 'RequestRouting');
    expect(routing).toMatchObject({ command: { context: { line, language: 'es-ES', reason: 'caller pressed 0 for a person' } } });
  });

  it('checks the escalation priority and the exact skills', async () => {
    const result = await runFlowScenario(
      only(`
name: skills on purpose
steps: [{ press: 1 }, { press: 6 }, { press: 1 }]
expect:
  escalated: { queue: tech-support, priority: 1, skills: [technical-support, sales] }
`),
      target,
    );
    expect(result.failures).toEqual([
      'escalated: expected tech-support with priority 1 and skills exactly technical-support, sales, got tech-support (priority 1; skills technical-support>=2).',
    ]);
  });

  it('runs scenario files over HTTP against a running stack and exits 1 when one fails (switchboard flow test)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-flow-files-'));
    const file = join(folder, 'two.yaml');
    writeFileSync(
      file,
      `- name: passes
  steps: [{ press: 1 }, { press: 0 }]
  expect: { heard: [connecting you now], escalated: billing }
- name: fails
  to: "+12125550123"
  steps: [hangUp]
  expect: { heard: ["For English, press 1"] }
- name: a withheld number reaches a person too
  from: anonymous
  steps: [{ press: 1 }, { press: 0 }]
  expect: { heard: [connecting you now], escalated: billing }
`,
    );
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const status = await flowTest([file, '--config', configFile], { urls: { simulator: stack.urls['simulator'] ?? '', functions: stack.urls['functions'] ?? '', entraToken: stack.urls['entraToken'] ?? '' } }, io);
    expect(status).toBe(1);
    const output = lines.join('\n');
    expect(output).toMatch(/^PASS {2}passes/m);
    expect(output).toMatch(/^FAIL {2}fails/m);
    expect(output).toContain('✗ heard: expected "For English, press 1", but no prompt said it.');
    expect(output).toContain('assistant: Gracias por llamar a Contoso Broadband.');
    expect(output).toContain(`history: curl -s -H "Authorization: Bearer $(npx switchboard token)" ${stack.urls['functions']}/api/calls/`);
    expect(output).toMatch(/^PASS {2}a withheld number reaches a person too/m);
    expect(output).toMatch(/2 passed, 1 failed \(3 scenarios/);
  });

  it('sets the app clock over HTTP for --at, and a holiday closes the billing queue', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-flow-at-'));
    const file = join(folder, 'holiday.yaml');
    writeFileSync(
      file,
      `- name: billing on a holiday
  steps: [{ press: 1 }, { press: 0 }, { press: 2 }, { press: "#" }]
  expect: { heard: [Our customer care team is available, your message has been recorded], outcome: afterHours }
`,
    );
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const urls = { simulator: stack.urls['simulator'] ?? '', functions: stack.urls['functions'] ?? '', entraToken: stack.urls['entraToken'] ?? '' };
    expect(await flowTest([file, '--config', configFile, '--at', '2026-12-25T10:00:00-05:00'], { urls }, io)).toBe(0);
    expect(lines.join('\n')).toMatch(/^PASS {2}billing on a holiday/m);
    // Afterwards the app is back on its own clock.
    expect(stack.clock.isSet).toBe(false);
    expect(await flowTest([file, '--config', configFile, '--at', 'next tuesday'], { urls }, io)).toBe(2);
  });

  it('runs nothing when a scenario file is invalid, and names file, line and field', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sb-flow-bad-'));
    const file = join(folder, 'bad.yaml');
    writeFileSync(file, 'name: typo\nsteps: [{ press: 1 }]\nexpect:\n  intent: order_stauts\n');
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const status = await flowTest([file, '--config', configFile], { urls: { simulator: 'http://127.0.0.1:9/simulator', functions: 'http://127.0.0.1:9' } }, io);
    expect(status).toBe(1);
    expect(lines).toEqual([
      `${file}:4:11  expect.intent  Intent "order_stauts" is not in the config's intents. Did you mean "order_status"?`,
      '1 problem in the scenario files; nothing was run.',
    ]);
  });
});
