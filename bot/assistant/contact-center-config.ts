import { z } from 'zod';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { checkContactCenterConfig, type ConfigIssue, type ConfigPath } from './config/check-contact-center-config.js';
import { parseWithConfigIssues } from './config/config-issues-from-zod.js';
import { contactCenterConfigSchema, type ContactCenterConfig } from './config/contact-center-schema.js';
import { locateYamlPath } from './config/locate-yaml-path.js';
import { yamlDocumentData } from './config/yaml-document-data.js';

export * from './config/contact-center-schema.js';
export { minExamplesPerIntent } from './config/check-contact-center-config.js';
export { renderPrompt, type RenderedPrompt } from './config/render-prompt.js';

/** One problem in a config file, located for an editor: `file:line:column  path  message`. */
export interface ConfigError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** The field, e.g. `intents[3].examples`; empty for the document as a whole. */
  readonly path: string;
  readonly message: string;
}

export type ParseContactCenterConfigResult =
  | { readonly ok: true; readonly config: ContactCenterConfig; readonly warnings: readonly ConfigError[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly warnings: readonly ConfigError[] };

/**
 * Parse and validate the contact-center YAML. Pure: the caller reads the file. Reports YAML syntax
 * errors, then schema errors, then (once the shape is right) the cross-field checks, each with
 * the file, line, column and field it is about.
 */
export function parseContactCenterConfig(text: string, fileName: string): ParseContactCenterConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  const [firstSyntaxError] = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
  if (firstSyntaxError) {
    // Later syntax errors mostly follow from the first (an unclosed bracket swallows the rest).
    return { ok: false, errors: [syntaxError(firstSyntaxError, fileName, lineCounter)], warnings: [] };
  }
  const read = yamlDocumentData(doc, lineCounter, 1000);
  if ('problem' in read) return { ok: false, errors: [{ file: fileName, path: '', ...read.problem }], warnings: [] };
  const { data } = read;
  if (data === null || data === undefined) {
    return { ok: false, errors: [{ file: fileName, line: 1, column: 1, path: '', message: 'The file is empty; it must describe the contact center.' }], warnings: [] };
  }
  const locate = (issue: ConfigIssue): ConfigError => ({
    file: fileName,
    ...locateYamlPath(doc, lineCounter, issue.path, issue.at),
    path: formatConfigPath(issue.path),
    message: issue.message,
  });
  const parsed = parseWithConfigIssues(contactCenterConfigSchema, data);
  if (!parsed.success) return { ok: false, errors: sortByPosition(parsed.issues.map(locate)), warnings: [] };
  const issues = checkContactCenterConfig(parsed.data);
  const errors = sortByPosition(issues.filter((i) => i.severity === 'error').map(locate));
  const warnings = sortByPosition(issues.filter((i) => i.severity === 'warning').map(locate));
  if (errors.length > 0) return { ok: false, errors, warnings };
  // The checks guarantee exactly one of selfService / escalate / inform per intent, which is what the type adds.
  return { ok: true, config: parsed.data as ContactCenterConfig, warnings };
}

/** `intents[3].examples`, `prompts.es-ES.greeting`; keys that are not plain names are quoted. */
export function formatConfigPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The JSON Schema editors use (config/contact-center.schema.json), generated from the zod schema. */
export function contactCenterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(contactCenterConfigSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  const definitions = schema['definitions'] as Record<string, Record<string, unknown>> | undefined;
  const intent = definitions?.['Intent'];
  // Zod cannot say "exactly one of these optional fields"; JSON Schema can, so editors flag it too.
  if (intent) intent['oneOf'] = [{ required: ['selfService'] }, { required: ['escalate'] }, { required: ['inform'] }];
  return schema;
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function contactCenterJsonSchemaText(): string {
  return `${JSON.stringify(contactCenterJsonSchema(), null, 2)}\n`;
}

function syntaxError(error: YAMLError, file: string, lineCounter: LineCounter): ConfigError {
  const position = lineCounter.linePos(error.pos[0]);
  const message = error.message.trim().replace(/\.?$/, '.');
  return { file, line: position.line, column: position.col, path: '', message: `YAML syntax error: ${message}` };
}

function sortByPosition(errors: ConfigError[]): ConfigError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}
