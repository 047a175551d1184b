#!/usr/bin/env node
// The `switchboard` command: runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../local/cli/switchboard.ts');
process.exitCode = await main(process.argv.slice(2));
