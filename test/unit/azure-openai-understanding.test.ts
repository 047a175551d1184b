import {
  AzureOpenAiUnderstanding,
  intentCompletionRequest,
  intentSystemMessage,
  understandingFromCompletion,
  type OpenAiIntent,
} from '../../bot/adapters/azure-openai-understanding.js';

const offered = ['billing_question', 'order_status'];

/** A chat.completion as Azure OpenAI sends it, with the answer's tokens and their logprobs. */
function completion(content: string | null, tokens: [string, number][], extra: { finish_reason?: string; refusal?: string } = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        finish_reason: extra.finish_reason ?? 'stop',
        message: { role: 'assistant', content, refusal: extra.refusal ?? null },
        logprobs: { content: tokens.map(([token, logprob]) => ({ token, logprob, bytes: [], top_logprobs: [] })), refusal: null },
      },
    ],
  };
}

const answer = (intent: string, valueLogprob: number) =>
  completion(JSON.stringify({ intent }), [['{"', 0], ['intent', -1e-6], ['":"', 0], [intent.slice(0, 5), valueLogprob], [intent.slice(5), -2e-6], ['"}', 0]]);

describe('reading Azure OpenAI\'s answer', () => {
  it('takes the chosen intent\'s probability from the logprobs of the answer\'s tokens', () => {
    const understood = understandingFromCompletion(answer('order_status', Math.log(0.8)), offered);
    expect(understood.intent).toBe('order_status');
    expect(understood.outOfScope).toBe(false);
    expect(understood.confidence).toBeCloseTo(0.8, 4);
    expect(understood.ranked).toEqual([{ intent: 'order_status', confidence: understood.confidence }]);
  });

  it('multiplies the probabilities of every token of the value', () => {
    const split = completion('{"intent":"billing_question"}', [['{"intent":"', 0], ['bill', Math.log(0.9)], ['ing_question', Math.log(0.5)], ['"}', 0]]);
    expect(understandingFromCompletion(split, offered).confidence).toBeCloseTo(0.45, 4);
  });

  it('ranks the runner-up intents the model weighed where the value starts, so an unsure answer can be clarified', () => {
    const intents = ['billing_question', 'order_status', 'outage_report'];
    const weighed = completion('{"intent":"order_status"}', [['{"', 0], ['intent', -1e-6], ['":"', 0], ['order', Math.log(0.55)], ['_status', -1e-6], ['"}', 0]]);
    weighed.choices[0]!.logprobs.content[3]!.top_logprobs = [
      { token: 'order', logprob: Math.log(0.55) },
      { token: 'out', logprob: Math.log(0.3) },
      { token: 'bill', logprob: Math.log(0.1) },
      { token: 'none', logprob: Math.log(0.04) },
      { token: 'o', logprob: Math.log(0.01) },
    ] as never[];
    const understood = understandingFromCompletion(weighed, intents);
    expect(understood.intent).toBe('order_status');
    expect(understood.ranked.map((r) => r.intent)).toEqual(['order_status', 'outage_report', 'billing_question']);
    expect(understood.ranked[1]?.confidence).toBeCloseTo(0.3, 4);
    expect(understood.ranked[2]?.confidence).toBeCloseTo(0.1, 4);
  });

  it('finds the value inside a token that also carries the JSON before it, and skips alternatives that fit no offered intent', () => {
    const weighed = completion('{"intent": "billing_question"}', [['{"intent": "bill', Math.log(0.6)], ['ing_question', -1e-6], ['"}', 0]]);
    weighed.choices[0]!.logprobs.content[0]!.top_logprobs = [
      { token: '{"intent": "bill', logprob: Math.log(0.6) },
      { token: '{"intent": "ord', logprob: Math.log(0.25) },
      { token: '{"intent": "weather', logprob: Math.log(0.1) },
    ] as never[];
    const understood = understandingFromCompletion(weighed, offered);
    expect(understood.ranked).toEqual([
      { intent: 'billing_question', confidence: expect.closeTo(0.6, 4) },
      { intent: 'order_status', confidence: expect.closeTo(0.25, 4) },
    ]);
  });

  it('tells apart runner-ups that share the chosen intent\'s first word, from the token where they part', () => {
    const intents = ['billing_question', 'billing_dispute', 'order_status'];
    const weighed = completion('{"intent":"billing_question"}', [['{"intent":"', 0], ['billing', Math.log(0.9)], ['_question', Math.log(0.6)], ['"}', 0]]);
    const tokens = weighed.choices[0]!.logprobs.content;
    tokens[1]!.top_logprobs = [
      { token: 'billing', logprob: Math.log(0.9) },
      { token: 'order', logprob: Math.log(0.08) },
    ] as never[];
    tokens[2]!.top_logprobs = [
      { token: '_question', logprob: Math.log(0.6) },
      { token: '_dispute', logprob: Math.log(0.4) },
    ] as never[];
    const understood = understandingFromCompletion(weighed, intents);
    expect(understood.ranked).toEqual([
      { intent: 'billing_question', confidence: expect.closeTo(0.54, 4) },
      { intent: 'billing_dispute', confidence: expect.closeTo(0.36, 4) },
      { intent: 'order_status', confidence: expect.closeTo(0.08, 4) },
    ]);
  });

  it('weighs a longer intent where the chosen one closes its quote, and leaves out an alternative that still fits two', () => {
    const intents = ['agent', 'agent_callback', 'billing_dispute_card', 'billing_dispute_fee'];
    const weighed = completion('{"intent":"agent"}', [['{"intent":"', 0], ['agent', Math.log(0.7)], ['"}', Math.log(0.8)]]);
    const tokens = weighed.choices[0]!.logprobs.content;
    tokens[1]!.top_logprobs = [
      { token: 'agent', logprob: Math.log(0.7) },
      { token: 'billing_dispute', logprob: Math.log(0.3) },
    ] as never[];
    tokens[2]!.top_logprobs = [
      { token: '"}', logprob: Math.log(0.8) },
      { token: '_callback', logprob: Math.log(0.2) },
    ] as never[];
    const understood = understandingFromCompletion(weighed, intents);
    expect(understood.ranked).toEqual([
      { intent: 'agent', confidence: expect.closeTo(0.56, 4) },
      { intent: 'agent_callback', confidence: expect.closeTo(0.14, 4) },
    ]);
  });

  it('takes "none" as out of scope, with no intent', () => {
    const understood = understandingFromCompletion(answer('none', Math.log(0.9)), offered);
    expect(understood).toEqual({ intent: null, confidence: expect.closeTo(0.1, 4), outOfScope: true, ranked: [] });
  });

  it('refuses an intent it did not offer', () => {
    expect(() => understandingFromCompletion(answer('cancel_service', -0.01), offered)).toThrow(/not offered/);
  });

  it('refuses a refusal, a cut answer, prose instead of JSON, a missing logprobs list and a malformed body', () => {
    expect(() => understandingFromCompletion(completion(null, [], { refusal: 'I cannot help with that.' }), offered)).toThrow(/refused/);
    expect(() => understandingFromCompletion(completion('{"intent":"bill', [['{"intent":"bill', -0.1]], { finish_reason: 'length' }), offered)).toThrow(/early \(length\)/);
    expect(() => understandingFromCompletion(completion('billing_question', [['billing_question', -0.1]]), offered)).toThrow(/intent JSON/);
    expect(() => understandingFromCompletion(completion('{"intent":"order_status"}', []), offered)).toThrow(/logprobs/);
    expect(() => understandingFromCompletion({ choices: [] }, offered)).toThrow(/unexpected shape/);
    expect(() => understandingFromCompletion('<html>Bad gateway</html>', offered)).toThrow(/unexpected shape/);
  });
});

describe('asking Azure OpenAI', () => {
  const intents: OpenAiIntent[] = [
    { name: 'billing_question', description: 'Questions about a bill.', examples: { 'en-US': ['why is my bill so high', 'I was charged twice'], 'es-ES': ['tengo una duda sobre mi factura'] } },
    { name: 'order_status', description: 'Where an order is.', examples: { 'en-US': ['where is my order'] } },
  ];

  it('constrains the answer to the intents plus "none" through a strict JSON schema, deterministically, with logprobs', () => {
    const request = intentCompletionRequest({ deploymentName: 'gpt-4o-mini', systemMessage: 'sys', intentNames: offered, text: 'where is my order' });
    expect(request).toMatchObject({ temperature: 0, logprobs: true, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'where is my order' }] });
    expect(request.response_format.json_schema.strict).toBe(true);
    expect(request.response_format.json_schema.schema.properties.intent.enum).toEqual(['billing_question', 'order_status', 'none']);
  });

  it('shows the model each intent with examples in the caller\'s language, else in another', () => {
    const spanish = intentSystemMessage(intents, 'es-ES');
    expect(spanish).toContain('- billing_question: Questions about a bill; e.g. "tengo una duda sobre mi factura"');
    expect(spanish).toContain('- order_status: Where an order is; e.g. "where is my order"');
    expect(spanish).not.toContain('charged twice');
  });

  it('keeps the system message bounded however many examples the config has', () => {
    const many: OpenAiIntent[] = Array.from({ length: 150 }, (_, i) => ({
      name: `intent_${i}`,
      description: 'd'.repeat(300),
      examples: { 'en-US': Array.from({ length: 20 }, (_, j) => `example ${j} of intent ${i} `.repeat(10)) },
    }));
    const few = intentSystemMessage(many.slice(0, 3), 'en-US');
    const bounded = intentSystemMessage(many.slice(0, 20), 'en-US');
    expect(few.match(/example \d+ of intent 0 /g)?.length).toBe(4 * 10);
    expect(bounded.length).toBeLessThanOrEqual(8000);
    expect(bounded).toContain('- intent_19');
    // Every intent is still listed when even no examples do not fit: the schema's enum holds them anyway.
    expect(intentSystemMessage(many, 'en-US')).toContain('- intent_149');
  });

  it('will not take an intent named "none": the model could not tell it from out of scope', () => {
    expect(() => new AzureOpenAiUnderstanding({ endpoint: 'http://127.0.0.1:1', deploymentName: 'd', key: 'k', intents: [{ name: 'none', examples: {} }] })).toThrow(/"none"/);
  });
});
