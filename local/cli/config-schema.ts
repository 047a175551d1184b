import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { contactCenterJsonSchemaText } from '../../bot/assistant/contact-center-config.js';

export const contactCenterSchemaFile = 'config/contact-center.schema.json';

/**
 * Writes config/contact-center.schema.json from the zod schema (`npx tsx local/cli/config-schema.ts`);
 * `--check` only reports whether the committed file is current (exit 1 when it has drifted).
 */
export async function configSchema(args: string[], root = process.cwd()): Promise<number> {
  const file = resolve(root, contactCenterSchemaFile);
  const text = contactCenterJsonSchemaText();
  if (args.includes('--check')) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed === text) return 0;
    console.error(`${contactCenterSchemaFile} is out of date: run npx tsx local/cli/config-schema.ts`);
    return 1;
  }
  await writeFile(file, text);
  console.log(`wrote ${contactCenterSchemaFile}`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await configSchema(process.argv.slice(2));
}
