// `npm start`: the whole local Azure and the app on it, on fixed ports; Ctrl-C stops it cleanly.
import { ContactCenterConfigError, readContactCenterConfig } from '../bot/load-assistant-flow.js';
import { defaultPorts, startLocalStack } from './local-stack.js';
import { sampleAgentsFor } from './sample-agents.js';

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number (0-65535), got "${raw}"`);
    process.exit(2);
  }
  return port;
}

// Your own contact center instead of the sample: CONTACT_CENTER_CONFIG_FILE=my-center.yaml npm start.
// It is checked before anything starts; the sample agents serve those of its queues they know.
const configFile = process.env['CONTACT_CENTER_CONFIG_FILE'] || 'config/contact-center.yaml';
let queueIds: Set<string>;
try {
  queueIds = new Set(readContactCenterConfig(configFile).queues.map((q) => q.queueId));
} catch (error) {
  console.error(error instanceof ContactCenterConfigError ? error.message : `Could not read ${configFile}: ${String(error)}`);
  process.exit(2);
}
const { agents, left } = sampleAgentsFor(queueIds);

const stack = await startLocalStack({
  settings: { CONTACT_CENTER_CONFIG_FILE: configFile },
  ports: {
    functions: portFromEnv('SWITCHBOARD_FUNCTIONS_PORT', defaultPorts.functions),
    callAutomation: portFromEnv('SWITCHBOARD_ACS_PORT', defaultPorts.callAutomation),
    cosmos: portFromEnv('SWITCHBOARD_COSMOS_PORT', defaultPorts.cosmos),
    sampleBackend: portFromEnv('SWITCHBOARD_SAMPLE_BACKEND_PORT', defaultPorts.sampleBackend),
    serviceBus: portFromEnv('SWITCHBOARD_SERVICE_BUS_PORT', defaultPorts.serviceBus),
    graph: portFromEnv('SWITCHBOARD_GRAPH_PORT', defaultPorts.graph),
    speech: portFromEnv('SWITCHBOARD_SPEECH_PORT', defaultPorts.speech),
    entra: portFromEnv('SWITCHBOARD_ENTRA_PORT', defaultPorts.entra),
  },
  agents,
  runTimers: true,
  callTiming: { playDurationPerCharacterInMs: 5 },
}).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Could not start the local stack: ${message}`);
  if (/EADDRINUSE/.test(message)) console.error('A port is taken: stop the other process or set SWITCHBOARD_*_PORT.');
  process.exit(1);
});

const width = Math.max(...Object.keys(stack.urls).map((k) => k.length));
console.log(`\nSwitchboard is running on the local Azure, with ${configFile}.\n`);
if (left.length > 0) {
  const who = left.length === 1 ? `sample agent ${left[0]} is` : `sample agents ${left.join(', ')} are`;
  console.log(`  (${who} not signed in: no queue of theirs is in ${configFile})\n`);
}
for (const [name, url] of Object.entries(stack.urls)) console.log(`  ${name.padEnd(width)}  ${url}`);
console.log('\nApp settings (the same names configure real Azure):\n');
for (const [name, value] of Object.entries(stack.environment)) console.log(`  ${name}=${value}`);
console.log('\nPlace a call:  npx switchboard call --press 1 --say "I want to pay my bill"   (1: English at the language menu)');
console.log('Use the APIs:  curl -H "Authorization: Bearer $(npx switchboard token)" http://127.0.0.1:' + String(new URL(stack.functionsHost.baseUrl).port) + '/api/queues   (a supervisor; --role agent|admin)');
console.log('Stop:          Ctrl-C\n');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    stack.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
