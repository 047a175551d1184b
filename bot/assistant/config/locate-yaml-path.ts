import { isAlias, isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigPath } from './check-contact-center-config.js';

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/**
 * Where in the YAML source a config path is written. A scalar points at its value; a list or map
 * at the key that introduces it (`examples:`); a missing field at the nearest enclosing entry that
 * exists. `at: 'key'` points at the map key itself (an unknown field, a bad language code).
 */
export function locateYamlPath(doc: Document, lineCounter: LineCounter, path: ConfigPath, at?: 'key'): SourcePosition {
  let node: unknown = doc.contents;
  let key: Node | null = null;
  let found = true;
  for (const segment of path) {
    const current = resolve(doc, node);
    let next: { node: unknown; key: Node | null } | undefined;
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
      if (pair) next = { node: pair.value, key: isNode(pair.key) ? pair.key : null };
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment];
      if (item !== undefined) next = { node: item, key: null };
    }
    if (!next) {
      found = false;
      break;
    }
    node = next.node;
    key = next.key;
  }
  const target = resolve(doc, node);
  let offset: number | undefined;
  if (found && at === 'key' && key) offset = key.range?.[0];
  else if (found && isScalar(target)) offset = target.range?.[0];
  else if (key) offset = key.range?.[0];
  else if (isNode(target)) offset = target.range?.[0];
  const position = lineCounter.linePos(offset ?? 0);
  return { line: position.line, column: position.col };
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}
