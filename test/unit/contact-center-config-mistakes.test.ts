import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseContactCenterConfig } from '../../bot/assistant/contact-center-config.js';

/**
 * Each file in test/fixtures/config/mistakes/ is the minimal config with one kind of mistake. The
 * line a problem must be reported on ends in `# error: <path> ~ <words the message contains>`.
 */
const dir = join(import.meta.dirname, '..', 'fixtures', 'config', 'mistakes');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

interface Expected {
  line: number;
  path: string;
  words: string;
}

function expectedErrors(text: string): Expected[] {
  return text.split('\n').flatMap((content, index) => {
    const match = /# error: (\S*)\s+~ (.+)$/.exec(content);
    return match ? [{ line: index + 1, path: match[1] ?? '', words: (match[2] ?? '').trim() }] : [];
  });
}

describe('a config with a mistake', () => {
  it('has fixtures for every kind of mistake', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bad-type.yaml',
        'missing-field.yaml',
        'unknown-queue.yaml',
        'duplicate-dtmf-key.yaml',
        'bad-time-zone.yaml',
        'yaml-syntax.yaml',
      ]),
    );
  });

  it.each(files)('%s: reports exactly the marked lines and fields', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const expected = expectedErrors(text);
    expect(expected.length).toBeGreaterThan(0);

    const result = parseContactCenterConfig(text, file);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => ({ line: e.line, path: e.path }))).toEqual(expected.map((e) => ({ line: e.line, path: e.path })));
    result.errors.forEach((error, i) => {
      expect(error.file).toBe(file);
      expect(error.message).toContain(expected[i]?.words);
      expect(error.message).toMatch(/^[A-Z"].*\.$|\?$/);
    });
  });
});
