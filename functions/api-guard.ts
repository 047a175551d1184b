import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { ApiTarget, Switchboard } from '../bot/wiring.js';

/**
 * The answer to a request its caller may not make (not signed in, not allowed), or undefined:
 * every agent, supervisor and admin API asks this before it acts.
 */
export async function refused(switchboard: Switchboard, request: HttpRequest, target: ApiTarget): Promise<HttpResponseInit | undefined> {
  const denied = await switchboard.authorize(request.headers.get('authorization'), target);
  return denied && { status: denied.status, jsonBody: denied.body };
}
