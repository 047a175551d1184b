import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { CosmosClient, type Database } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';

export interface CosmosDatabaseOptions {
  readonly endpoint: string;
  readonly databaseId: string;
  /** Local emulator only; in Azure the managed identity is used. */
  readonly key?: string | undefined;
  /** Local emulator only: the PEM certificate to trust. */
  readonly caCertificateFile?: string | undefined;
  /**
   * How long one request may wait out throttling (429) in all before it fails (default 5; the SDK's
   * own default, 30, would hold a caller in silence that long). The call shell then tries again.
   */
  readonly throttleWaitInSeconds?: number;
}

/** The Cosmos database, reached by key (local emulator) or managed identity (Azure). */
export function openCosmosDatabase(options: CosmosDatabaseOptions): { client: CosmosClient; database: Database } {
  const agent = options.caCertificateFile
    ? new Agent({ ca: readFileSync(options.caCertificateFile, 'utf8'), keepAlive: true })
    : new Agent({ keepAlive: true });
  const client = new CosmosClient({
    endpoint: options.endpoint,
    ...(options.key ? { key: options.key } : { aadCredentials: new DefaultAzureCredential() }),
    agent,
    // The local emulator advertises itself as the only region; discovery adds a round trip for nothing.
    connectionPolicy: {
      enableEndpointDiscovery: !options.caCertificateFile,
      retryOptions: { maxRetryAttemptCount: 9, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: options.throttleWaitInSeconds ?? 5 },
    },
  });
  return { client, database: client.database(options.databaseId) };
}

/** Containers of DESIGN.md §5; in Azure Bicep creates them, locally the stack does. */
export const containerDefinitions = [
  { id: 'calls', partitionKey: '/callId', defaultTtl: true },
  { id: 'agents', partitionKey: '/agentId', defaultTtl: false },
  { id: 'queues', partitionKey: '/queueId', defaultTtl: false },
] as const;

export async function createContainersIfMissing(database: Database, retentionDays: number): Promise<void> {
  await database.client.databases.createIfNotExists({ id: database.id });
  for (const def of containerDefinitions) {
    await database.containers.createIfNotExists({
      id: def.id,
      partitionKey: { paths: [def.partitionKey] },
      ...(def.defaultTtl ? { defaultTtl: retentionDays * 86_400 } : {}),
    });
  }
}
