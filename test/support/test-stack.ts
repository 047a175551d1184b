import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ActionRunner } from '../../bot/ports.js';
import { ephemeralPorts, startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/local-stack.js';
import type { SampleAgent } from '../../local/sample-agents.js';

/**
 * The whole local Azure for one test file: free ports, its own state folder, quiet logs, and the
 * Call Automation SDK without its retries (a refused command fails at once; a test may set them).
 */
export function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({
    ports: ephemeralPorts,
    stateFolder: mkdtempSync(join(tmpdir(), 'sb-stack-')),
    logger: pino({ level: 'silent' }),
    serviceBusTimeoutInMs: 2000,
    ...options,
    overrides: { acsMaxRetries: 0, ...options.overrides },
  });
}

/** Order status for the test flow: order 123456 has shipped, no other order exists. */
export const orderStatusActions: ActionRunner = {
  run: async (action, { slots }) =>
    action === 'orderStatus' && slots['orderNumber'] === '123456'
      ? { status: 'succeeded', say: { prompt: 'orderFound', values: { status: 'shipped' } } }
      : { status: 'notFound', say: { prompt: 'orderNotFound' } },
};

/** Self-service is not what routing tests exercise. */
export const unusedActions: ActionRunner = { run: async () => ({ status: 'failed', reason: 'not used' }) };

/** A simulated Teams agent who answers at once; the Teams user id is derived from the agent id. */
export function testAgent(agentId: string, queueIds: string[], skills: Record<string, number>): SampleAgent {
  return {
    agentId,
    teamsUserId: `00000000-0000-4000-8000-${agentId.padStart(12, '0')}`,
    displayName: agentId,
    skills,
    queueIds,
    ringBehaviour: { kind: 'accept', afterMs: 0 },
  };
}
