import type { Prompt } from './call-commands.js';

const SSML_NAMESPACE = 'http://www.w3.org/2001/10/synthesis';

/** Text made safe to put between SSML tags or inside an attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One prompt that says `first` and then `second`, each in its own voice: plain texts are joined
 * with a space; when either is SSML the result is one <speak> document holding both, the plain
 * one escaped inside a <voice> element. A validated config's SSML is one <speak>…</speak> document
 * (check-contact-center-config.ts); its content is kept as written.
 */
export function joinPrompts(first: Prompt, second: Prompt): Prompt {
  if (!first.ssml && !second.ssml) return { ...second, text: `${first.text} ${second.text}` };
  const body = `${ssmlBody(first)}${ssmlBody(second)}`;
  return {
    ...second,
    ssml: true,
    text: `<speak version="1.0" xmlns="${SSML_NAMESPACE}" xml:lang="${escapeXml(second.language)}">${body}</speak>`,
  };
}

/** What goes inside <speak> for the prompt: its <voice> elements, or its text in one. */
function ssmlBody(prompt: Prompt): string {
  if (!prompt.ssml) return inVoice(prompt, escapeXml(prompt.text));
  const inner = prompt.text
    .trim()
    .replace(/^<speak\b[^>]*>/, '')
    .replace(/<\/speak>$/, '')
    .trim();
  // Speech outside a <voice> element would lose its voice once joined: give it the prompt's.
  return /<voice\b/.test(inner) ? inner : inVoice(prompt, inner);
}

function inVoice(prompt: Prompt, content: string): string {
  return `<voice name="${escapeXml(prompt.voice)}">${content}</voice>`;
}
