import { errors as joseErrors } from 'jose';

// What a token, or its sender, got wrong. Any other failure of a verification is fetching the key
// set (a timeout, a non-200 answer, an invalid set, the network): our side, not the caller's.
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

/** The jose error code when a verification failed because of the token itself, else undefined. */
export function tokenFaultOf(error: unknown): string | undefined {
  return error instanceof joseErrors.JOSEError && tokenFaults.has(error.code) ? error.code : undefined;
}
