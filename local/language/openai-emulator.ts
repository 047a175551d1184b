import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJsonBody, sendJson, startJsonStandIn } from './json-stand-in-server.js';
import { z } from 'zod';

/**
 * A local stand-in for an Azure OpenAI chat model deployment: POST
 * /openai/deployments/{deployment}/chat/completions with the `api-key` header, answering a request
 * whose JSON schema constrains `intent` to an enum, from a phrase table, in the service's
 * chat.completion shape with token logprobs. It holds no model: a phrase not in the table is "none".
 */
export interface OpenAiEmulator {
  readonly endpoint: string;
  readonly key: string;
  readonly deployment: string;
  /** Caller texts it was asked about, in order. */
  readonly asked: readonly string[];
  /** The intents the last request offered (its schema's enum). */
  readonly offered: readonly string[];
  /** Requests whose client gave up before the answer (a stalled request the client aborted). */
  readonly abandoned: number;
  /** Resolves with the caller text of the next request that arrives. */
  nextRequest(): Promise<string>;
  /** The next `count` requests answer `status` (503: a service having a bad minute). */
  failNext(count: number, status?: number): void;
  /** The next `count` requests get no answer until their client gives up. */
  stallNext(count: number): void;
  close(): Promise<void>;
}

/**
 * What the model answers for a phrase: an intent id, how sure it is (the value's probability) and
 * the other intents it weighed with theirs (sent as `top_logprobs` where each parts from the chosen value).
 */
export type OpenAiPhraseAnswer =
  | string
  | { readonly intent: string; readonly probability: number; readonly alternatives?: Readonly<Record<string, number>> };

const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content: z.string() });
const requestSchema = z.object({
  messages: z.array(message).min(1),
  logprobs: z.literal(true, { error: 'logprobs must be true' }),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  temperature: z.number().min(0).max(2).optional(),
  response_format: z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      strict: z.boolean().optional(),
      schema: z.object({
        type: z.literal('object'),
        properties: z.object({ intent: z.object({ type: z.literal('string'), enum: z.array(z.string()).min(1) }) }),
        required: z.array(z.string()),
        additionalProperties: z.literal(false, { error: 'strict schemas need additionalProperties: false' }),
      }),
    }),
  }),
});

/** The JSON around the value is forced by the schema: next to certain. */
const forcedLogprob = -1e-6;

export async function startOpenAiEmulator(options: {
  readonly phrases: Readonly<Record<string, OpenAiPhraseAnswer>>;
  readonly deployment?: string;
  readonly key?: string;
  readonly port?: number;
}): Promise<OpenAiEmulator> {
  const key = options.key ?? 'local-openai-key';
  const deployment = options.deployment ?? 'gpt-4o-mini';
  const asked: string[] = [];
  let offered: string[] = [];
  let abandoned = 0;
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  let stalls = 0;
  let completions = 0;
  const stalled = new Set<ServerResponse>();
  let waiters: ((text: string) => void)[] = [];
  const send = sendJson;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://openai');
    const route = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    if (req.method !== 'POST' || !route) return send(res, 404, { error: { code: '404', message: 'Resource not found' } });
    if (req.headers['api-key'] !== key) {
      return send(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } });
    }
    if (!url.searchParams.get('api-version')) return send(res, 404, { error: { code: '404', message: 'Resource not found' } });
    if (decodeURIComponent(route[1]!) !== deployment) {
      return send(res, 404, { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } });
    }
    const body = await readJsonBody(req);
    if (body === undefined) return send(res, 400, { error: { code: 'invalid_request_error', message: 'body is not JSON' } });
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return send(res, 400, { error: { code: 'invalid_request_error', message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid request'}` } });
    }
    const text = [...parsed.data.messages].reverse().find((m) => m.role === 'user')?.content;
    if (text === undefined) return send(res, 400, { error: { code: 'invalid_request_error', message: 'no user message' } });
    const allowed = parsed.data.response_format.json_schema.schema.properties.intent.enum;
    asked.push(text);
    offered = allowed;
    const waiting = waiters;
    waiters = [];
    for (const wake of waiting) wake(text);
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      return send(res, failures.status, { error: { code: String(failures.status), message: 'The service is temporarily unable to process your request.' } });
    }
    if (stalls > 0) {
      stalls--;
      stalled.add(res);
      res.once('close', () => {
        stalled.delete(res);
        if (!res.writableEnded) abandoned++;
      });
      return;
    }
    const entry = options.phrases[text];
    const wanted: Exclude<OpenAiPhraseAnswer, string> =
      typeof entry === 'string' ? { intent: entry, probability: 0.98 } : (entry ?? { intent: 'none', probability: 0.95 });
    // Under a strict schema the model can only say what the enum allows.
    const answer = allowed.includes(wanted.intent) ? wanted : { intent: allowed.includes('none') ? 'none' : allowed[0]!, probability: 0.9 };
    const weighed = Object.entries(answer.alternatives ?? {}).filter(([intent]) => allowed.includes(intent));
    const content = JSON.stringify({ intent: answer.intent });
    send(res, 200, completion(++completions, deployment, content, answer.intent, answer.probability, weighed, parsed.data.top_logprobs ?? 0));
  };
  const server = await startJsonStandIn(handle, options.port);
  return {
    endpoint: server.endpoint,
    key,
    deployment,
    asked,
    get offered() {
      return offered;
    },
    get abandoned() {
      return abandoned;
    },
    nextRequest: () => new Promise<string>((resolve) => waiters.push(resolve)),
    failNext: (count, status = 503) => {
      failures = { count, status };
    },
    stallNext: (count) => {
      stalls = count;
    },
    close: () => {
      for (const res of stalled) res.destroy();
      return server.close();
    },
  };
}

/**
 * The chat.completion body, with `logprobs.content` split as a tokenizer would: the JSON around the
 * value as forced tokens and the value in pieces of up to four characters. Each piece carries its
 * probability given the pieces before it, and, when asked, `top_logprobs` holds the pieces of the
 * other intents it weighed at the piece where each parts from the chosen one: "billing_dispute"
 * shows at the second piece of "billing_question", as a model's tokens would show it. The value's
 * pieces multiply to its probability, and an alternative's path to its own.
 */
function completion(
  n: number,
  model: string,
  content: string,
  intent: string,
  probability: number,
  weighed: readonly (readonly [string, number])[],
  topLogprobs: number,
) {
  const piecesOf = (value: string): string[] => [...(value.match(/.{1,4}/gsu) ?? [value]), '"}'];
  const chosen = piecesOf(intent);
  const others = weighed.map(([other, p]) => ({ pieces: piecesOf(other), p }));
  const sharing = (k: number) => others.filter((o) => chosen.slice(0, k).every((piece, i) => o.pieces[i] === piece));
  // Probability of all answers that start with the chosen value's first k pieces.
  const mass = (k: number) => (k === 0 ? 1 : probability + sharing(k).reduce((sum, o) => sum + o.p, 0));
  const value = chosen.map((token, k) => {
    // The closing piece ends the chosen value: its share of the answers that start like it.
    const logprob = Math.log((k === chosen.length - 1 ? probability : mass(k + 1)) / mass(k));
    const parting = new Map<string, number>();
    for (const o of sharing(k)) {
      const piece = o.pieces[k];
      if (piece !== undefined && piece !== token) parting.set(piece, (parting.get(piece) ?? 0) + o.p);
    }
    const candidates = [{ token, logprob }, ...[...parting].map(([piece, p]) => ({ token: piece, logprob: Math.log(p / mass(k)) }))];
    return { token, logprob, candidates };
  });
  const forced = (token: string) => ({ token, logprob: forcedLogprob, candidates: [{ token, logprob: forcedLogprob }] });
  const tokens = [forced('{"'), forced('intent'), forced('":"'), ...value].map(({ token, logprob, candidates }) => {
    const top = candidates.sort((a, b) => b.logprob - a.logprob).slice(0, topLogprobs);
    return { token, logprob, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: top.map((t) => ({ ...t, bytes: [...Buffer.from(t.token, 'utf8')] })) };
  });
  return {
    id: `chatcmpl-local-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_local',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content, refusal: null },
        logprobs: { content: tokens, refusal: null },
        content_filter_results: {},
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: tokens.length, total_tokens: tokens.length },
    prompt_filter_results: [],
  };
}
