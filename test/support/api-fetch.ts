import { apiRoles } from '../../bot/api-access.js';
import type { LocalStack } from '../../local/local-stack.js';
import type { TokenRequest } from '../../local/entra/entra-emulator.js';

/** A supervisor and admin of the local tenant: what most tests act as. */
export const operator: TokenRequest = { objectId: '7e570000-0000-4000-8000-0000000000ad', roles: [apiRoles.admin], name: 'Test Operator' };

/** `fetch` of `/api/<path>` on the stack's Functions host, signed in through its local Entra ID (as `operator` unless told). */
export async function apiFetch(stack: Pick<LocalStack, 'functionsHost' | 'entra'>, path: string, init: RequestInit = {}, as: TokenRequest = operator): Promise<Response> {
  const token = await stack.entra.issueToken(as);
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(`${stack.functionsHost.baseUrl}/api/${path}`, { ...init, headers });
}
