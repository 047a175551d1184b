import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));

/** Runs the `switchboard` command as a user would (npx switchboard ...). */
function switchboard(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err });
    });
  });
}

describe('switchboard', () => {
  it('prints its usage for --help or -h after any command, and exits 0', async () => {
    for (const args of [['call', '--help'], ['flow', 'test', '-h'], ['--help']]) {
      const { code, out, err } = await switchboard(args);
      expect({ args, code, err }).toEqual({ args, code: 0, err: '' });
      expect(out).toContain('Usage: switchboard <command>');
      expect(out).toContain('call [--from NUMBER]');
    }
  });

  it('names an unknown command and exits 2', async () => {
    const { code, err } = await switchboard(['dial']);
    expect(code).toBe(2);
    expect(err).toContain('Unknown command "dial".');
  });
});
