import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { generate } from 'selfsigned';

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
  close(): Promise<void>;
}

/**
 * `@vercel/cosmosdb-server` over TLS. Its bundled certificate expired in 2021, so a fresh
 * self-signed one is generated per start and handed to clients to trust; keep-alive is on because
 * the server's default `connection: close` costs a TLS handshake per request.
 */
export async function startCosmosEmulator(options: CosmosEmulatorOptions = {}): Promise<CosmosEmulator> {
  const host = options.host ?? '127.0.0.1';
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
