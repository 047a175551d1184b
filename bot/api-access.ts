import type { CallState } from './call-flow/call-state.js';
import type { Agent } from './routing/routing-types.js';

/**
 * Who may use the agent, supervisor and admin APIs: app roles of the API's Entra app registration,
 * carried in the access token's `roles`.
 * - Switchboard.Agent: their own state and wrap-up, and consult, transfer and history of the calls
 *   they are on (their Entra object id is their Teams user id);
 * - Switchboard.Supervisor: any agent's state and wrap-up, any call, queue statistics, the agents;
 * - Switchboard.Admin: all of that, and creating or editing agents and reading dead letters.
 */
export const apiRoles = {
  agent: 'Switchboard.Agent',
  supervisor: 'Switchboard.Supervisor',
  admin: 'Switchboard.Admin',
} as const;

export interface ApiCaller {
  /** Entra object id (`oid`). */
  readonly objectId: string;
  readonly roles: ReadonlySet<string>;
}

/** What a request acts on, loaded by the shell (undefined: not found). */
export type ApiResource =
  | { readonly kind: 'admin' }
  | { readonly kind: 'supervisor' }
  /** Anyone with one of the app's roles (the skills an agent may consult on). */
  | { readonly kind: 'member' }
  | { readonly kind: 'agent'; readonly agent: Agent | undefined }
  | { readonly kind: 'call'; readonly call: CallState | undefined };

/**
 * Why the caller may not do this (a 403's reason), or undefined when they may. Agents learn nothing
 * of agents or calls that are not theirs: an unknown one is refused to them like someone else's,
 * and only supervisors and admins get to hear that it does not exist.
 */
export function accessDenied(caller: ApiCaller, resource: ApiResource): string | undefined {
  const admin = caller.roles.has(apiRoles.admin);
  const supervisor = admin || caller.roles.has(apiRoles.supervisor);
  const agent = caller.roles.has(apiRoles.agent);
  switch (resource.kind) {
    case 'admin':
      return admin ? undefined : `needs the ${apiRoles.admin} role`;
    case 'supervisor':
      return supervisor ? undefined : `needs the ${apiRoles.supervisor} or ${apiRoles.admin} role`;
    case 'member':
      return supervisor || agent ? undefined : `needs one of the roles ${Object.values(apiRoles).join(', ')}`;
    case 'agent':
      if (supervisor) return undefined;
      if (agent && resource.agent?.teamsUserId === caller.objectId) return undefined;
      return agent ? 'an agent may act only for themselves' : `needs the ${apiRoles.agent} role`;
    case 'call':
      if (supervisor) return undefined;
      if (agent && resource.call !== undefined && isOnCall(resource.call, caller.objectId)) return undefined;
      return agent ? 'an agent may act only on a call they are on' : `needs the ${apiRoles.agent} role`;
    default:
      return resource satisfies never;
  }
}

function isOnCall(call: CallState, objectId: string): boolean {
  return call.agent?.teamsUserId === objectId || (call.consultants ?? []).some((c) => c.joined && c.teamsUserId === objectId);
}
