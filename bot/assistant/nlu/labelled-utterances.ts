import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { assertNever } from '../../assert-never.js';
import type { LabelledUtterance } from './intent-classifier.js';

/** A labelled data file that cannot be used, with a message that names the file and the place. */
export class LabelledDataError extends Error {
  override readonly name = 'LabelledDataError';
}

export type LabelledDataFormat = 'clinc' | 'csv' | 'jsonl';

/** The splits of a CLINC150 file; each in-scope split is merged with its out-of-scope one. */
export interface ClincSplits {
  readonly train: LabelledUtterance[];
  readonly validation: LabelledUtterance[];
  readonly test: LabelledUtterance[];
}

export type ClincSplitName = keyof ClincSplits;

const clincPair = z.tuple([z.string().min(1), z.string().min(1)]);
const clincFile = z.object({
  train: z.array(clincPair),
  val: z.array(clincPair),
  test: z.array(clincPair),
  oos_train: z.array(clincPair).default([]),
  oos_val: z.array(clincPair).default([]),
  oos_test: z.array(clincPair).default([]),
});

const toUtterance = ([text, label]: readonly [string, string]): LabelledUtterance => ({ text, label });

export function formatFromFileName(fileName: string): LabelledDataFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'clinc';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

/** CLINC150's data_full.json / data_small.json layout: split name -> [text, label][]; "oos" marks out of scope. */
export function parseClincJson(content: string, source: string): ClincSplits {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new LabelledDataError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = clincFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'top level' : issue.path.join('.');
    throw new LabelledDataError(
      `${source}: not a CLINC150 file (expected keys train, val, test [, oos_train, oos_val, oos_test] holding [text, label] pairs); ` +
        `problem at ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const d = parsed.data;
  return {
    train: [...d.train, ...d.oos_train].map(toUtterance),
    validation: [...d.val, ...d.oos_val].map(toUtterance),
    test: [...d.test, ...d.oos_test].map(toUtterance),
  };
}

function checkedUtterance(text: unknown, label: unknown, source: string, line: number): LabelledUtterance {
  if (typeof text !== 'string' || text.trim() === '') throw new LabelledDataError(`${source}:${line}: text is missing or empty`);
  if (typeof label !== 'string' || label.trim() === '') throw new LabelledDataError(`${source}:${line}: label is missing or empty`);
  return { text, label: label.trim() };
}

/**
 * CSV of utterances, RFC 4180 quoting. A first row naming the columns "text" and "label" picks
 * them (other columns are ignored); without one, column 1 is the text and column 2 the label.
 */
export function parseCsvUtterances(content: string, source: string): LabelledUtterance[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(content, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof rows;
  } catch (error) {
    const line = error instanceof CsvError && typeof error.lines === 'number' ? `:${error.lines}` : '';
    throw new LabelledDataError(`${source}${line}: not valid CSV (${(error as Error).message})`);
  }
  const header = (rows[0]?.record ?? []).map((cell) => cell.trim().toLowerCase());
  const hasHeader = header.includes('text') && header.includes('label');
  const textColumn = hasHeader ? header.indexOf('text') : 0;
  const labelColumn = hasHeader ? header.indexOf('label') : 1;
  const width = hasHeader ? header.length : 2;
  // info.lines is the line a record ends on (a quoted field may span lines).
  const utterances = rows.slice(hasHeader ? 1 : 0).map(({ record, info }) => {
    if (record.length !== width) {
      throw new LabelledDataError(`${source}:${info.lines}: expected ${width} columns (text,label), found ${record.length}`);
    }
    return checkedUtterance(record[textColumn], record[labelColumn], source, info.lines);
  });
  if (utterances.length === 0) throw new LabelledDataError(`${source}: no utterances`);
  return utterances;
}

/** One JSON object per line: {"text": "...", "label": "..."}; blank lines are skipped. */
export function parseJsonlUtterances(content: string, source: string): LabelledUtterance[] {
  const utterances: LabelledUtterance[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new LabelledDataError(`${source}:${i + 1}: not a JSON object`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new LabelledDataError(`${source}:${i + 1}: expected an object with "text" and "label"`);
    }
    const record = value as Record<string, unknown>;
    utterances.push(checkedUtterance(record.text, record.label, source, i + 1));
  });
  if (utterances.length === 0) throw new LabelledDataError(`${source}: no utterances`);
  return utterances;
}

/**
 * Reads one role's utterances from a file's content: a CSV or JSONL file is the data itself; a
 * CLINC150 file gives its split for that role (train, validation or test, with out-of-scope).
 */
export function parseLabelledUtterances(
  content: string,
  format: LabelledDataFormat,
  source: string,
  clincSplit: ClincSplitName,
): LabelledUtterance[] {
  switch (format) {
    case 'clinc':
      return parseClincJson(content, source)[clincSplit];
    case 'csv':
      return parseCsvUtterances(content, source);
    case 'jsonl':
      return parseJsonlUtterances(content, source);
    default:
      return assertNever(format, 'labelled data format');
  }
}
