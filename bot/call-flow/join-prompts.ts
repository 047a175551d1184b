import type { Prompt } from './call-commands.js';

const SSML_NAMESPACE = 'http://www.w3.org/2001/10/synthesis';

/** Text made safe to put between SSML tags or inside an attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One prompt that says `first` and then `second`, each in its own voice: plain texts in one voice
 * are joined with a space; otherwise (SSML, or two voices such as a language menu's lines) the
 * result is one <speak> document holding both, plain text escaped inside a <voice> element. A
 * validated config's SSML is one <speak>…</speak> document (check-contact-center-config.ts); its
 * content is kept as written.
 */
export function joinPrompts(first: Prompt, second: Prompt): Prompt {
  if (!first.ssml && !second.ssml && first.voice === second.voice) return { ...second, text: `${first.text} ${second.text}` };
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

const namedEntities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The words a prompt says: its text, or its SSML without the markup (for transcripts). */
export function wordsOf(prompt: Pick<Prompt, 'text' | 'ssml'>): string {
  return prompt.ssml ? ssmlWords(prompt.text) : prompt.text;
}

/** SSML's spoken words: tags dropped, entities decoded, spaces tidied. */
export function ssmlWords(ssml: string): string {
  return ssml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, dec?: string, hex?: string, name?: string) =>
      dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : (namedEntities[name ?? ''] ?? whole),
    )
    .replace(/\s+/g, ' ')
    .replace(/ ([.,!?;:])/g, '$1')
    .trim();
}
