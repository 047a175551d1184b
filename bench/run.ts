// `npm run bench` runs every benchmark; `npm run bench -- <name> [args]` runs one (bench/<name>.ts).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Bench = (args: string[]) => Promise<void>;

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('bench-'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name !== undefined && !available.includes(name)) {
  console.error(`Unknown benchmark "${name}". Available: ${available.join(', ')}`);
  process.exit(2);
}
for (const bench of name === undefined ? available : [name]) {
  const mod = (await import(pathToFileURL(join(here, `${bench}.ts`)).href)) as { default: Bench };
  console.log(`\n== bench ${bench} ==`);
  await mod.default(rest);
}
