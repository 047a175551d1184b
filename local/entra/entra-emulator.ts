import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { z } from 'zod';

/**
 * Microsoft Entra ID as an API that accepts its access tokens sees it: a tenant's OpenID
 * configuration (`/{tenant}/v2.0/.well-known/openid-configuration`) and signing keys
 * (`/{tenant}/discovery/v2.0/keys`), and v2.0 access tokens signed RS256 with a `kid`, carrying
 * `iss` = `{base}/{tenant}/v2.0`, `aud`, `oid`, `tid`, `roles` (app roles), `name`, `iat`, `nbf`
 * and `exp`.
 *
 * It differs from Entra: tokens are handed out to anyone who asks, for any user and roles, by
 * `issueToken` in the process or `POST /local/token` (JSON `{ objectId, roles, name? }`) over HTTP,
 * where Entra signs users in interactively (the agent app) or authenticates a client. Nothing
 * else of the token endpoint, sign-in or consent is served.
 */
export interface EntraEmulator {
  readonly tenantId: string;
  /** `API_AUTH_ISSUER`. */
  readonly issuer: string;
  /** `API_AUTH_AUDIENCE`: the API's app registration (client id) the tokens are for. */
  readonly audience: string;
  /** `API_AUTH_JWKS_URL`. */
  readonly jwksUrl: string;
  /** `POST` JSON `{ objectId, roles, name? }` here for `{ access_token, token_type, expires_in }` (local only). */
  readonly tokenUrl: string;
  issueToken(claims: TokenRequest): Promise<string>;
  close(): Promise<void>;
}

export interface TokenRequest {
  /** The user's Entra object id (`oid`): for an agent, their Teams user id. */
  readonly objectId: string;
  readonly roles: readonly string[];
  readonly name?: string;
  /** Tests: another audience or issuer than this tenant's API, or a lifetime (negative: expired). */
  readonly audience?: string;
  readonly issuer?: string;
  readonly expiresInSeconds?: number;
}

const tokenRequestSchema = z.strictObject({
  objectId: z.string().min(1).max(128),
  roles: z.array(z.string().min(1).max(128)).max(20),
  name: z.string().max(256).optional(),
});

export const localTenantId = '5b1e7a90-0000-4000-8000-00000000e17a';
export const localApiAudience = '0c5f2f6e-0000-4000-8000-000000005b0a';

export async function startEntraEmulator(options: { readonly port?: number; readonly host?: string } = {}): Promise<EntraEmulator> {
  const host = options.host ?? '127.0.0.1';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'local-entra-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  let base = '';
  const issuer = () => `${base}/${localTenantId}/v2.0`;

  async function issueToken(request: TokenRequest): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = request.expiresInSeconds ?? 3600;
    return new SignJWT({ oid: request.objectId, tid: localTenantId, roles: [...request.roles], ...(request.name ? { name: request.name } : {}), ver: '2.0' })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(request.issuer ?? issuer())
      .setAudience(request.audience ?? localApiAudience)
      .setSubject(request.objectId)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + lifetime)
      .sign(privateKey);
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => json(res, 500, { error: 'server_error', error_description: String(error) }));
  });
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === `/${localTenantId}/discovery/v2.0/keys`) return json(res, 200, { keys: [jwk] });
    if (req.method === 'GET' && path === `/${localTenantId}/v2.0/.well-known/openid-configuration`) {
      return json(res, 200, { issuer: issuer(), jwks_uri: `${base}/${localTenantId}/discovery/v2.0/keys`, token_endpoint: `${base}/local/token`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (req.method === 'POST' && path === '/local/token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(res, 400, { error: 'invalid_request', error_description: 'the body is not JSON' });
      }
      const parsed = tokenRequestSchema.safeParse(body);
      if (!parsed.success) return json(res, 400, { error: 'invalid_request', error_description: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return json(res, 200, { access_token: await issueToken(parsed.data), token_type: 'Bearer', expires_in: 3600 });
    }
    return json(res, 404, { error: 'not_found', error_description: `${req.method} ${path} is not served by the local Entra ID` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host}:${port}`;
  return {
    tenantId: localTenantId,
    issuer: issuer(),
    audience: localApiAudience,
    jwksUrl: `${base}/${localTenantId}/discovery/v2.0/keys`,
    tokenUrl: `${base}/local/token`,
    issueToken,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
