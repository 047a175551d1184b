import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@azure/cosmos';
import { CosmosCallStore } from '../../bot/adapters/cosmos-call-store.js';
import { createContainersIfMissing, openCosmosDatabase } from '../../bot/adapters/cosmos-database.js';
import { startCosmosEmulator, type CosmosEmulator } from '../../local/cosmos/cosmos-emulator.js';

export interface CallStoreFixture {
  readonly emulator: CosmosEmulator;
  readonly database: Database;
  readonly store: CosmosCallStore;
  close(): Promise<void>;
}

/** The local Cosmos with the app's containers, and the call store on it through the real SDK. */
export async function startCallStoreFixture(): Promise<CallStoreFixture> {
  const emulator = await startCosmosEmulator({ certificateFolder: mkdtempSync(join(tmpdir(), 'sb-cosmos-')) });
  const { database } = openCosmosDatabase({ endpoint: emulator.endpoint, databaseId: 'switchboard', key: emulator.key, caCertificateFile: emulator.certificateFile });
  await createContainersIfMissing(database, 30);
  return {
    emulator,
    database,
    store: new CosmosCallStore(database.container('calls'), { retentionDays: 30 }),
    async close() {
      database.client.dispose();
      await emulator.close();
    },
  };
}
