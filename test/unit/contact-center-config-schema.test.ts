import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { contactCenterJsonSchemaText } from '../../bot/assistant/contact-center-config.js';

/**
 * config/contact-center.schema.json is what editors (yaml-language-server) check the YAML against.
 * It is generated from the zod schema and must never drift from it; it must accept what the parser
 * accepts, and catch in the editor what it can.
 */
const root = join(import.meta.dirname, '..', '..');
const committed = readFileSync(join(root, 'config', 'contact-center.schema.json'), 'utf8');
const sample = parse(readFileSync(join(root, 'config', 'contact-center.yaml'), 'utf8'), { merge: true }) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(JSON.parse(committed) as object);

function copyOfSample(): Record<string, unknown> {
  return structuredClone(sample);
}

describe('the published JSON Schema', () => {
  it('is exactly what the zod schema generates (run npx tsx local/cli/config-schema.ts after a change)', () => {
    expect(committed).toBe(contactCenterJsonSchemaText());
  });

  it('is a draft-07 schema that a standard validator compiles', () => {
    expect(JSON.parse(committed)).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#' });
  });

  it('accepts the sample config', () => {
    const valid = validate(sample);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('flags an unknown field, a bad phone number and a wrong type in the editor', () => {
    const config = copyOfSample();
    const numbers = config['numbers'] as Array<Record<string, unknown>>;
    numbers[0] = { ...numbers[0], number: '212 555 0100' };
    const queues = config['queues'] as Array<Record<string, unknown>>;
    queues[0] = { ...queues[0], ringTimeInSeconds: 'twenty', ringTime: 20 };

    expect(validate(config)).toBe(false);
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(problems).toEqual(
      expect.arrayContaining(['/numbers/0/number pattern', '/queues/0/ringTimeInSeconds type', '/queues/0 additionalProperties']),
    );
  });

  it('requires exactly one of selfService and escalate on an intent', () => {
    const config = copyOfSample();
    const intents = config['intents'] as Array<Record<string, unknown>>;
    intents[0] = { ...intents[0], selfService: { action: 'order-status' } };

    expect(validate(config)).toBe(false);
    expect((validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`)).toContain('/intents/0 oneOf');
  });
});
