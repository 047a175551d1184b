import { encodeWav, HOLD_TONE_SAMPLE_RATE, holdToneUrl, holdToneWavFile, renderHoldTone } from '../../bot/media/hold-tone.js';
import { wavFormatProblem } from '../../local/acs/wav-format.js';

describe('the built-in hold tone', () => {
  const samples = renderHoldTone();

  it('is a WAV file Call Automation plays: mono, 16-bit PCM, 16 kHz', () => {
    const file = holdToneWavFile();
    expect(wavFormatProblem(file)).toBeUndefined();
    expect(file.length).toBe(44 + samples.length * 2);
  });

  it('lasts about ten seconds, is audible, and leaves headroom instead of clipping', () => {
    expect(samples.length / HOLD_TONE_SAMPLE_RATE).toBeCloseTo(9.6, 1);
    let peak = 0;
    let energy = 0;
    for (const s of samples) {
      peak = Math.max(peak, Math.abs(s));
      energy += s * s;
    }
    const rms = Math.sqrt(energy / samples.length) / 32768;
    expect(peak / 32768).toBeLessThan(0.25);
    expect(rms).toBeGreaterThan(0.02);
  });

  it('sits in the band a phone line carries (300-3400 Hz), so no note is lost to the line', () => {
    // Power at each frequency from 50 Hz to 4 kHz, in 10 Hz steps (Goertzel), over the whole loop.
    const power = (frequency: number): number => {
      const k = 2 * Math.cos((2 * Math.PI * frequency) / HOLD_TONE_SAMPLE_RATE);
      let s1 = 0;
      let s2 = 0;
      for (const sample of samples) {
        const s0 = sample + k * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      return s1 * s1 + s2 * s2 - k * s1 * s2;
    };
    let inBand = 0;
    let total = 0;
    for (let f = 50; f <= 4000; f += 10) {
      const p = power(f);
      total += p;
      if (f >= 300 && f <= 3400) inBand += p;
    }
    expect(inBand / total).toBeGreaterThan(0.99);
  });

  it('loops without a click: the end runs into the start', () => {
    const jump = Math.abs(samples[samples.length - 1]! - samples[0]!);
    let largestStep = 0;
    for (let i = 1; i < samples.length; i++) largestStep = Math.max(largestStep, Math.abs(samples[i]! - samples[i - 1]!));
    expect(jump).toBeLessThanOrEqual(largestStep);
  });

  it('is served below the public base URL the callbacks use', () => {
    expect(holdToneUrl('https://switchboard.example/')).toBe('https://switchboard.example/api/media/hold-tone.wav');
  });
});

describe('the audio files Call Automation refuses', () => {
  it('names what is wrong with a file it cannot play', () => {
    expect(wavFormatProblem(encodeWav(new Int16Array(100), 44_100))).toBe('44100 Hz, not 16 kHz');
    const stereo = encodeWav(new Int16Array(100), 16_000);
    new DataView(stereo.buffer).setUint16(22, 2, true);
    expect(wavFormatProblem(stereo)).toBe('2 channels, not mono');
    const eightBit = encodeWav(new Int16Array(100), 16_000);
    new DataView(eightBit.buffer).setUint16(34, 8, true);
    expect(wavFormatProblem(eightBit)).toBe('8-bit samples, not 16-bit');
    expect(wavFormatProblem(new TextEncoder().encode('ID3\u0004 an mp3 file'))).toBe('not a RIFF/WAVE file');
    expect(wavFormatProblem(encodeWav(new Int16Array(0), 16_000))).toBe('no audio data');
  });
});
