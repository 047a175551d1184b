import { formatConfigError, readContactCenterConfigFile } from '../../bot/adapters/config-file.js';

const usage = `Usage: switchboard config validate <file>

  Checks a contact-center YAML file (e.g. config/contact-center.yaml) against the schema and the
  cross-field rules. Prints each problem as  file:line:column  field  message.
  Exit status: 0 valid, 1 invalid, 2 usage error or unreadable file.
`;

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleOutput: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** `switchboard config validate <file>`; `args` are the words after `validate`. */
export async function configValidate(args: string[], io: CliOutput = consoleOutput): Promise<number> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    io.out(usage);
    return 0;
  }
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0 || file.startsWith('-')) {
    io.err(file === undefined ? `Missing the config file to validate.\n\n${usage}` : `Expected exactly one file.\n\n${usage}`);
    return 2;
  }
  let result;
  try {
    result = await readContactCenterConfigFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.err(code === 'ENOENT' ? `${file}: no such file.` : `${file}: cannot read it (${(error as Error).message}).`);
    return 2;
  }
  for (const warning of result.warnings) io.out(formatConfigError({ ...warning, message: `warning: ${warning.message}` }));
  if (!result.ok) {
    for (const error of result.errors) io.out(formatConfigError(error));
    const count = result.errors.length;
    io.out(`${file}: ${count} error${count === 1 ? '' : 's'}.`);
    return 1;
  }
  const { config } = result;
  const counts = [
    plural(config.intents.length, 'intent'),
    plural(config.queues.length, 'queue'),
    plural(config.languages.length, 'language'),
    plural(config.numbers.length, 'number'),
    plural(Object.keys(config.businessHours).length, 'schedule'),
    plural(config.actions.length, 'action'),
    plural(config.skills.length, 'skill'),
  ];
  io.out(`OK: ${file} (${counts.join(', ')})`);
  return 0;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
