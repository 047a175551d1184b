import type { Prompt } from '../../bot/call-flow/call-commands.js';
import { joinPrompts } from '../../bot/call-flow/join-prompts.js';
import { promptHeard } from '../../local/flow-test/check-flow-expectations.js';

const text = (t: string): Prompt => ({ text: t, voice: 'en-US-JennyNeural', language: 'en-US' });
const ssml = (inner: string): Prompt => ({
  text: `<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">${inner}</speak>`,
  ssml: true,
  voice: 'en-US-JennyNeural',
  language: 'en-US',
});
const heard = (p: Prompt): string => promptHeard(p.ssml ? { ssml: p.text } : { text: p.text });

describe('one prompt that says two', () => {
  it('joins plain texts with a space', () => {
    expect(joinPrompts(text('Sorry, I didn’t hear anything.'), text('Anything else?'))).toEqual(text('Sorry, I didn’t hear anything. Anything else?'));
  });

  it('keeps both when the second is SSML: the text, escaped, in the voice, then the SSML as written', () => {
    const joined = joinPrompts(text('Sorry, that PIN is 4 to 6 digits & no letters.'), ssml('<voice name="en-US-JennyNeural">Enter your PIN.<break time="300ms"/></voice>'));
    expect(joined.ssml).toBe(true);
    expect(joined.text).toBe(
      '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">' +
        '<voice name="en-US-JennyNeural">Sorry, that PIN is 4 to 6 digits &#38; no letters.</voice>' +
        '<voice name="en-US-JennyNeural">Enter your PIN.<break time="300ms"/></voice></speak>',
    );
    expect(heard(joined)).toBe('Sorry, that PIN is 4 to 6 digits & no letters. Enter your PIN.');
  });

  it('keeps both when the first is SSML, and gives SSML without a voice element its voice', () => {
    const joined = joinPrompts(ssml('Your balance is <say-as interpret-as="currency">$42.50</say-as>.'), text("Is there anything else I can help you with?"));
    expect(joined.text).toContain('<voice name="en-US-JennyNeural">Your balance is <say-as interpret-as="currency">$42.50</say-as>.</voice>');
    expect(heard(joined)).toBe("Your balance is $42.50. Is there anything else I can help you with?");
  });

  it('gives each plain text its own voice when the voices differ (a language menu)', () => {
    const spanish: Prompt = { text: 'Para español, pulse 2.', voice: 'es-ES-ElviraNeural', language: 'es-ES' };
    const joined = joinPrompts(text('For English, press 1.'), spanish);
    expect(joined.ssml).toBe(true);
    expect(joined.text).toContain('<voice name="en-US-JennyNeural">For English, press 1.</voice><voice name="es-ES-ElviraNeural">Para español, pulse 2.</voice>');
    expect(heard(joined)).toBe('For English, press 1. Para español, pulse 2.');
  });

  it('joins two SSML documents into one', () => {
    const joined = joinPrompts(ssml('<voice name="a">One.</voice>'), ssml('<voice name="b">Two.</voice>'));
    expect(joined.text.match(/<speak/g)).toHaveLength(1);
    expect(joined.text).toContain('<voice name="a">One.</voice><voice name="b">Two.</voice></speak>');
  });
});
