import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson, startJsonStandIn } from './json-stand-in-server.js';
import { z } from 'zod';
import type { Understanding } from '../../bot/call-flow/assistant-flow.js';

/**
 * A local stand-in for Azure AI Language's conversational language understanding: the
 * `:analyze-conversations` REST call with the key header, answering in the service's shape from a
 * classifier given to it (the embedded one, or a test's table).
 */
export interface LanguageEmulator {
  readonly endpoint: string;
  readonly key: string;
  /** Texts it was asked about, in order. */
  readonly asked: readonly string[];
  /** The next `count` requests answer 503 (a service having a bad minute). */
  failNext(count: number): void;
  close(): Promise<void>;
}

const requestSchema = z.object({
  kind: z.literal('Conversation'),
  analysisInput: z.object({ conversationItem: z.object({ id: z.string(), participantId: z.string(), text: z.string().min(1), language: z.string().optional() }) }),
  parameters: z.object({ projectName: z.string().min(1), deploymentName: z.string().min(1) }),
});

export async function startLanguageEmulator(options: {
  readonly classify: (text: string, language: string | undefined) => Understanding;
  readonly key?: string;
  readonly port?: number;
}): Promise<LanguageEmulator> {
  const key = options.key ?? 'local-language-key';
  const asked: string[] = [];
  let failures = 0;
  const send = sendJson;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://language');
    if (req.method !== 'POST' || url.pathname !== '/language/:analyze-conversations') return send(res, 404, { error: { code: 'NotFound', message: 'unknown route' } });
    if (req.headers['ocp-apim-subscription-key'] !== key) return send(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key.' } });
    if (!url.searchParams.get('api-version')) return send(res, 400, { error: { code: 'InvalidRequest', message: 'api-version is required' } });
    const body = await readJsonBody(req);
    if (body === undefined) return send(res, 400, { error: { code: 'InvalidRequest', message: 'body is not JSON' } });
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) return send(res, 400, { error: { code: 'InvalidArgument', message: parsed.error.issues[0]?.message ?? 'invalid request' } });
    const { text, language } = parsed.data.analysisInput.conversationItem;
    asked.push(text);
    if (failures > 0) {
      failures--;
      return send(res, 503, { error: { code: 'ServiceUnavailable', message: 'try again later' } });
    }
    const understood = options.classify(text, language);
    const intents = understood.ranked.map((r) => ({ category: r.intent, confidenceScore: r.confidence }));
    if (understood.outOfScope) intents.unshift({ category: 'None', confidenceScore: 1 - understood.confidence });
    send(res, 200, {
      kind: 'ConversationResult',
      result: {
        query: text,
        prediction: { projectKind: 'Conversation', topIntent: understood.outOfScope ? 'None' : understood.intent, intents, entities: [] },
      },
    });
  };
  const server = await startJsonStandIn(handle, options.port);
  return {
    endpoint: server.endpoint,
    key,
    asked,
    failNext: (count) => {
      failures = count;
    },
    close: () => server.close(),
  };
}
