import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { Understanding } from '../call-flow/assistant-flow.js';
import type { LanguageUnderstanding } from '../ports.js';

export interface AzureLanguageOptions {
  /** The Language resource, e.g. https://contoso-language.cognitiveservices.azure.com */
  readonly endpoint: string;
  /** Conversational language understanding project and deployment, trained on the config's intents. */
  readonly projectName: string;
  readonly deploymentName: string;
  /** A key (local stand-in); without one the managed identity (DefaultAzureCredential) signs in. */
  readonly key?: string | undefined;
  readonly credential?: TokenCredential | undefined;
  /** The project's intent for "none of these". */
  readonly noneIntent?: string;
}

const apiVersion = '2023-04-01';
const tokenScope = 'https://cognitiveservices.azure.com/.default';

const responseSchema = z.object({
  kind: z.literal('ConversationResult'),
  result: z.object({
    prediction: z.object({
      topIntent: z.string().nullable().optional(),
      intents: z.array(z.object({ category: z.string(), confidenceScore: z.number().min(0).max(1) })),
    }),
  }),
});

/**
 * Azure AI Language conversational language understanding (`:analyze-conversations`, REST) as the
 * bot's language service. Its intent names must be the config's; "None" is out of scope.
 */
export class AzureLanguageUnderstanding implements LanguageUnderstanding {
  private readonly url: string;
  private readonly noneIntent: string;
  private readonly credential: TokenCredential | undefined;

  constructor(private readonly options: AzureLanguageOptions) {
    this.credential = options.key ? undefined : (options.credential ?? new DefaultAzureCredential());
    this.url = `${options.endpoint.replace(/\/+$/, '')}/language/:analyze-conversations?api-version=${apiVersion}`;
    this.noneIntent = options.noneIntent ?? 'None';
  }

  async understand(text: string, language: string, signal: AbortSignal): Promise<Understanding> {
    const response = await fetch(this.url, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', ...(await this.authorization()) },
      body: JSON.stringify({
        kind: 'Conversation',
        analysisInput: { conversationItem: { id: '1', participantId: 'caller', text, language } },
        parameters: { projectName: this.options.projectName, deploymentName: this.options.deploymentName, stringIndexType: 'TextElement_V8' },
      }),
    });
    if (!response.ok) throw new Error(`Azure AI Language answered ${response.status}`);
    const parsed = responseSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error('Azure AI Language answered in an unexpected shape');
    const ranked = parsed.data.result.prediction.intents
      .filter((i) => i.category !== this.noneIntent)
      .map((i) => ({ intent: i.category, confidence: i.confidenceScore }))
      .sort((a, b) => b.confidence - a.confidence);
    const top = parsed.data.result.prediction.topIntent;
    const outOfScope = top === this.noneIntent || top === null || top === undefined || ranked.length === 0;
    const best = ranked[0];
    return { intent: outOfScope || !best ? null : best.intent, confidence: best?.confidence ?? 0, outOfScope, ranked };
  }

  private async authorization(): Promise<Record<string, string>> {
    if (this.options.key) return { 'Ocp-Apim-Subscription-Key': this.options.key };
    const token = await this.credential?.getToken(tokenScope);
    if (!token) throw new Error('no token for Azure AI Language');
    return { authorization: `Bearer ${token.token}` };
  }
}
