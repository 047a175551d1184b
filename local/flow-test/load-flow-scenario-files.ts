import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseContactCenterConfig, type ConfigError, type ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import { parseFlowScenarios, type FlowScenario } from './parse-flow-scenarios.js';

/** Where the shipped scenarios live, relative to the repository root. */
export const defaultScenarioFolder = 'scenarios';

export interface LoadedFlowScenarios {
  readonly scenarios: readonly FlowScenario[];
  /** Problems in the scenario files (or the config), each located; nothing should run if any. */
  readonly errors: readonly ConfigError[];
}

/** The `.yaml` / `.yml` files named, with folders expanded to the files directly in them, sorted. */
export function scenarioFilesOf(paths: readonly string[]): { files: string[]; errors: ConfigError[] } {
  const files: string[] = [];
  const errors: ConfigError[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      errors.push({ file: path, line: 1, column: 1, path: '', message: 'No such file or folder.' });
      continue;
    }
    if (!isFolder) {
      files.push(path);
      continue;
    }
    const inFolder = readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f));
    if (inFolder.length === 0) errors.push({ file: path, line: 1, column: 1, path: '', message: 'The folder holds no .yaml scenario files.' });
    files.push(...inFolder);
  }
  return { files, errors };
}

/** Reads the contact-center config the scenarios are checked against; errors located in it. */
export function readConfigForScenarios(file: string): { config?: ContactCenterConfig; errors: ConfigError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { errors: [{ file, line: 1, column: 1, path: '', message: 'Cannot read the contact-center config the scenarios are checked against.' }] };
  }
  const parsed = parseContactCenterConfig(text, file);
  return parsed.ok ? { config: parsed.config, errors: [] } : { errors: [...parsed.errors] };
}

/**
 * Reads and validates scenario files (default: every file in scenarios/), checking the names they
 * expect against `config` when given. Scenario names must be unique across all files.
 */
export function loadFlowScenarioFiles(paths: readonly string[], options: { readonly config?: ContactCenterConfig; readonly root?: string } = {}): LoadedFlowScenarios {
  const root = options.root ?? process.cwd();
  const { files, errors } = scenarioFilesOf(paths.length > 0 ? paths : [join(root, defaultScenarioFolder)]);
  const scenarios: FlowScenario[] = [];
  const seen = new Map<string, FlowScenario>();
  for (const file of files) {
    const shown = relative(root, file) || file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      errors.push({ file: shown, line: 1, column: 1, path: '', message: 'Cannot read this file.' });
      continue;
    }
    const parsed = parseFlowScenarios(text, shown.startsWith('..') ? file : shown, options.config);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    for (const scenario of parsed.scenarios) {
      const earlier = seen.get(scenario.name);
      if (earlier) {
        errors.push({ file: scenario.file, line: scenario.line, column: 1, path: 'name', message: `"${scenario.name}" is also the name of a scenario in ${earlier.file}:${earlier.line}.` });
        continue;
      }
      seen.set(scenario.name, scenario);
      scenarios.push(scenario);
    }
  }
  return { scenarios, errors };
}
