import type { ApiAuthResult } from './adapters/api-auth.js';
import { accessDenied, type ApiResource } from './api-access.js';
import type { HttpResult } from './handle-agents.js';
import type { Logger } from './logger.js';
import type { AgentStore, CallStore } from './ports.js';

/** What an API request acts on: a role's whole domain, or one agent or call. */
export type ApiTarget = 'admin' | 'supervisor' | 'member' | { readonly agentId: string } | { readonly callId: string };

/**
 * The agent, supervisor and admin APIs' gate: the request's Entra ID token and its app roles against
 * what the request acts on (loaded here: the agent or the call). Undefined when allowed, else the
 * answer (401 not signed in, 403 not allowed, 503 keys unavailable). Without a verifier (the
 * settings are missing) every request is refused.
 */
export function createApiAuthorizer(deps: {
  readonly verify: ((authorization: string | null | undefined) => Promise<ApiAuthResult>) | undefined;
  readonly agents: Pick<AgentStore, 'getAgent'>;
  readonly calls: Pick<CallStore, 'getCall'>;
  readonly logger: Logger;
}): (authorization: string | null, target: ApiTarget) => Promise<HttpResult | undefined> {
  return async (authorization, target) => {
    if (!deps.verify) return { status: 401, body: { error: 'API sign-in is not configured (API_AUTH_ISSUER, API_AUTH_AUDIENCE, API_AUTH_JWKS_URL)' } };
    const verified = await deps.verify(authorization);
    if (!verified.ok) {
      if (verified.status === 503) deps.logger.error({ error: verified.error }, 'API caller not checked: the Entra ID signing keys could not be fetched');
      return { status: verified.status, body: { error: verified.error } };
    }
    const resource: ApiResource =
      target === 'admin' || target === 'supervisor' || target === 'member'
        ? { kind: target }
        : 'agentId' in target
          ? { kind: 'agent', agent: (await deps.agents.getAgent(target.agentId))?.value }
          : { kind: 'call', call: (await deps.calls.getCall(target.callId))?.record.state };
    const denied = accessDenied(verified.caller, resource);
    if (denied === undefined) return undefined;
    deps.logger.warn({ objectId: verified.caller.objectId, target, reason: denied }, 'API request refused');
    return { status: 403, body: { error: denied } };
  };
}
