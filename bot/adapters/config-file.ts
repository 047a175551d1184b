import { readFile } from 'node:fs/promises';
import {
  parseContactCenterConfig,
  type ConfigError,
  type ContactCenterConfig,
  type ParseContactCenterConfigResult,
} from '../assistant/contact-center-config.js';

/** An invalid contact-center config; `errors` locate each problem, the message lists them all. */
export class ContactCenterConfigError extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly ConfigError[],
  ) {
    super(`Invalid contact-center config ${file}:\n${errors.map(formatConfigError).join('\n')}`);
    this.name = 'ContactCenterConfigError';
  }
}

/** `file:line:column  path  message`, the form editors and CI logs link to. */
export function formatConfigError(error: ConfigError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.path === '' ? `${where}  ${error.message}` : `${where}  ${error.path}  ${error.message}`;
}

/** Read and validate a config file; a missing or unreadable file rejects with the fs error. */
export async function readContactCenterConfigFile(path: string): Promise<ParseContactCenterConfigResult> {
  return parseContactCenterConfig(await readFile(path, 'utf8'), path);
}

/** The validated config for the app to run with; rejects with ContactCenterConfigError when invalid. */
export async function loadContactCenterConfigFile(path: string): Promise<ContactCenterConfig> {
  const result = await readContactCenterConfigFile(path);
  if (!result.ok) throw new ContactCenterConfigError(path, result.errors);
  return result.config;
}
