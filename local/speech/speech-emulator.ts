import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Azure AI Speech text to speech, as the Speech SDK speaks to it: a WebSocket at
 * `/cognitiveservices/websocket/v1` carrying text frames (`Path:` headers, a blank line, a body)
 * and binary frames (a 2-byte big-endian header length, the headers, the audio). The client sends
 * `speech.config`, `synthesis.context` (with the output format) and `ssml`; the service answers
 * `turn.start`, `response` (naming the audio stream), `audio` frames, `audio.metadata` (the session's
 * end, with its duration) and `turn.end`. A voice or SSML the service refuses closes the socket
 * with 1007 and the reason, which the SDK reports as the synthesis's error.
 *
 * It differs from the real service: the audio is a soft tone as long as the text would take to
 * say (60 ms a character), not speech; any voice named like a neural voice (`en-US-JennyNeural`)
 * is accepted, where the real service knows its own list; only raw 16-bit mono PCM is produced;
 * any key or token is accepted (a connection without one gets 401).
 */
export interface SpeechEmulator {
  /** `ws://127.0.0.1:<port>/cognitiveservices/websocket/v1`, for `SpeechConfig.fromEndpoint`. */
  readonly endpoint: string;
  /** Syntheses served, with the voice and text each spoke (newest last). */
  readonly syntheses: readonly { readonly voice: string; readonly text: string }[];
  close(): Promise<void>;
}

const path = '/cognitiveservices/websocket/v1';
const msPerCharacter = 60;
const maxDurationInMs = 60_000;
const neuralVoice = /^[a-z]{2,3}-[A-Z]{2,3}(-[A-Za-z]+)?-[A-Za-z0-9]+Neural$/;

interface Frame {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function parseTextFrame(text: string): Frame {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: split < 0 ? '' : text.slice(split + 4) };
}

function headerLines(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

function sendText(socket: WebSocket, pathName: string, requestId: string, body: unknown): void {
  const headers = { Path: pathName, 'X-RequestId': requestId, 'X-Timestamp': new Date().toISOString(), 'Content-Type': 'application/json; charset=utf-8' };
  socket.send(`${headerLines(headers)}\r\n${JSON.stringify(body)}`);
}

function sendAudio(socket: WebSocket, requestId: string, streamId: string, audio: Buffer): void {
  const head = Buffer.from(headerLines({ Path: 'audio', 'X-RequestId': requestId, 'X-StreamId': streamId, 'Content-Type': 'audio/x-wav' }), 'latin1');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(head.length);
  socket.send(Buffer.concat([length, head, audio]));
}

/** The spoken text of an SSML document: every text node, in order. */
function spokenText(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(spokenText).join(' ');
  if (node !== null && typeof node === 'object') {
    return Object.entries(node)
      .filter(([key]) => key !== ':@')
      .map(([, value]) => spokenText(value))
      .join(' ');
  }
  return '';
}

/** The voices an SSML document names, and its text; or why the service would refuse it. */
export function readSsml(ssml: string): { readonly voices: string[]; readonly text: string } | { readonly refused: string } {
  const valid = XMLValidator.validate(ssml);
  if (valid !== true) return { refused: `SSML is invalid: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).` };
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true }).parse(ssml) as Record<string, unknown>[];
  const speak = parsed.find((n) => 'speak' in n);
  if (!speak) return { refused: 'SSML is invalid: the root element must be <speak>.' };
  const voices: string[] = [];
  const findVoices = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(findVoices);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if ('voice' in record) {
        const name = (record[':@'] as Record<string, unknown> | undefined)?.['name'];
        voices.push(typeof name === 'string' ? name : '');
      }
      for (const [key, value] of Object.entries(record)) if (key !== ':@') findVoices(value);
    }
  };
  findVoices(speak['speak']);
  if (voices.length === 0) return { refused: 'SSML is invalid: a <voice> element with a name is required.' };
  const unsupported = voices.find((v) => !neuralVoice.test(v));
  if (unsupported !== undefined) return { refused: `Unsupported voice ${unsupported}.` };
  return { voices, text: spokenText(speak['speak']).replace(/\s+/g, ' ').trim() };
}

/** A soft 440 Hz tone, 16-bit mono little-endian PCM at `sampleRate`. */
function tone(durationInMs: number, sampleRate: number): Buffer {
  const samples = Math.round((durationInMs / 1000) * sampleRate);
  const audio = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) audio.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  return audio;
}

function sampleRateOf(outputFormat: string): number | undefined {
  const match = /^raw-(8|16|24|48)khz-16bit-mono-pcm$/.exec(outputFormat);
  return match ? Number(match[1]) * 1000 : undefined;
}

function authorized(request: IncomingMessage): boolean {
  const query = new URL(request.url ?? '/', 'ws://local').searchParams;
  return Boolean(request.headers['ocp-apim-subscription-key'] || query.get('Ocp-Apim-Subscription-Key') || request.headers['authorization']);
}

export async function startSpeechEmulator(options: { readonly port?: number; readonly host?: string } = {}): Promise<SpeechEmulator> {
  const host = options.host ?? '127.0.0.1';
  const syntheses: { voice: string; text: string }[] = [];
  const server = new WebSocketServer({
    host,
    port: options.port ?? 0,
    path,
    verifyClient: ({ req }, done) => (authorized(req) ? done(true) : done(false, 401, 'Authentication error: a subscription key or token is required.')),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (socket) => {
    let outputFormat = 'riff-16khz-16bit-mono-pcm';
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = parseTextFrame(data.toString());
      const requestId = frame.headers['x-requestid'] ?? randomUUID().replace(/-/g, '');
      switch (frame.headers['path']) {
        case 'synthesis.context': {
          const context = JSON.parse(frame.body || '{}') as { synthesis?: { audio?: { outputFormat?: string } } };
          outputFormat = context.synthesis?.audio?.outputFormat ?? outputFormat;
          return;
        }
        case 'ssml': {
          const sampleRate = sampleRateOf(outputFormat);
          if (sampleRate === undefined) {
            socket.close(1007, `Unsupported output format ${outputFormat} (the local Speech service makes raw 16-bit mono PCM only).`);
            return;
          }
          const read = readSsml(frame.body);
          if ('refused' in read) {
            socket.close(1007, read.refused.slice(0, 120));
            return;
          }
          syntheses.push({ voice: read.voices[0] ?? '', text: read.text });
          const durationInMs = Math.min(maxDurationInMs, Math.max(200, read.text.length * msPerCharacter));
          const streamId = randomUUID().replace(/-/g, '').toUpperCase();
          sendText(socket, 'turn.start', requestId, { context: { serviceTag: randomUUID().replace(/-/g, '') } });
          sendText(socket, 'response', requestId, { context: { serviceTag: '' }, audio: { type: 'inline', streamId } });
          const audio = tone(durationInMs, sampleRate);
          const chunk = 8192;
          for (let offset = 0; offset < audio.length; offset += chunk) sendAudio(socket, requestId, streamId, audio.subarray(offset, offset + chunk));
          sendText(socket, 'audio.metadata', requestId, { Metadata: [{ Type: 'SessionEnd', Data: { Offset: durationInMs * 10_000 } }] });
          sendText(socket, 'turn.end', requestId, {});
          return;
        }
        default:
          return;
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `ws://${host}:${port}${path}`,
    syntheses,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
