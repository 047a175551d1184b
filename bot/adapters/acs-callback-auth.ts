import { createRemoteJWKSet, jwtVerify } from 'jose';
import { tokenFaultOf } from './jwt-faults.js';

export interface CallbackAuthOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/** `keysUnavailable`: the token could not be checked because the signing keys could not be fetched. */
export type CallbackAuthResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly keysUnavailable?: true };

/**
 * Verifies the RS256 JWT Call Automation puts on every callback (Authorization: Bearer).
 * Keys are fetched from the JWKS URL and cached by jose; verification is asynchronous.
 */
export function createCallbackVerifier(options: CallbackAuthOptions): (authorization: string | null | undefined) => Promise<CallbackAuthResult> {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000 });
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, reason: 'missing bearer token' };
    try {
      await jwtVerify(match[1], keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
      });
      return { ok: true };
    } catch (error) {
      const fault = tokenFaultOf(error);
      if (fault) return { ok: false, reason: fault };
      return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error), keysUnavailable: true };
    }
  };
}
