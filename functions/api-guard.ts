import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { HttpResult } from '../bot/handle-agents.js';
import type { ApiTarget } from '../bot/authorize-api-request.js';
import type { Switchboard } from '../bot/wiring.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/**
 * The answer to a request its caller may not make (not signed in, not allowed), or undefined:
 * every agent, supervisor and admin API asks this before it acts.
 */
export async function refused(switchboard: Switchboard, request: HttpRequest, target: ApiTarget): Promise<HttpResponseInit | undefined> {
  const denied = await switchboard.authorize(request.headers.get('authorization'), target);
  return denied && { status: denied.status, jsonBody: denied.body };
}

const asResponse = (result: HttpResult): HttpResponseInit => ({ status: result.status, jsonBody: result.body });

/** A signed-in API function: the caller is checked against what `targetOf` names, then `act` answers. */
export function signedInApi(
  app: SwitchboardProvider,
  definition: { readonly name: string; readonly method: 'GET' | 'POST'; readonly route: string },
  targetOf: (request: HttpRequest) => ApiTarget,
  act: (switchboard: Switchboard, request: HttpRequest, body: unknown) => Promise<HttpResult>,
): FunctionDefinition {
  return {
    name: definition.name,
    trigger: 'http',
    methods: [definition.method],
    route: definition.route,
    handler: async (request) => {
      const switchboard = await app();
      const denied = await refused(switchboard, request, targetOf(request));
      if (denied) return denied;
      if (definition.method === 'GET') return asResponse(await act(switchboard, request, undefined));
      const body: unknown = await request.json().catch(() => undefined);
      if (body === undefined) return { status: 400, jsonBody: { error: 'body is not JSON' } };
      return asResponse(await act(switchboard, request, body));
    },
  };
}
