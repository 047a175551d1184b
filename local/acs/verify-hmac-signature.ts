import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type HmacVerification = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** How far x-ms-date may be from the emulator's clock (an emulator choice, not a documented ACS limit). */
const allowedClockSkewInMs = 15 * 60 * 1000;

/**
 * Checks the Communication Services HMAC-SHA256 request signature, as the SDK's access-key policy
 * builds it: `Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=...`
 * over `VERB\npath?query\n<x-ms-date>;<host>;<x-ms-content-sha256>`, keyed with the base64-decoded
 * access key. The host is the Host header the client sent (the SDK signs the URL's host and sets
 * the same header), and the content hash must match the body received.
 */
export function verifyHmacSignature(options: {
  readonly method: string;
  /** The request target as received (`req.url`): path plus query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly accessKey: string;
  readonly now?: Date;
}): HmacVerification {
  const authorization = header(options.headers, 'authorization');
  if (!authorization) return { ok: false, reason: 'missing Authorization header' };
  const match = /^HMAC-SHA256\s+SignedHeaders=([^&]+)&Signature=(.+)$/i.exec(authorization.trim());
  if (!match?.[1] || !match[2]) return { ok: false, reason: 'Authorization is not HMAC-SHA256' };
  const signedHeaders = match[1].toLowerCase().split(';');
  const date = header(options.headers, 'x-ms-date') ?? header(options.headers, 'date');
  const host = header(options.headers, 'host');
  const contentHash = header(options.headers, 'x-ms-content-sha256');
  if (!date || !host || contentHash === undefined) return { ok: false, reason: 'missing x-ms-date, host or x-ms-content-sha256' };
  if (signedHeaders.join(';') !== 'x-ms-date;host;x-ms-content-sha256' && signedHeaders.join(';') !== 'date;host;x-ms-content-sha256') {
    return { ok: false, reason: `unexpected SignedHeaders ${match[1]}` };
  }
  const bodyHash = createHash('sha256').update(options.body).digest('base64');
  if (bodyHash !== contentHash) return { ok: false, reason: 'x-ms-content-sha256 differs from the body hash' };
  const sentAt = Date.parse(date);
  if (Number.isNaN(sentAt) || Math.abs((options.now ?? new Date()).getTime() - sentAt) > allowedClockSkewInMs) {
    return { ok: false, reason: 'x-ms-date is missing or too far from now' };
  }
  const parsed = new URL(options.url, 'http://placeholder');
  const query = parsed.searchParams.toString();
  const pathAndQuery = query ? `${parsed.pathname}?${query}` : parsed.pathname;
  const stringToSign = `${options.method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', Buffer.from(options.accessKey, 'base64')).update(stringToSign).digest();
  const given = Buffer.from(match[2], 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature mismatch' };
  }
  return { ok: true };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
