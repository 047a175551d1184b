import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import { AzureOpenAI } from 'openai';
import { z } from 'zod';
import type { Understanding } from '../call-flow/assistant-flow.js';
import type { LanguageUnderstanding } from '../ports.js';

/** An intent the model may choose, as the contact-center config describes it. */
export interface OpenAiIntent {
  /** The config's intent name: the value the model answers with. */
  readonly name: string;
  readonly description?: string | undefined;
  /** Example utterances per language (the config's `examples`). */
  readonly examples: Readonly<Record<string, readonly string[]>>;
}

export interface AzureOpenAiOptions {
  /** The Azure OpenAI resource, e.g. https://contoso-openai.openai.azure.com */
  readonly endpoint: string;
  /** A chat model deployment that supports structured outputs and logprobs. */
  readonly deploymentName: string;
  readonly intents: readonly OpenAiIntent[];
  /** A key (local stand-in); without one the managed identity (DefaultAzureCredential) signs in. */
  readonly key?: string | undefined;
  readonly credential?: TokenCredential | undefined;
}

/** GA Azure OpenAI data-plane version with structured outputs (`response_format` json_schema). */
export const azureOpenAiApiVersion = '2024-10-21';
/** The value the model answers with when the caller asks for none of the intents. */
export const noIntent = 'none';
const tokenScope = 'https://cognitiveservices.azure.com/.default';
/** The prompt grows with the config: examples are dropped, most first, to stay under this. */
const maxSystemMessageChars = 8000;
const maxExamplesPerIntent = 4;
const maxDescriptionChars = 200;
/** Longest caller turn sent; recognised speech is far shorter. */
const maxCallerTextChars = 1000;
/** `{"intent":"<id up to 64 characters>"}` fits with room to spare; a cut answer is refused. */
const maxAnswerTokens = 64;
/** Alternatives asked for at each answer token: where the value starts they name the runner-up intents. */
const topLogprobs = 5;

/** The chat completion request that asks the model to pick one of `intents` (or "none") for `text`. */
export function intentCompletionRequest(options: { deploymentName: string; systemMessage: string; intentNames: readonly string[]; text: string }) {
  return {
    model: options.deploymentName,
    temperature: 0,
    max_tokens: maxAnswerTokens,
    logprobs: true,
    top_logprobs: topLogprobs,
    messages: [
      { role: 'system' as const, content: options.systemMessage },
      { role: 'user' as const, content: options.text.slice(0, maxCallerTextChars) },
    ],
    response_format: {
      type: 'json_schema' as const,
      json_schema: {
        name: 'caller_intent',
        strict: true,
        schema: {
          type: 'object',
          properties: { intent: { type: 'string', enum: [...options.intentNames, noIntent] } },
          required: ['intent'],
          additionalProperties: false,
        },
      },
    },
  };
}

/**
 * What the model is told: the intents by id with their description and a few examples in the
 * caller's language (the config's first language with examples otherwise), bounded in size.
 */
export function intentSystemMessage(intents: readonly OpenAiIntent[], language: string): string {
  const head = [
    'You work for a contact center. A caller was asked how we can help; the user message is what they said, as recognised from speech.',
    `Answer with the id of the one intent below that matches what the caller wants, or "${noIntent}" when none of them does (small talk, an unrelated request, or words that do not say what they want).`,
    `The caller speaks ${language}; the ids are the same in every language.`,
    '',
    'Intents (id: description; examples):',
  ].join('\n');
  const line = (intent: OpenAiIntent, examplesPerIntent: number): string => {
    const examples = (intent.examples[language] ?? Object.values(intent.examples).find((e) => e.length > 0) ?? []).slice(0, examplesPerIntent);
    const description = intent.description ? `: ${intent.description.slice(0, maxDescriptionChars).replace(/\.$/, '')}` : '';
    const said = examples.length > 0 ? `; e.g. ${examples.map((e) => JSON.stringify(e)).join(', ')}` : '';
    return `- ${intent.name}${description}${said}`;
  };
  for (let perIntent = maxExamplesPerIntent; ; perIntent--) {
    const message = [head, ...intents.map((i) => line(i, perIntent))].join('\n');
    if (message.length <= maxSystemMessageChars || perIntent === 0) return message;
  }
}

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullable().optional(),
        message: z.object({ content: z.string().nullable().optional(), refusal: z.string().nullable().optional() }),
        logprobs: z
          .object({
            content: z
              .array(
                z.object({
                  token: z.string(),
                  logprob: z.number().max(0),
                  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number().max(0) })).nullable().optional(),
                }),
              )
              .nullable(),
          })
          .nullable()
          .optional(),
      }),
    )
    .min(1),
});
const answerSchema = z.object({ intent: z.string() });

type AnswerToken = { readonly token: string; readonly logprob: number; readonly top_logprobs?: readonly { token: string; logprob: number }[] | null | undefined };

/**
 * The runner-up answers, from the alternatives the model weighed (`top_logprobs`) at each token of the
 * intent value. An alternative that, after the value's part already chosen, fits exactly one other
 * offered value names it, with the probability of the chosen part times its own (the rest of the value
 * is then forced by the enum): "billing_dispute" is found at the token after "billing" when the answer
 * was "billing_question". An alternative that still fits several values, or none, is left out.
 */
function runnersUp(content: string, tokens: readonly AnswerToken[], values: readonly string[], chosen: string): Map<string, number> {
  const found = new Map<string, number>();
  const valueAt = /"intent"\s*:\s*"/.exec(content);
  if (!valueAt) return found;
  const valueStart = valueAt.index + valueAt[0].length;
  // Where the closing quote is: a token that starts there may still weigh a longer value.
  const valueEnd = valueStart + JSON.stringify(chosen).length - 2;
  let at = 0;
  let chosenLogprob = 0;
  for (const t of tokens) {
    const end = at + t.token.length;
    if (at > valueEnd) break;
    if (end > valueStart) {
      const before = at < valueStart ? content.slice(at, valueStart) : '';
      const chosenSoFar = at > valueStart ? content.slice(valueStart, at) : '';
      for (const alternative of t.top_logprobs ?? []) {
        if (alternative.token === t.token || !alternative.token.startsWith(before)) continue;
        const rest = alternative.token.slice(before.length);
        const closes = rest.includes('"');
        const prefix = chosenSoFar + rest.replace(/".*$/s, '');
        const fits = values.filter((v) => (closes ? v === prefix : v.startsWith(prefix)));
        if (prefix === '' || fits.length !== 1 || fits[0] === chosen) continue;
        const probability = Math.exp(chosenLogprob + alternative.logprob);
        found.set(fits[0]!, Math.max(found.get(fits[0]!) ?? 0, probability));
      }
      chosenLogprob += t.logprob;
    }
    at = end;
  }
  return found;
}

/**
 * Reads a chat completion answering `intentCompletionRequest`. The confidence is the probability of
 * the whole answer, exp of the sum of its tokens' logprobs: under structured outputs the JSON around
 * the value is forced (logprob ≈ 0), so that is the probability of the chosen intent. The runner-up
 * intents (from `top_logprobs`) follow it in `ranked`, so that an unsure answer between two intents
 * gets the clarifying question. Throws on anything it cannot trust (a refusal, a cut or filtered
 * answer, an intent it did not offer, no logprobs), so the caller falls back to the embedded model.
 */
export function understandingFromCompletion(completion: unknown, intentNames: readonly string[]): Understanding {
  const parsed = completionSchema.safeParse(completion);
  if (!parsed.success) throw new Error('Azure OpenAI answered in an unexpected shape');
  const choice = parsed.data.choices[0]!;
  if (choice.message.refusal) throw new Error('Azure OpenAI refused to answer');
  if (choice.finish_reason !== 'stop') throw new Error(`Azure OpenAI stopped answering early (${choice.finish_reason ?? 'no reason'})`);
  let answer: z.infer<typeof answerSchema>;
  const content = choice.message.content ?? '';
  try {
    answer = answerSchema.parse(JSON.parse(content));
  } catch {
    throw new Error('Azure OpenAI answered without the intent JSON it was asked for');
  }
  if (answer.intent !== noIntent && !intentNames.includes(answer.intent)) throw new Error('Azure OpenAI answered with an intent it was not offered');
  const tokens = choice.logprobs?.content;
  if (!tokens || tokens.length === 0) throw new Error('Azure OpenAI answered without logprobs (does the deployment\'s model return them?)');
  const probability = Math.exp(tokens.reduce((sum, t) => sum + t.logprob, 0));
  if (answer.intent === noIntent) return { intent: null, confidence: 1 - probability, outOfScope: true, ranked: [] };
  const others = [...runnersUp(content, tokens, [...intentNames, noIntent], answer.intent)]
    .filter(([intent]) => intent !== noIntent)
    .map(([intent, confidence]) => ({ intent, confidence }));
  // The chosen intent stays first: `confidence` is its probability.
  const ranked = [{ intent: answer.intent, confidence: probability }, ...others.sort((a, b) => b.confidence - a.confidence)].slice(0, 3);
  return { intent: answer.intent, confidence: probability, outOfScope: false, ranked };
}

/**
 * Azure OpenAI chat completions as the bot's language service: the model picks one of the config's
 * intents through a JSON schema whose `intent` is an enum of their names plus "none".
 */
export class AzureOpenAiUnderstanding implements LanguageUnderstanding {
  private readonly client: AzureOpenAI;
  private readonly intentNames: readonly string[];
  private readonly systemMessages = new Map<string, string>();

  constructor(private readonly options: AzureOpenAiOptions) {
    this.intentNames = options.intents.map((i) => i.name);
    if (this.intentNames.includes(noIntent)) throw new Error(`an intent named "${noIntent}" cannot be told apart from out of scope by Azure OpenAI; rename it`);
    if (this.intentNames.length === 0) throw new Error('Azure OpenAI needs at least one intent to choose from');
    this.client = new AzureOpenAI({
      // baseURL rather than endpoint: the client would otherwise also read OPENAI_BASE_URL from the environment.
      baseURL: `${options.endpoint.replace(/\/+$/, '')}/openai`,
      deployment: options.deploymentName,
      apiVersion: azureOpenAiApiVersion,
      // The shell waits 1.5 s at most and then falls back: a retry would only eat into that.
      maxRetries: 0,
      ...(options.key
        ? { apiKey: options.key }
        : { azureADTokenProvider: getBearerTokenProvider(options.credential ?? new DefaultAzureCredential(), tokenScope) }),
    });
  }

  async understand(text: string, language: string, signal: AbortSignal): Promise<Understanding> {
    const request = intentCompletionRequest({
      deploymentName: this.options.deploymentName,
      systemMessage: this.systemMessage(language),
      intentNames: this.intentNames,
      text,
    });
    const completion: unknown = await this.client.chat.completions.create(request, { signal });
    return understandingFromCompletion(completion, this.intentNames);
  }

  private systemMessage(language: string): string {
    let message = this.systemMessages.get(language);
    if (message === undefined) {
      message = intentSystemMessage(this.options.intents, language);
      this.systemMessages.set(language, message);
    }
    return message;
  }
}
