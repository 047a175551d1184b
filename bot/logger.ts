import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs: a static message plus fields; personal data only under `pii.*`. */
export function createLogger(options: { readonly level?: string; readonly name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'switchboard',
    level: options.level ?? 'info',
    redact: process.env['LOG_PII'] === 'true' ? [] : { paths: ['pii', '*.pii', 'pii.*'], censor: '[pii]' },
  });
}
