// The app scaled out: two instances of the Functions app on the same local Azure, behind a load
// balancer that sends each request (IncomingCall, every callback) to the other instance in turn, as
// a scaled-out Function app may. Each instance remembers the calls it handled and holds back outbox
// clears for them; callers must not notice: the same prompts, once each, the same outcomes.
import { mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ActionRunner } from '../../bot/ports.js';
import { openCosmosDatabase } from '../../bot/adapters/cosmos-database.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import { ephemeralPorts, startLocalApp, startLocalAzure, type LocalApp, type LocalAzure } from '../../local/local-stack.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { testAgent } from '../support/test-stack.js';

let azure: LocalAzure;
const apps: LocalApp[] = [];
let balancer: Server;
const served = [0, 0];
const logger = pino({ level: 'silent' });
const actions: ActionRunner = {
  run: async (action, { slots }) =>
    action === 'orderStatus' && slots['orderNumber'] === '123456'
      ? { status: 'succeeded', say: { prompt: 'orderFound', values: { status: 'shipped' } } }
      : { status: 'notFound', say: { prompt: 'orderNotFound' } },
};
const alice = testAgent('alice', ['billing'], { billing: 5 });

/** Round robin over the instances' hosts, body and status passed through unchanged. */
function startBalancer(): Promise<Server> {
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const index = next++ % apps.length;
    served[index]!++;
    const target = new URL(apps[index]!.functionsHost.baseUrl);
    const forwarded = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  azure = await startLocalAzure({ ports: ephemeralPorts, stateFolder: mkdtempSync(join(tmpdir(), 'sb-two-')), logger });
  balancer = await startBalancer();
  const front = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  for (let i = 0; i < 2; i++) {
    apps.push(
      await startLocalApp({
        environment: { ...azure.environment, CALLBACK_BASE_URL: front },
        functionsPort: 0,
        logger,
        serviceBusTimeoutInMs: 2000,
        overrides: {
          flow: testFlow({ understandings: { 'where is my order': sure('orderStatus'), 'my bill is wrong': sure('billing') } }),
          actions,
          queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', requiredSkills: [{ skill: 'billing', minProficiency: 1 }], ringTimeInSeconds: 20, announcementIntervalInSeconds: 0 })],
        },
      }),
    );
  }
  azure.teams.upsert({ userId: alice.teamsUserId, displayName: alice.displayName, availability: 'Available', ringBehaviour: alice.ringBehaviour });
  const signedIn = await apps[0]!.switchboard.putAgent(alice.agentId, { teamsUserId: alice.teamsUserId, displayName: alice.displayName, skills: alice.skills, queueIds: alice.queueIds, state: 'ready' });
  expect(signedIn.status).toBe(200);
  await apps[0]!.switchboard.refreshPresence();
  const eventGrid = new URL(apps[0]!.functionsHost.eventGridUrl('incoming-call'));
  await azure.callAutomation.setIncomingCallWebhook(`${front}${eventGrid.pathname}${eventGrid.search}`);
}, 60_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  await new Promise((resolve) => balancer?.close(resolve));
  await azure?.close();
});

const heardOf = (entries: readonly { kind: string }[]) => entries.filter((e) => e.kind === 'heard').map((e) => (e as { text?: string; fileUrl?: string }).text ?? (e as { fileUrl?: string }).fileUrl);

describe('two instances behind a round-robin load balancer', () => {
  it('serves self-service calls whose callbacks alternate between the instances: each prompt heard once, in order', async () => {
    for (const from of ['+14255550131', '+14255550132', '+14255550133']) {
      const before = [...served];
      const placed = await azure.callAutomation.placeCall({
        from,
        to: '+18005550100',
        script: [{ say: 'where is my order' }, { press: '123456' }, { say: 'yes' }, { say: "no that's all" }],
      });
      const conversation = await azure.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
      expect(heardOf(conversation.entries)).toEqual(['<greeting> <openQuestion>', '<askOrderNumber>', '<confirmSlot 1 2 3, 4 5 6>', '<orderFound shipped> <anythingElse>', '<goodbye>']);
      expect(conversation.endReason).toBe('appHungUp');
      // Both instances had a share of this call.
      expect(served[0]! - before[0]!).toBeGreaterThan(2);
      expect(served[1]! - before[1]!).toBeGreaterThan(2);
      await azure.callAutomation.callbacksIdle();
      const history = await apps[1]!.switchboard.getCallHistory(conversation.correlationId);
      expect((history?.state as { endReason?: string }).endReason).toBe('completed');
      expect(history?.history.map((h) => h.entry.kind)).not.toContain('commandFailed');
    }
  });

  it('routes an escalated call to the agent while its callbacks alternate, and leaves no outbox entry behind', async () => {
    const placed = await azure.callAutomation.placeCall({ from: '+14255550134', to: '+12125550100', script: [{ say: 'my bill is wrong' }, { hangUp: true }], whenScriptEnds: 'wait' });
    const conversation = await azure.callAutomation.waitForConversation(placed.simulatedCallId, (c) =>
      c.entries.some((e) => e.kind === 'callEvent' && (e as { description: string }).description === 'joined'),
    );
    expect(heardOf(conversation.entries).slice(0, 2)).toEqual(['<greeting> <openQuestion>', '<transferring>']);
    await azure.callAutomation.hangUp(placed.simulatedCallId);
    const ended = await azure.callAutomation.waitForCallEnd(placed.simulatedCallId, 20_000);
    await azure.callAutomation.callbacksIdle();
    const history = await apps[0]!.switchboard.getCallHistory(ended.correlationId);
    expect((history?.state as { stage?: string }).stage).toBe('ended');
    expect(history?.history.filter((h) => h.entry.kind === 'routingDecision')).not.toHaveLength(0);
    // Stopping the instances writes the clears they still hold: every call's outbox is empty.
    const { settings } = apps[0]!;
    for (const app of apps.splice(0)) await app.close();
    const { database } = openCosmosDatabase({ endpoint: settings.COSMOS_ENDPOINT, databaseId: settings.COSMOS_DATABASE, key: settings.COSMOS_KEY, caCertificateFile: settings.COSMOS_CA_CERT_FILE });
    const { resources } = await database.container('calls').items.query<{ outbox?: unknown[] }>('SELECT c.outbox FROM c WHERE IS_DEFINED(c.outbox)').fetchAll();
    database.client.dispose();
    expect(resources.length).toBe(4);
    expect(resources.flatMap((r) => r.outbox ?? [])).toEqual([]);
  });
});
