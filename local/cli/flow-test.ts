import { parseArgs } from 'node:util';
import { formatConfigError } from '../../bot/adapters/config-file.js';
import { formatFlowResult, formatFlowSummary } from '../flow-test/format-flow-report.js';
import { FlowTargetUnreachable, httpFlowTestTarget, type FlowTestTarget } from '../flow-test/flow-test-target.js';
import { loadFlowScenarioFiles, readConfigForScenarios } from '../flow-test/load-flow-scenario-files.js';
import { runFlowScenarios } from '../flow-test/run-flow-scenarios.js';
import { parseMoment } from '../host/settable-clock.js';
import { waitForLocalApp } from './wait-for-app.js';

const usage = `Usage: switchboard flow test [files or folders...] [--config FILE] [--grep TEXT] [--at TIME] [--timeout SECONDS] [--verbose]

  Plays scenario files (YAML: the number dialled, what the caller says or presses, what they must
  hear, the intent, the outcome) against the running local stack (npm start) and prints PASS / FAIL
  per scenario, with the conversation of each failure. Default: every .yaml file in scenarios/.
  --config   the contact-center config the stack runs (default: $CONTACT_CENTER_CONFIG_FILE or
             config/contact-center.yaml); intents, queues, skills and actions named in the
             scenarios are checked against it
  --grep     run only the scenarios whose name contains TEXT
  --at       the app's time for scenarios without their own \`at\` (ISO 8601 with offset, e.g.
             2026-11-24T11:00:00-05:00); without it they run at the current time, so scenarios that
             reach a queue need its business hours to be open
  --timeout  how long one call may take (default 60)
  --verbose  print the conversation of passing scenarios too
  Exit status: 0 all passed, 1 a scenario failed or a file is invalid, 2 usage error.
`;

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** `switchboard flow test ...`; `args` are the words after `test`. `target` defaults to the stack at `urls`. */
export async function flowTest(
  args: string[],
  where: { readonly urls: { readonly simulator: string; readonly functions: string; readonly entraToken?: string }; readonly target?: FlowTestTarget },
  io: CliOutput = consoleOutput,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        grep: { type: 'string' },
        at: { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage);
    return 0;
  }
  const timeoutInSeconds = Number(values.timeout ?? 60);
  if (!Number.isFinite(timeoutInSeconds) || timeoutInSeconds <= 0) {
    io.err(`--timeout takes a number of seconds, got "${values.timeout}".\n\n${usage}`);
    return 2;
  }
  if (values.at !== undefined && parseMoment(values.at) === undefined) {
    io.err(`--at takes a moment with its UTC offset, such as 2026-11-24T11:00:00-05:00; got "${values.at}".\n\n${usage}`);
    return 2;
  }
  const configFile = values.config ?? process.env['CONTACT_CENTER_CONFIG_FILE'] ?? 'config/contact-center.yaml';
  const { config, errors: configErrors } = readConfigForScenarios(configFile);
  const loaded = loadFlowScenarioFiles(positionals, config ? { config } : {});
  const errors = [...configErrors, ...loaded.errors];
  if (errors.length > 0) {
    for (const error of errors) io.out(formatConfigError(error));
    io.out(`${errors.length} problem${errors.length === 1 ? '' : 's'} in the scenario files; nothing was run.`);
    return 1;
  }
  const selected = values.grep === undefined ? loaded.scenarios : loaded.scenarios.filter((s) => s.name.toLowerCase().includes(values.grep!.toLowerCase()));
  const at = values.at;
  const scenarios = at === undefined ? selected : selected.map((s) => (s.at === undefined ? { ...s, at } : s));
  if (scenarios.length === 0) {
    io.out(values.grep === undefined ? 'No scenarios to run.' : `No scenario name contains "${values.grep}".`);
    return 1;
  }
  if (!where.target && (await waitForLocalApp(where.urls, io.out)) === 'stillStarting') {
    io.err(`The app at ${where.urls.functions} did not finish starting; see the npm start window.`);
    return 1;
  }
  const target = where.target ?? httpFlowTestTarget(where.urls);
  const started = performance.now();
  let results;
  try {
    results = await runFlowScenarios(scenarios, target, {
      timeoutInMs: timeoutInSeconds * 1000,
      onResult: (result) => {
        for (const line of formatFlowResult(result, { verbose: values.verbose ?? false, ...(target.historyUrl ? { historyUrl: target.historyUrl } : {}) })) io.out(line);
      },
    });
  } catch (error) {
    if (!(error instanceof FlowTargetUnreachable)) throw error;
    io.err(error.message);
    return 1;
  }
  io.out('');
  io.out(formatFlowSummary(results, performance.now() - started));
  return results.every((r) => r.passed) ? 0 : 1;
}
