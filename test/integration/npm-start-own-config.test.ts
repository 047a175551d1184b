// `npm start` with your own contact center: CONTACT_CENTER_CONFIG_FILE=my-center.yaml npm start.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sample = readFileSync(join(root, 'config', 'contact-center.yaml'), 'utf8');

interface Started {
  readonly folder: string;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  /** Resolves when the output matches (or rejects when the process exits first). */
  readonly waitFor: (pattern: RegExp) => Promise<void>;
  readonly stop: () => Promise<number | null>;
}

/** local/start.ts in a folder of its own (its .local), on free ports, with the given config file. */
function npmStart(configFile: string): Started {
  const folder = mkdtempSync(join(tmpdir(), 'sb-start-'));
  const ports = ['FUNCTIONS', 'ACS', 'COSMOS', 'SAMPLE_BACKEND', 'SERVICE_BUS', 'GRAPH'].map((p) => [`SWITCHBOARD_${p}_PORT`, '0']);
  // tsx by path: the folder it runs in has no node_modules.
  const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(root, 'local', 'start.ts')], {
    cwd: folder,
    env: { ...process.env, ...Object.fromEntries(ports), CONTACT_CENTER_CONFIG_FILE: configFile, LOG_LEVEL: 'warn' },
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const listener of listeners) listener();
    resolve(code);
  }));
  return {
    folder,
    exited,
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(output)) {
            listeners.delete(check);
            resolve();
          } else if (child.exitCode !== null) {
            listeners.delete(check);
            reject(new Error(`exited ${child.exitCode} before ${pattern}:\n${output}`));
          }
        };
        listeners.add(check);
        check();
      }),
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm start with CONTACT_CENTER_CONFIG_FILE', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sb-config-'));

  it('refuses an invalid config before starting anything, naming file, line and field', async () => {
    const file = join(folder, 'broken.yaml');
    writeFileSync(file, sample.replace('    dateRange: future', '    dateRange: later'));
    const started = npmStart(file);
    expect(await started.exited).toBe(2);
    expect(started.output()).toMatch(new RegExp(`${file}:\\d+:\\d+ +slots\\[2\\]\\.dateRange +A date range is future, past or any\\.`));
    expect(started.output()).not.toContain('running');
  });

  it('runs that contact center: its prompts and queues, with the sample agents who serve them', async () => {
    const file = join(folder, 'fabrikam.yaml');
    writeFileSync(file, sample.replaceAll('Contoso Broadband', 'Fabrikam Fibre').replace('queueId: sales', 'queueId: shop').replaceAll('queue: sales', 'queue: shop'));
    const started = npmStart(file);
    try {
      await started.waitFor(/Stop: +Ctrl-C/);
      expect(started.output()).toContain(`running on the local Azure, with ${file}`);
      expect(started.output()).toContain(`sample agent dev is not signed in: no queue of theirs is in ${file}`);
      // The switchboard CLI finds the stack through the .local/stack.json npm start wrote where it ran.
      const call = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, [join(root, 'bin', 'switchboard.js'), 'call', '--press', '1', '--hang-up'], { cwd: started.folder, timeout: 60_000 }, (error, out) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, out }),
        );
      });
      expect(call.out).toContain('Thank you for calling Fabrikam Fibre.');
      expect(call.code).toBe(0);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  });
});
