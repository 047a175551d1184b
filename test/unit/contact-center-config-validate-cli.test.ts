import { join } from 'node:path';
import { configValidate } from '../../local/cli/config-validate.js';

const root = join(import.meta.dirname, '..', '..');
const fixture = (name: string) => join(root, 'test', 'fixtures', 'config', name);

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await configValidate(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('switchboard config validate', () => {
  it('says OK with a summary for the sample config', async () => {
    const file = join(root, 'config', 'contact-center.yaml');
    expect(await run([file])).toEqual({
      code: 0,
      out: [`OK: ${file} (14 intents, 4 queues, 2 languages, 3 numbers, 3 schedules, 2 actions, 7 skills)`],
      err: [],
    });
  });

  it('prints each error as file:line:column  path  message and exits 1', async () => {
    const file = fixture('mistakes/unknown-queue.yaml');
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `${file}:56:24  intents[1].escalate.queue  Queue "biling" is not defined in queues. Did you mean "billing"?`,
      `${file}: 1 error.`,
    ]);
  });

  it('prints a YAML syntax error without a field', async () => {
    const file = fixture('mistakes/yaml-syntax.yaml');
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:45:\\d+  YAML syntax error: `));
  });

  it('prints warnings but still passes a valid file', async () => {
    const file = fixture('warnings/unused-queue.yaml');
    const result = await run([file]);
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      `${file}:64:16  queues[0].queueId  warning: No number, intent or overflow sends callers to queue "unused".`,
      `OK: ${file} (2 intents, 2 queues, 1 language, 1 number, 1 schedule, 0 actions, 1 skill)`,
    ]);
  });

  it('exits 2 on a usage error or an unreadable file', async () => {
    expect(await run([])).toMatchObject({ code: 2, err: [expect.stringContaining('Missing the config file to validate.')] });
    expect(await run(['a.yaml', 'b.yaml'])).toMatchObject({ code: 2, err: [expect.stringContaining('Expected exactly one file.')] });
    expect(await run([fixture('no-such-file.yaml')])).toEqual({ code: 2, out: [], err: [`${fixture('no-such-file.yaml')}: no such file.`] });
  });

  it('prints usage with --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toContain('Usage: switchboard config validate <file>');
  });
});
