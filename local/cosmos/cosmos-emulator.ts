import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { generate } from 'selfsigned';
import { FaultQueue, type FaultRule } from '../fault-queue.js';
import { installLinearQueryScan } from './linear-query-scan.js';

/** The key the Cosmos emulators publish; the local server accepts any key, the SDK needs one. */
export const cosmosEmulatorKey =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosEmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** Folder where the generated certificate is written so other processes can trust it. */
  readonly certificateFolder?: string;
}

export interface CosmosEmulator {
  readonly endpoint: string;
  readonly key: string;
  /** PEM of the certificate generated for this run; trust exactly this one. */
  readonly certificatePem: string;
  readonly certificateFile: string | undefined;
  /** Answers the next matching requests with a Cosmos error instead of serving them (local only). */
  readonly faults: CosmosFaults;
  close(): Promise<void>;
}

export type CosmosFault = CosmosErrorFault | CosmosHold;

export interface CosmosErrorFault extends FaultRule {
  /** 429 (request rate too large), 503 (service unavailable), 408 (request timeout) or 500. */
  readonly status: 408 | 429 | 500 | 503;
  /**
   * Carry the request out, then answer with the fault all the same: an answer lost on the way
   * back, after which the client cannot know whether its write was applied.
   */
  readonly applied?: boolean;
  /** Sent as `x-ms-retry-after-ms`, the wait a 429 asks for. Default 10. */
  readonly retryAfterInMs?: number;
}

/**
 * A slow request: held until `until` settles, then served as usual. `onHeld` is called when a
 * request is held, so a test can act at that moment (a caller hanging up between a check and a
 * write) without guessing at timing.
 */
export interface CosmosHold extends FaultRule {
  readonly until: Promise<unknown>;
  readonly onHeld?: () => void;
}

/** Injects faults in front of the server's own request handling; `matches` sees the resource path, e.g. `/dbs/d/colls/calls/docs/id`. */
export type CosmosFaults = Pick<FaultQueue<CosmosFault>, 'inject' | 'pending' | 'served' | 'clear'>;

const faultCodes = { 408: 'RequestTimeout', 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable' } as const;

/** Puts the fault queue in front of the server's own request listeners. */
function injectableFaults(server: Server): CosmosFaults {
  const faults = new FaultQueue<CosmosFault>('Cosmos');
  const serve = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const request = { method: req.method ?? 'GET', path: decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/') };
    const fault = faults.take(request);
    if (!fault) {
      for (const listener of serve) listener(req, res);
      return;
    }
    if ('until' in fault) {
      fault.onHeld?.();
      const serveHeld = () => {
        for (const listener of serve) listener(req, res);
      };
      void fault.until.then(serveHeld, serveHeld);
      return;
    }
    const answer = () => {
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        'x-ms-activity-id': crypto.randomUUID(),
        ...(fault.status === 429 ? { 'x-ms-retry-after-ms': String(fault.retryAfterInMs ?? 10), 'x-ms-substatus': '3200' } : {}),
      });
      res.end(JSON.stringify({ code: faultCodes[fault.status], message: `Injected by the local Cosmos: ${faultCodes[fault.status]}` }));
    };
    if (!fault.applied) {
      req.resume();
      answer();
      return;
    }
    // The server writes its answer through statusCode, setHeader and end only.
    const lost = { statusCode: 200, finished: false, setHeader: () => lost, end: () => ((lost.finished = true), answer(), lost) };
    for (const listener of serve) listener(req, lost as unknown as ServerResponse);
  });
  return faults;
}

/**
 * `@vercel/cosmosdb-server` over TLS. Its bundled certificate expired in 2021, so a fresh
 * self-signed one is generated per start and handed to clients to trust; keep-alive is on because
 * the server's default `connection: close` costs a TLS handshake per request.
 */
export async function startCosmosEmulator(options: CosmosEmulatorOptions = {}): Promise<CosmosEmulator> {
  const host = options.host ?? '127.0.0.1';
  installLinearQueryScan();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const server: Server = createHttpsServer({ cert: pems.cert, key: pems.private, keepAlive: true } as never);
  server.keepAliveTimeout = 60_000;
  const faults = injectableFaults(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let certificateFile: string | undefined;
  if (options.certificateFolder) {
    mkdirSync(options.certificateFolder, { recursive: true });
    certificateFile = join(options.certificateFolder, 'cosmos-emulator.pem');
    writeFileSync(certificateFile, pems.cert);
  }
  return {
    endpoint: `https://${host}:${port}/`,
    key: cosmosEmulatorKey,
    certificatePem: pems.cert,
    certificateFile,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
