import { apiRoles } from '../../bot/api-access.js';

/** Who the local tools act as when they read the app's APIs: a supervisor of the local tenant. */
export const localOperator = { objectId: '10ca1000-0000-4000-8000-00000000000b', roles: [apiRoles.supervisor], name: 'Local operator' } as const;

/**
 * An access token from the local Entra ID that `npm start` runs (its `POST /local/token`), for the
 * agent, supervisor and admin APIs. Local only: real Entra ID signs users in through the agent app.
 */
export async function localApiToken(tokenUrl: string, as: { readonly objectId: string; readonly roles: readonly string[]; readonly name?: string } = localOperator): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(as) });
  } catch {
    throw new Error(`Cannot reach the local Entra ID at ${new URL(tokenUrl).origin}. Start the stack with: npm start`);
  }
  if (!response.ok) throw new Error(`The local Entra ID refused a token (${response.status}): ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The curl option that signs a request in as the local operator. */
export const curlSignIn = '-H "Authorization: Bearer $(npx switchboard token)"';
