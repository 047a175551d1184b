// The agent, supervisor and admin APIs take Entra ID access tokens (the local Entra ID signs them,
// the app checks them against its published keys) and the caller's app roles: an agent acts for
// themselves and on the calls they are on, a supervisor on any agent or call, an admin also edits
// agents. Callbacks, the hold tone and health stay public (Call Automation and probes call them).
import { apiRoles } from '../../bot/api-access.js';
import { parseQueueDefinition } from '../../bot/routing/routing-messages.js';
import { startEntraEmulator, type EntraEmulator, type TokenRequest } from '../../local/entra/entra-emulator.js';
import type { LocalStack } from '../../local/local-stack.js';
import { apiFetch, operator } from '../support/api-fetch.js';
import { settled as stackSettled } from '../support/stack-settled.js';
import { sure, testFlow } from '../support/test-assistant-flow.js';
import { startTestStack, testAgent, unusedActions } from '../support/test-stack.js';

const alice = testAgent('alice', ['billing'], { billing: 5 });
const bob = testAgent('bob', ['billing'], { billing: 3, support: 4 });
const asAgent = (agent: { teamsUserId: string }): TokenRequest => ({ objectId: agent.teamsUserId, roles: [apiRoles.agent] });
const supervisor: TokenRequest = { objectId: '5e900000-0000-4000-8000-000000000001', roles: [apiRoles.supervisor] };
let stack: LocalStack;
let stranger: EntraEmulator;

beforeAll(async () => {
  stack = await startTestStack({
    overrides: {
      flow: testFlow({ understandings: { 'my bill is wrong': sure('billing') } }),
      actions: unusedActions,
      queues: [parseQueueDefinition({ queueId: 'billing', name: 'Billing', announcementIntervalInSeconds: 0 }), parseQueueDefinition({ queueId: 'general', name: 'General' })],
    },
    agents: [alice, bob],
  });
  // Another tenant's Entra ID: its tokens are well formed and signed, by keys the app does not trust.
  stranger = await startEntraEmulator();
}, 60_000);
afterAll(async () => {
  await stranger?.close();
  await stack?.close();
});

const settled = () => stackSettled(stack);
const raw = (path: string, init: RequestInit = {}) => fetch(`${stack.functionsHost.baseUrl}/api/${path}`, init);
const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const withToken = (token: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { authorization: `Bearer ${token}` } });

describe('signing in to the APIs', () => {
  it('refuses a request without a valid token from this tenant for this API, saying why', async () => {
    const anonymous = await raw('agents');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'sign in: send an Entra ID access token as Authorization: Bearer <token>' });
    expect((await raw('agents/alice/state', post({ state: 'notReady' }))).status).toBe(401);
    expect((await raw('queues/billing/statistics')).status).toBe(401);
    const expired = await raw('agents', withToken(await stack.entra.issueToken({ ...operator, expiresInSeconds: -3600 })));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'token refused: expired' });
    expect((await raw('agents', withToken(await stack.entra.issueToken({ ...operator, audience: 'some-other-api' })))).status).toBe(401);
    expect((await raw('agents', withToken(await stranger.issueToken(operator)))).status).toBe(401);
    // Nothing was changed by the refused requests.
    expect(((await (await apiFetch(stack, 'agents')).json()) as { value: { agentId: string; state: string }[] }).value.map((a) => a.state)).toEqual(['ready', 'ready']);
    // Call Automation, Graph and probes do not sign in.
    expect((await raw('health')).status).toBe(200);
    expect((await raw('media/hold-tone.wav')).status).toBe(200);
  });

  it('lets an agent change their own state, and no one else’s', async () => {
    expect((await apiFetch(stack, 'agents/alice/state', post({ state: 'notReady', reason: 'break' }), asAgent(alice))).status).toBe(200);
    const other = await apiFetch(stack, 'agents/bob/state', post({ state: 'notReady' }), asAgent(alice));
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'an agent may act only for themselves' });
    // An unknown agent is refused to an agent like someone else's; a supervisor learns it does not exist.
    expect((await apiFetch(stack, 'agents/zed/state', post({ state: 'ready' }), asAgent(alice))).status).toBe(403);
    expect((await apiFetch(stack, 'agents/zed/state', post({ state: 'ready' }), supervisor)).status).toBe(404);
    expect((await apiFetch(stack, 'agents', {}, asAgent(alice))).status).toBe(403);
    expect((await apiFetch(stack, 'agents/alice/state', post({ state: 'ready' }), supervisor)).status).toBe(200);
    await settled();
  });

  it('keeps editing agents and reading dead letters to admins', async () => {
    const edit = post({ teamsUserId: 'x', displayName: 'X', queueIds: ['billing'] });
    const refused = await apiFetch(stack, 'agents/xavier', { ...edit, method: 'PUT' }, supervisor);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'needs the Switchboard.Admin role' });
    expect((await apiFetch(stack, 'routing/dead-letters', {}, supervisor)).status).toBe(403);
    expect((await apiFetch(stack, 'agents', {}, supervisor)).status).toBe(200);
    expect((await apiFetch(stack, 'queues', {}, supervisor)).status).toBe(200);
    expect((await apiFetch(stack, 'routing/dead-letters')).status).toBe(200);
    // A signed-in user with none of the app's roles can do nothing.
    expect((await apiFetch(stack, 'queues', {}, { objectId: 'nobody', roles: [] })).status).toBe(403);
  });

  it('lets the agent on a call read it, consult and transfer; another agent may not', async () => {
    const placed = await stack.callAutomation.placeCall({ from: '+14255550301', to: '+12125550100', script: [{ say: 'my bill is wrong' }], whenScriptEnds: 'wait' });
    await settled();
    const callId = stack.callAutomation.getConversation(placed.simulatedCallId)!.correlationId;
    const state = ((await (await apiFetch(stack, `calls/${callId}`)).json()) as { state: { stage: string; agent: { agentId: string } } }).state;
    expect(state.stage).toBe('connected');
    const [onCall, other] = state.agent.agentId === 'alice' ? [alice, bob] : [bob, alice];
    expect((await apiFetch(stack, `calls/${callId}`, {}, asAgent(onCall))).status).toBe(200);
    const refused = await apiFetch(stack, `calls/${callId}`, {}, asAgent(other));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'an agent may act only on a call they are on' });
    expect((await apiFetch(stack, `calls/${callId}/transfer`, post({ phoneNumber: '+14255550999' }), asAgent(other))).status).toBe(403);
    // The agent on the call may ask for an expert (nobody else has the skill and is free: 409, not 403).
    expect((await apiFetch(stack, `calls/${callId}/consult`, post({ requiredSkills: [{ skill: 'astrophysics', minProficiency: 5 }] }), asAgent(onCall))).status).toBe(409);
    expect((await apiFetch(stack, 'calls/no-such-call', {}, asAgent(onCall))).status).toBe(403);
    expect((await apiFetch(stack, 'calls/no-such-call', {}, supervisor)).status).toBe(404);
    stack.callAutomation.hangUp(placed.simulatedCallId);
    await settled();
  });
});

describe('an app whose API sign-in is not configured', () => {
  let closed: LocalStack;
  beforeAll(async () => {
    closed = await startTestStack({ settings: { API_AUTH_ISSUER: '', API_AUTH_AUDIENCE: '', API_AUTH_JWKS_URL: '' } });
  }, 60_000);
  afterAll(async () => {
    await closed?.close();
  });

  it('keeps the APIs closed to everyone, saying which settings open them', async () => {
    const response = await apiFetch(closed, 'agents');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'API sign-in is not configured (API_AUTH_ISSUER, API_AUTH_AUDIENCE, API_AUTH_JWKS_URL)' });
    expect((await fetch(`${closed.functionsHost.baseUrl}/api/health`)).status).toBe(200);
  });
});
