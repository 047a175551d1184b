import { visit, type Document, type LineCounter } from 'yaml';

/** A problem the yaml library reports only by throwing when the data is read, located for an editor. */
export interface YamlDataProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * The document's data, or where and why it cannot be read: an alias (`*name`) whose anchor is not
 * set before it, or aliases that expand past `maxAliasCount` (a file built to exhaust memory). The
 * yaml library throws a ReferenceError for both instead of listing them with its syntax errors.
 */
export function yamlDocumentData(doc: Document, lineCounter: LineCounter, maxAliasCount: number): { readonly data: unknown } | { readonly problem: YamlDataProblem } {
  let unresolved: YamlDataProblem | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return undefined;
      const position = lineCounter.linePos(alias.range?.[0] ?? 0);
      unresolved = {
        line: position.line,
        column: position.col,
        message: `YAML syntax error: the alias *${alias.source} names no anchor; set &${alias.source} on a value before it.`,
      };
      return visit.BREAK;
    },
  });
  if (unresolved) return { problem: unresolved };
  try {
    return { data: doc.toJS({ maxAliasCount }) };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return { problem: { line: 1, column: 1, message: `YAML aliases expand to more than ${maxAliasCount} copies; write the values out instead.` } };
  }
}
