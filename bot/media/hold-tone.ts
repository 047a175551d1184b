/**
 * The built-in music on hold: a soft arpeggio over four chords, rendered here as the one WAV format
 * Call Automation plays (mono, 16-bit PCM, 16 kHz) and served by the app itself at
 * `{CALLBACK_BASE_URL}/api/media/hold-tone.wav`. A queue without `musicOnHoldUrl` plays it, and so
 * does a queue whose own file Call Automation cannot download or read, so a waiting caller is
 * never left in silence. Rendered in code rather than shipped as a recording: it has no licence to
 * track and no binary in the repository. The WAV header is 44 bytes of fixed layout, written by
 * hand; a library would add more than it saves.
 */

export const HOLD_TONE_SAMPLE_RATE = 16_000;
/** Where the app serves the tone, below its public base URL. */
export const HOLD_TONE_PATH = 'api/media/hold-tone.wav';

/** The built-in tone's URL for an app whose public base URL (CALLBACK_BASE_URL) is `baseUrl`. */
export function holdToneUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${HOLD_TONE_PATH}`;
}

const beatInSeconds = 0.3;
const notesPerChord = 8; // see `pattern`
// C major, A minor, F major, G major (MIDI note numbers), each arpeggiated up and back down, an
// octave above middle C: a phone line drops most of what is below 300 Hz, so a lower melody would
// lose its fundamentals (F3 is 175 Hz); these run from 349 Hz (F4) to 1047 Hz (C6).
const chords: readonly (readonly number[])[] = [
  [72, 76, 79, 84],
  [69, 72, 76, 81],
  [65, 69, 72, 77],
  [67, 71, 74, 79],
];
const noteDecayInSeconds = 0.9;
const peak = 0.22;

const frequencyOf = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/**
 * Renders the loop (about 9.6 s). Each note's tail wraps around to the start, so the last notes
 * ring on into the first ones when Call Automation loops the file, without a click.
 */
export function renderHoldTone(): Int16Array {
  const total = Math.round(chords.length * notesPerChord * beatInSeconds * HOLD_TONE_SAMPLE_RATE);
  const mix = new Float64Array(total);
  const noteLength = Math.round(noteDecayInSeconds * 5 * HOLD_TONE_SAMPLE_RATE);
  let beat = 0;
  for (const chord of chords) {
    // Up the chord, its root an octave higher, and back down: eight notes.
    const pattern = [...chord, chord[0]! + 12, ...chord.slice(1).reverse()];
    for (const midi of pattern) {
      const start = Math.round(beat * beatInSeconds * HOLD_TONE_SAMPLE_RATE);
      const frequency = frequencyOf(midi);
      for (let i = 0; i < noteLength; i++) {
        const t = i / HOLD_TONE_SAMPLE_RATE;
        const attack = Math.min(1, t / 0.01);
        const envelope = attack * Math.exp(-t / noteDecayInSeconds);
        // A sine with a little of its octave: rounder than a pure tone, still soft on a phone line.
        const phase = 2 * Math.PI * frequency * t;
        mix[(start + i) % total]! += envelope * (Math.sin(phase) + 0.25 * Math.sin(2 * phase));
      }
      beat++;
    }
  }
  let loudest = 0;
  for (const value of mix) loudest = Math.max(loudest, Math.abs(value));
  const samples = new Int16Array(total);
  const scale = (peak * 32767) / loudest;
  for (let i = 0; i < total; i++) samples[i] = Math.round(mix[i]! * scale);
  return samples;
}

/** A RIFF/WAVE file of mono 16-bit PCM at `sampleRate`. */
export function encodeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i]!, true);
  return bytes;
}

let holdToneWav: Uint8Array | undefined;

/** The built-in tone as a WAV file, rendered once per process (about 300 KB). */
export function holdToneWavFile(): Uint8Array {
  holdToneWav ??= encodeWav(renderHoldTone(), HOLD_TONE_SAMPLE_RATE);
  return holdToneWav;
}
