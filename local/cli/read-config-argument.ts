import type { ContactCenterConfig } from '../../bot/assistant/contact-center-config.js';
import { ContactCenterConfigError, readContactCenterConfig } from '../../bot/load-assistant-flow.js';

/** The config a command names, or undefined after saying why it cannot be used (file, line, field). */
export function readConfigArgument(file: string, err: (line: string) => void): ContactCenterConfig | undefined {
  try {
    return readContactCenterConfig(file);
  } catch (error) {
    if (!(error instanceof ContactCenterConfigError)) throw error;
    err(error.message);
    return undefined;
  }
}
