import { accessDenied, apiRoles, type ApiCaller } from '../../bot/api-access.js';
import type { CallState } from '../../bot/call-flow/call-state.js';
import { agent } from './routing-given.js';

const caller = (objectId: string, ...roles: string[]): ApiCaller => ({ objectId, roles: new Set(roles) });
const ana = caller('teams-ana', apiRoles.agent);
const sue = caller('sue', apiRoles.supervisor);
const root = caller('root', apiRoles.admin);
const nobody = caller('nobody');
const call = (agentTeamsUserId: string, expert?: { teamsUserId: string; joined: boolean }) =>
  ({ agent: { agentId: 'x', offerId: 'o', teamsUserId: agentTeamsUserId }, consultants: expert ? [{ agentId: 'e', purpose: 'consult', ...expert }] : [] }) as unknown as CallState;

describe('who may use the agent, supervisor and admin APIs', () => {
  it('an agent acts for themselves and on calls they are on, joined experts included', () => {
    expect(accessDenied(ana, { kind: 'agent', agent: agent('ana', { teamsUserId: 'teams-ana' }) })).toBeUndefined();
    expect(accessDenied(ana, { kind: 'agent', agent: agent('bo', { teamsUserId: 'teams-bo' }) })).toBe('an agent may act only for themselves');
    expect(accessDenied(ana, { kind: 'agent', agent: undefined })).toBe('an agent may act only for themselves');
    expect(accessDenied(ana, { kind: 'call', call: call('teams-ana') })).toBeUndefined();
    expect(accessDenied(ana, { kind: 'call', call: call('teams-bo', { teamsUserId: 'teams-ana', joined: true }) })).toBeUndefined();
    // Still ringing: not on the call yet.
    expect(accessDenied(ana, { kind: 'call', call: call('teams-bo', { teamsUserId: 'teams-ana', joined: false }) })).toBe('an agent may act only on a call they are on');
    expect(accessDenied(ana, { kind: 'supervisor' })).toBe('needs the Switchboard.Supervisor or Switchboard.Admin role');
    expect(accessDenied(ana, { kind: 'member' })).toBeUndefined();
  });

  it('a supervisor acts on any agent or call, an admin on everything; no role, nothing', () => {
    expect(accessDenied(sue, { kind: 'agent', agent: undefined })).toBeUndefined();
    expect(accessDenied(sue, { kind: 'call', call: undefined })).toBeUndefined();
    expect(accessDenied(sue, { kind: 'admin' })).toBe('needs the Switchboard.Admin role');
    for (const resource of [{ kind: 'admin' }, { kind: 'supervisor' }, { kind: 'member' }, { kind: 'call', call: call('teams-bo') }] as const) {
      expect(accessDenied(root, resource)).toBeUndefined();
    }
    expect(accessDenied(nobody, { kind: 'member' })).toBe('needs one of the roles Switchboard.Agent, Switchboard.Supervisor, Switchboard.Admin');
    expect(accessDenied(nobody, { kind: 'agent', agent: agent('nobody', { teamsUserId: 'nobody' }) })).toBe('needs the Switchboard.Agent role');
  });
});
