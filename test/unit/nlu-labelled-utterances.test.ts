import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  LabelledDataError,
  formatFromFileName,
  parseClincJson,
  parseCsvUtterances,
  parseJsonlUtterances,
  parseLabelledUtterances,
} from '../../bot/assistant/nlu/labelled-utterances.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/nlu/${name}`, import.meta.url)), 'utf8');

describe('CSV of text,label', () => {
  it('handles quoting: commas, doubled quotes and line breaks inside a field, columns in any order', () => {
    expect(parseCsvUtterances(fixture('tricky.csv'), 'tricky.csv')).toEqual([
      { text: 'my bill says "paid" but you charged me again', label: 'billing' },
      { text: 'pay $45.50, please', label: 'payment' },
      { text: 'the internet is down\nsince this morning', label: 'outage' },
    ]);
  });

  it('reads two columns without a header as text then label', () => {
    expect(parseCsvUtterances('pay my bill,payment\r\nis there an outage,outage\r\n', 'x.csv')).toEqual([
      { text: 'pay my bill', label: 'payment' },
      { text: 'is there an outage', label: 'outage' },
    ]);
  });

  it('names the file and line of a row with the wrong number of columns', () => {
    expect(() => parseCsvUtterances('text,label\npay my bill,payment\nbroken row\n', 'intents.csv')).toThrow(
      new LabelledDataError('intents.csv:3: expected 2 columns (text,label), found 1'),
    );
  });

  it('rejects an empty label, an unterminated quote and an empty file', () => {
    expect(() => parseCsvUtterances('text,label\npay my bill,\n', 'a.csv')).toThrow('a.csv:2: label is missing or empty');
    expect(() => parseCsvUtterances('text,label\n"pay my bill,payment\n', 'b.csv')).toThrow(/^b\.csv.*not valid CSV/);
    expect(() => parseCsvUtterances('text,label\n', 'c.csv')).toThrow('c.csv: no utterances');
  });
});

describe('JSONL of {"text","label"}', () => {
  it('reads one object per line, skipping blank lines and ignoring extra fields', () => {
    expect(parseJsonlUtterances(fixture('small.jsonl'), 'small.jsonl')).toEqual([
      { text: 'where is my order', label: 'order_status' },
      { text: 'cancel my service', label: 'cancellation' },
    ]);
  });

  it('names the line that is not JSON or lacks a field', () => {
    expect(() => parseJsonlUtterances('{"text":"a","label":"b"}\n{oops\n', 'd.jsonl')).toThrow('d.jsonl:2: not a JSON object');
    expect(() => parseJsonlUtterances('{"label":"b"}\n', 'e.jsonl')).toThrow('e.jsonl:1: text is missing or empty');
    expect(() => parseJsonlUtterances('["a","b"]\n', 'f.jsonl')).toThrow('f.jsonl:1: expected an object with "text" and "label"');
  });
});

describe('CLINC150 JSON', () => {
  it('gives each split merged with its out-of-scope examples', () => {
    const splits = parseClincJson(fixture('clinc-mini.json'), 'clinc-mini.json');
    expect(splits.train).toHaveLength(5);
    expect(splits.train.at(-1)).toEqual({ text: 'how tall is the eiffel tower', label: 'oos' });
    expect(splits.validation.map((e) => e.label)).toEqual(['balance', 'pay_bill', 'oos']);
    expect(splits.test[0]).toEqual({ text: 'what is my account balance', label: 'balance' });
    expect(parseLabelledUtterances(fixture('clinc-mini.json'), 'clinc', 'clinc-mini.json', 'test')).toEqual(splits.test);
  });

  it('explains what is wrong with a file that is not CLINC150', () => {
    expect(() => parseClincJson('{"train": [["only text"]], "val": [], "test": []}', 'x.json')).toThrow(/^x\.json: not a CLINC150 file.*problem at train\.0/);
    expect(() => parseClincJson('[1, 2', 'y.json')).toThrow(/^y\.json: not valid JSON/);
  });
});

it('picks the format from the file name', () => {
  expect(['a.json', 'b.CSV', 'c.jsonl', 'd.ndjson', 'e.txt'].map(formatFromFileName)).toEqual(['clinc', 'csv', 'jsonl', 'jsonl', undefined]);
});
