import { escapeXml } from '../../call-flow/join-prompts.js';
import type { ContactCenterConfig, PromptText, StandardPromptKey } from './contact-center-schema.js';

/** A prompt ready to play; the same shape as the call flow's `Prompt`. */
export interface RenderedPrompt {
  /** Plain text spoken with the voice, or SSML when `ssml` is true. */
  readonly text: string;
  readonly ssml?: boolean;
  readonly voice: string;
  readonly language: string;
}

/**
 * The prompt `key` in `language` with its {placeholders} filled in (values are XML-escaped inside
 * SSML). A validated config has every prompt in every language with known placeholders, so a miss
 * here is a programming error and throws.
 */
export function renderPrompt(
  config: Pick<ContactCenterConfig, 'languages' | 'prompts'>,
  language: string,
  key: StandardPromptKey | (string & {}),
  values: Readonly<Record<string, string | number>> = {},
): RenderedPrompt {
  const spec = config.languages.find((l) => l.code === language);
  const prompt = config.prompts[language]?.[key];
  if (!spec || prompt === undefined) throw new Error(`No prompt "${key}" for language ${language}`);
  const isSsml = typeof prompt !== 'string';
  const template = isSsml ? prompt.ssml : prompt;
  const text = fillPromptTemplate(template, isSsml, (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`Prompt "${key}" (${language}) needs a value for {${name}}`);
    return String(value);
  });
  return isSsml ? { text, ssml: true, voice: spec.voice, language } : { text, voice: spec.voice, language };
}

/** The config's prompt `key` in `language`, else in the default language (a translation it lacks). */
export function configuredPrompt(config: Pick<ContactCenterConfig, 'prompts' | 'defaultLanguage'>, language: string, key: string): PromptText | undefined {
  return config.prompts[language]?.[key] ?? config.prompts[config.defaultLanguage]?.[key];
}

/**
 * The template with each {placeholder} that has a value replaced by it (XML-escaped when the
 * template is SSML); a placeholder without one is left as written.
 */
export function fillPromptTemplate(template: string, ssml: boolean, valueOf: (name: string) => string | undefined): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const value = valueOf(name);
    if (value === undefined) return whole;
    return ssml ? escapeXml(value) : value;
  });
}
