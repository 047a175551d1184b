import { createRemoteJWKSet, jwtVerify } from 'jose';
import { tokenFaultOf } from './jwt-faults.js';
import type { ApiCaller } from '../api-access.js';

export interface ApiAuthOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/**
 * A signed-in caller, or why not: 401 for a missing, malformed, expired, foreign or badly signed
 * token, 503 when Entra's signing keys cannot be fetched (not the caller's fault: try again).
 */
export type ApiAuthResult =
  | { readonly ok: true; readonly caller: ApiCaller }
  | { readonly ok: false; readonly status: 401 | 503; readonly error: string };

/**
 * Verifies an Entra ID v2.0 access token (Authorization: Bearer) for the agent, supervisor and admin
 * APIs: RS256 signature against the tenant's published keys (fetched and cached by jose), issuer,
 * audience, lifetime. The caller is the token's `oid` (for an agent, their Teams user id) with its
 * app `roles`.
 */
export function createApiVerifier(options: ApiAuthOptions): (authorization: string | null | undefined) => Promise<ApiAuthResult> {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000 });
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, status: 401, error: 'sign in: send an Entra ID access token as Authorization: Bearer <token>' };
    try {
      const { payload } = await jwtVerify(match[1], keys, { issuer: options.issuer, audience: options.audience, algorithms: ['RS256'], clockTolerance: 60 });
      const objectId = payload['oid'];
      if (typeof objectId !== 'string' || objectId.length === 0) return { ok: false, status: 401, error: 'the token names no user (oid)' };
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
      return { ok: true, caller: { objectId, roles: new Set(roles) } };
    } catch (error) {
      const fault = tokenFaultOf(error);
      if (fault) return { ok: false, status: 401, error: `token refused: ${fault === 'ERR_JWT_EXPIRED' ? 'expired' : (error as Error).message}` };
      return { ok: false, status: 503, error: 'the sign-in keys could not be fetched; try again' };
    }
  };
}
