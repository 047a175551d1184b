import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';

export interface CallbackAuthOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
}

/** `keysUnavailable`: the token could not be checked because the signing keys could not be fetched. */
export type CallbackAuthResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly keysUnavailable?: true };

// What a token, or its sender, got wrong. Any other failure is fetching the key set (a timeout, a
// non-200 answer, an invalid set, the network): our side, not the caller's.
const tokenFaults: ReadonlySet<string> = new Set([
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

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
      if (error instanceof joseErrors.JOSEError && tokenFaults.has(error.code)) return { ok: false, reason: error.code };
      return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error), keysUnavailable: true };
    }
  };
}
