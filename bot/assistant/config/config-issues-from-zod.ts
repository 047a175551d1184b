import type { z } from 'zod';
import type { ConfigIssue, ConfigPath } from './check-contact-center-config.js';
import { closestName } from './closest-name.js';

/**
 * Marks issues that carry zod's generic message, so they get a sentence written for ops; messages
 * written in the schema (`{ error: '…' }`) take precedence over a per-parse error map and are kept.
 */
const generic = '\u0000generic';

export type ZodParseResult<T> = { success: true; data: T } | { success: false; issues: ConfigIssue[] };

/** Parse with `schema`; on failure, one issue per problem, each a sentence with the path it is about. */
export function parseWithConfigIssues<S extends z.ZodType>(schema: S, data: unknown): ZodParseResult<z.output<S>> {
  const result = schema.safeParse(data, { error: () => generic, reportInput: true });
  if (result.success) return { success: true, data: result.data };
  return { success: false, issues: result.error.issues.flatMap((issue) => toConfigIssues(schema, data, issue)) };
}

function toConfigIssues(root: z.ZodType, data: unknown, issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const own = issue.message === generic ? undefined : issue.message;
  const field = path[path.length - 1];
  if (typeof field === 'string' && issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key' && isMissing(data, path)) {
    // A schema's own message describes a bad value; a field that is not there at all needs saying so.
    return [{ path, message: `Missing required field "${field}".`, severity: 'error' }];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(root, path, data);
      return issue.keys.map((key) => {
        const hint = closestName(key, known);
        const message = hint
          ? `Unknown field "${key}". Did you mean "${hint}"?`
          : `Unknown field "${key}"${known.length > 0 ? ` (allowed here: ${known.join(', ')})` : ''}.`;
        return { path: [...path, key], message, severity: 'error', at: 'key' } as const;
      });
    }
    case 'invalid_key': {
      const inner = issue.issues.map((i) => (i.message === generic ? undefined : i.message)).find((m) => m !== undefined);
      const key = path[path.length - 1];
      return [{ path, message: own ?? `"${String(key)}" is not allowed as a key here.${inner ? ` ${inner}` : ''}`, severity: 'error', at: 'key' }];
    }
    default:
      return [{ path, message: own ?? genericMessage(issue, path), severity: 'error' }];
  }
}

function isMissing(data: unknown, path: ConfigPath): boolean {
  let value = data;
  for (const segment of path.slice(0, -1)) {
    if (value === null || typeof value !== 'object') return false;
    value = (value as Record<string | number, unknown>)[segment];
  }
  const last = path[path.length - 1];
  return value !== null && typeof value === 'object' && !Array.isArray(value) && last !== undefined && !(last in value);
}

function genericMessage(issue: z.core.$ZodIssue, path: ConfigPath): string {
  const field = path[path.length - 1];
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) {
        return typeof field === 'string' ? `Missing required field "${field}".` : 'A value is required here.';
      }
      return `Expected ${describeExpected(issue.expected)}, but found ${describeValue(issue.input)}.`;
    case 'too_small':
      return describeBound(issue.origin, 'least', Number(issue.minimum), issue.inclusive !== false, issue.input);
    case 'too_big':
      return describeBound(issue.origin, 'most', Number(issue.maximum), issue.inclusive !== false, issue.input);
    case 'invalid_value':
      return issue.values.length === 1
        ? `Must be ${JSON.stringify(issue.values[0])}.`
        : `Must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'invalid_format':
      return issue.format === 'url' ? 'Must be a URL.' : `Does not have the expected form (${issue.pattern ?? issue.format}).`;
    case 'not_multiple_of':
      return `Must be a multiple of ${issue.divisor}.`;
    case 'invalid_union':
      return 'Does not match any of the allowed forms.';
    case 'unrecognized_keys':
    case 'invalid_key':
    case 'invalid_element':
    case 'custom':
      return 'This value is not valid here.';
  }
}

function describeBound(origin: string, side: 'least' | 'most', limit: number, inclusive: boolean, input: unknown): string {
  switch (origin) {
    case 'array': {
      const found = Array.isArray(input) ? `; found ${input.length}` : '';
      return `Needs at ${side} ${limit} item${limit === 1 ? '' : 's'}${found}.`;
    }
    case 'string':
      if (side === 'least' && limit === 1) return 'Must not be empty.';
      return `Must be at ${side} ${limit} characters long.`;
    default:
      if (!inclusive) return `Must be ${side === 'least' ? 'greater' : 'less'} than ${limit}.`;
      return `Must be at ${side} ${limit}.`;
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping of fields (key: value)';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'a mapping of fields';
    default:
      return typeof value;
  }
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, ZodLike>;
  readonly innerType?: ZodLike;
  readonly in?: ZodLike;
  readonly element?: ZodLike;
  readonly valueType?: ZodLike;
  readonly options?: readonly ZodLike[];
  readonly values?: readonly unknown[];
}
interface ZodLike {
  readonly _zod: { readonly def: SchemaDef };
}

/** Field names the schema allows for the object at `path`, for "did you mean" hints. */
function knownKeysAt(root: z.ZodType, path: ConfigPath, data: unknown): string[] {
  let candidates: ZodLike[] = [root as unknown as ZodLike];
  let value = data;
  const objectsOf = (schemas: readonly ZodLike[], at: unknown): ZodLike[] =>
    schemas.flatMap((schema) => {
      const def = schema._zod.def;
      if (def.innerType) return objectsOf([def.innerType], at);
      if (def.type === 'pipe' && def.in) return objectsOf([def.in], at);
      if (def.type === 'union' && def.options) return pickUnionOptions(objectsOf(def.options, at), at);
      return [schema];
    });
  for (const segment of path) {
    candidates = objectsOf(candidates, value).flatMap((schema) => {
      const def = schema._zod.def;
      if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) return [def.shape[segment]];
      if (def.type === 'array' && typeof segment === 'number' && def.element) return [def.element];
      if (def.type === 'record' && def.valueType) return [def.valueType];
      return [];
    });
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
  }
  const keys = objectsOf(candidates, value).flatMap((schema) => Object.keys(schema._zod.def.shape ?? {}));
  return [...new Set(keys)];
}

/** The object options of a union whose literal fields agree with the data (a discriminated union's branch). */
function pickUnionOptions(options: ZodLike[], value: unknown): ZodLike[] {
  if (value === null || typeof value !== 'object') return options;
  const matching = options.filter((option) =>
    Object.entries(option._zod.def.shape ?? {}).every(([key, field]) => {
      const def = field._zod.def;
      return def.type !== 'literal' || (def.values ?? []).includes((value as Record<string, unknown>)[key]);
    }),
  );
  return matching.length > 0 ? matching : options;
}
