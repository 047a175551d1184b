/**
 * What Call Automation accepts as an audio file to play: a RIFF/WAVE file of mono, 16-bit PCM
 * samples at 16 kHz (the ACS troubleshooting guide: anything else plays nothing and the play
 * fails). Returns why a file is refused, or undefined for a playable one.
 */
export function wavFormatProblem(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') return 'not a RIFF/WAVE file';
  let format: { audioFormat: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let hasData = false;
  // Chunks: 4-byte id, 4-byte little-endian size, the body padded to an even length.
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = ascii(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && size >= 16 && offset + 8 + 16 <= bytes.length) {
      format = {
        audioFormat: view.getUint16(offset + 8, true),
        channels: view.getUint16(offset + 10, true),
        sampleRate: view.getUint32(offset + 12, true),
        bitsPerSample: view.getUint16(offset + 22, true),
      };
    }
    if (id === 'data' && size > 0) hasData = true;
    offset += 8 + size + (size % 2);
  }
  if (!format) return 'no fmt chunk';
  if (format.audioFormat !== 1) return `audio format ${format.audioFormat}, not PCM`;
  if (format.channels !== 1) return `${format.channels} channels, not mono`;
  if (format.bitsPerSample !== 16) return `${format.bitsPerSample}-bit samples, not 16-bit`;
  if (format.sampleRate !== 16_000) return `${format.sampleRate} Hz, not 16 kHz`;
  if (!hasData) return 'no audio data';
  return undefined;
}
