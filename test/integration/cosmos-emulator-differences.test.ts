// Pins where @vercel/cosmosdb-server differs from real Cosmos DB (README "The local Azure"), so a
// change in the emulator, or code that starts leaning on one of these, shows up here.
import type { Container, Database } from '@azure/cosmos';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCosmosDatabase } from '../../bot/adapters/cosmos-database.js';
import { startCosmosEmulator, type CosmosEmulator } from '../../local/cosmos/cosmos-emulator.js';

let emulator: CosmosEmulator;
let database: Database;
let container: Container;

beforeAll(async () => {
  emulator = await startCosmosEmulator({ certificateFolder: mkdtempSync(join(tmpdir(), 'sb-cosmos-')) });
  ({ database } = openCosmosDatabase({ endpoint: emulator.endpoint, databaseId: 'differences', key: emulator.key, caCertificateFile: emulator.certificateFile }));
  await database.client.databases.createIfNotExists({ id: 'differences' });
  ({ container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/pk'] }, defaultTtl: 1 }));
  await container.items.create({ id: 'a1', pk: 'a', n: 1 });
  await container.items.create({ id: 'b1', pk: 'b', n: 2 });
});
afterAll(async () => {
  database.client.dispose();
  await emulator.close();
});

describe('the local Cosmos differs from real Cosmos', () => {
  it('ignores TTL: an item with ttl 1 s is still there later (real Cosmos would delete it)', async () => {
    await container.items.create({ id: 'ttl', pk: 'a', ttl: 1, createdLongAgo: true });
    const { resource } = await container.item('ttl', 'a').read();
    expect(resource).toBeDefined();
  });

  it('does not roll a transactional batch back when one operation fails', async () => {
    await container.items.batch(
      [
        { operationType: 'Create', partitionKey: 'a', resourceBody: { id: 'batch-1', pk: 'a' } },
        { operationType: 'Create', partitionKey: 'a', resourceBody: { id: 'a1', pk: 'a' } },
      ],
      'a',
    ).catch(() => undefined);
    const { resource } = await container.item('batch-1', 'a').read();
    expect(resource).toBeDefined();
  });

  it('may not restrict a query to the partitionKey option: the key must also be in the query text', async () => {
    const optionOnly = await container.items.query('SELECT * FROM c', { partitionKey: 'a' }).fetchAll();
    const inText = await container.items
      .query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'a' }] }, { partitionKey: 'a' })
      .fetchAll();
    expect(inText.resources.every((r) => r.pk === 'a')).toBe(true);
    expect(optionOnly.resources.length).toBeGreaterThanOrEqual(inText.resources.length);
  });

  it('rejects OFFSET/LIMIT', async () => {
    await expect(container.items.query('SELECT * FROM c OFFSET 0 LIMIT 1').fetchAll()).rejects.toThrow();
  });

  it('rejects GROUP BY and DISTINCT', async () => {
    await expect(container.items.query('SELECT c.pk, COUNT(1) AS n FROM c GROUP BY c.pk').fetchAll()).rejects.toThrow();
    await expect(container.items.query('SELECT DISTINCT c.pk FROM c').fetchAll()).rejects.toThrow();
  });
});
