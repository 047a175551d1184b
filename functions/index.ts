// Entry point for the Azure Functions host (package.json "main"): registers the function table.
import functionsRuntime from '@azure/functions';
import { loadSettings } from '../bot/config.js';
import { createSwitchboard, type Switchboard } from '../bot/wiring.js';
import { assertNever } from '../bot/assert-never.js';
import { createFunctionTable } from './function-table.js';

// @azure/functions is CommonJS: Node's ESM loader only sees its default export.
const { app } = functionsRuntime;
let switchboard: Promise<Switchboard> | undefined;
const provider = () => (switchboard ??= Promise.resolve().then(() => createSwitchboard(loadSettings())));

for (const fn of createFunctionTable(provider)) {
  switch (fn.trigger) {
    case 'http':
      app.http(fn.name, { methods: [...fn.methods], route: fn.route, authLevel: 'anonymous', handler: fn.handler });
      break;
    case 'eventGrid':
      app.eventGrid(fn.name, { handler: fn.handler });
      break;
    case 'serviceBusQueue':
      app.serviceBusQueue(fn.name, {
        connection: fn.connection,
        queueName: `%${fn.queueNameSetting}%${fn.deadLetterQueue ? '/$DeadLetterQueue' : ''}`,
        isSessionsEnabled: fn.isSessionsEnabled,
        handler: fn.handler,
      });
      break;
    case 'timer':
      app.timer(fn.name, { schedule: fn.schedule, handler: fn.handler });
      break;
    default:
      assertNever(fn, 'function trigger');
  }
}

// A graceful shutdown (scale-in, a deployment) writes the outbox clears still held back, so no
// other instance sends those commands again after the lease.
app.hook.appTerminate(async () => {
  const ready = await switchboard?.catch(() => undefined);
  await ready?.close();
});
