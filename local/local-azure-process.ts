// The local Azure in a process of its own, for a benchmark that must not share its CPU with the
// emulators: `tsx local/local-azure-process.ts [--state-folder DIR] [--call-timing JSON] [--cosmos-only]`.
// --cosmos-only starts only the Cosmos emulator, so that it does not share an event loop with Call
// Automation (real Azure runs them apart; a callback signed beside it would delay its answers).
// Prints one JSON line ({ environment, urls }) once every emulator listens; stops when its
// standard input closes (the parent went away) or on SIGTERM / SIGINT.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { CallTiming } from './acs/call-timing.js';
import { startCosmosEmulator } from './cosmos/cosmos-emulator.js';
import { ephemeralPorts, startLocalAzure } from './local-stack.js';

const { values } = parseArgs({ options: { 'state-folder': { type: 'string' }, 'call-timing': { type: 'string' }, 'cosmos-only': { type: 'boolean' } } });
const callTiming = values['call-timing'] ? (JSON.parse(values['call-timing']) as Partial<CallTiming>) : undefined;
const azure = values['cosmos-only']
  ? await startCosmosOnly(values['state-folder'])
  : await startLocalAzure({
      ports: ephemeralPorts,
      logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }),
      ...(values['state-folder'] ? { stateFolder: values['state-folder'] } : {}),
      ...(callTiming ? { callTiming } : {}),
    });

async function startCosmosOnly(stateFolder: string | undefined) {
  const cosmos = await startCosmosEmulator(stateFolder ? { certificateFolder: stateFolder } : {});
  return {
    environment: { COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, COSMOS_CA_CERT_FILE: cosmos.certificateFile ?? '' },
    urls: { cosmos: cosmos.endpoint },
    close: () => cosmos.close(),
  };
}
process.stdout.write(`${JSON.stringify({ environment: azure.environment, urls: azure.urls })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await azure.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
