import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limitInBytes: number) {
    super(`request body larger than ${limitInBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads the whole request body, refusing more than `limitInBytes`. */
export async function readRequestBody(request: IncomingMessage, limitInBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitInBytes) throw new BodyTooLargeError(limitInBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body; an empty body is `undefined`. Throws SyntaxError on bad JSON. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
}

export function sendJson(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  if (body === undefined) {
    response.writeHead(status, { 'content-length': '0' });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
