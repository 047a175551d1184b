// The routing bus schedules timers after the delay the app meant, even where the app's clock was
// set to another day (the local stack's `--at`): the broker keeps real time.
import { pino } from 'pino';
import { createServiceBusClient, ServiceBusRoutingBus } from '../../bot/adapters/service-bus-routing-bus.js';
import { routingSchemaVersion } from '../../bot/routing/routing-types.js';
import { SettableClock } from '../../local/host/settable-clock.js';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../local/service-bus/service-bus-emulator.js';

let emulator: ServiceBusEmulator;

beforeAll(async () => {
  emulator = await startServiceBusEmulator({ queues: [{ name: 'routing', requiresSession: true }], logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await emulator.close();
});

it('schedules a timer 90 s after the app\'s now, whatever day the app thinks it is', async () => {
  const client = createServiceBusClient({ connectionString: emulator.connectionString });
  const appClock = new SettableClock();
  appClock.set(new Date('2026-11-26T10:00:00-05:00'));
  const bus = new ServiceBusRoutingBus(client, 'routing', appClock);
  const scheduled = emulator.nextEvent((e) => e.type === 'messageScheduled');
  const due = new Date(appClock.now().getTime() + 90_000);
  await bus.schedule(
    { kind: 'QueueTimerFired', schemaVersion: routingSchemaVersion, messageId: 'timer-1', queueId: 'billing', occurredAt: due.toISOString(), callId: 'call-1', timer: 'maxWait', step: 0 },
    due,
  );
  const event = (await scheduled) as { scheduledEnqueueAtMs: number };
  const inMs = event.scheduledEnqueueAtMs - Date.now();
  expect(inMs).toBeGreaterThan(80_000);
  expect(inMs).toBeLessThanOrEqual(90_000);
  await bus.close();
  await client.close();
});
