import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasTokenVerdict =
  | { readonly valid: true; readonly resource: string; readonly expiresAtMs: number }
  | { readonly valid: false; readonly reason: string };

/**
 * Checks a Service Bus shared access signature
 * (`SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64>&se=<unix seconds>&skn=<key name>`):
 * the key name, the expiry, and the HMAC-SHA256 of `<sr as sent>\n<se>` under the shared key.
 */
export function verifySasToken(
  token: string,
  expected: { readonly keyName: string; readonly key: string; readonly nowInMs: number },
): SasTokenVerdict {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return { valid: false, reason: 'not a shared access signature' };
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split('&')) {
    const separator = pair.indexOf('=');
    if (separator > 0) fields.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
    return { valid: false, reason: 'the token lacks one of sr, sig, se, skn' };
  }
  if (decodeURIComponent(skn) !== expected.keyName) return { valid: false, reason: 'unknown key name' };
  const expiresAtMs = Number(se) * 1000;
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= expected.nowInMs) {
    return { valid: false, reason: 'the token has expired' };
  }
  const computed = createHmac('sha256', expected.key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), 'base64');
  if (given.length !== computed.length || !timingSafeEqual(given, computed)) {
    return { valid: false, reason: 'the signature does not match the shared access key' };
  }
  return { valid: true, resource: decodeURIComponent(sr), expiresAtMs };
}
