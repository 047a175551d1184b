// Cosmos DB for NoSQL: the account, the `switchboard` database and the containers of DESIGN.md §5.
// Local (key) auth is off; the app uses its managed identity with a data-plane role granted in
// app-access.bicep. Entra data-plane roles cannot create databases or containers, so this module
// is the only place they are created in Azure.

@description('Region of the account (one write region: the cell is regional).')
param location string

@description('Tags for the account.')
param tags object

@description('Account name (globally unique, lowercase).')
@minLength(3)
@maxLength(44)
param accountName string

@description('Database name; the app reads it from COSMOS_DATABASE.')
param databaseName string

@description('serverless: pay per request unit, no minimum. autoscale: provisioned throughput shared by the containers, scaling between 10% and 100% of the maximum.')
@allowed([
  'serverless'
  'autoscale'
])
param capacityMode string

@description('Autoscale maximum RU/s of the database (autoscale mode only).')
@minValue(1000)
param autoscaleMaxThroughput int

@description('Days a call and its history are kept (TTL of the calls container).')
@minValue(1)
@maxValue(3650)
param historyRetentionDays int

// Only the paths the app's queries filter or sort on are indexed; everything else is excluded, so
// writes (state saves, presence changes) pay no index cost for large nested documents. Point reads
// by id and partition key need no index. A query that filters on a path missing here still works,
// at a higher RU cost; an ORDER BY on a missing path fails, so a new query adds its paths here.
var containers = [
  {
    name: 'calls'
    partitionKey: '/callId'
    // Call state and history items share the partition; listHistory filters on `type`.
    includedPaths: [
      '/type/?'
    ]
    retainForDays: historyRetentionDays
  }
  {
    name: 'agents'
    partitionKey: '/agentId'
    // Routing finds the agents of a queue.
    includedPaths: [
      '/queues/[]/?'
    ]
    retainForDays: 0
  }
  {
    name: 'queues'
    partitionKey: '/queueId'
    // Queue documents are read by id; listing all queues needs no index.
    includedPaths: []
    retainForDays: 0
  }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: capacityMode == 'serverless'
      ? [
          {
            name: 'EnableServerless'
          }
        ]
      : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless accounts reject any throughput setting.
    options: capacityMode == 'autoscale'
      ? {
          autoscaleSettings: {
            maxThroughput: autoscaleMaxThroughput
          }
        }
      : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            container.partitionKey
          ]
          kind: 'Hash'
          version: 2
        }
        // With a default TTL set, documents expire after it unless they carry their own `ttl`
        // (the app writes one on every call document). Containers without retention keep TTL off.
        defaultTtl: container.retainForDays > 0 ? container.retainForDays * 86400 : null
        indexingPolicy: {
          indexingMode: 'consistent'
          automatic: true
          includedPaths: [for path in container.includedPaths: { path: path }]
          excludedPaths: [
            {
              path: '/*'
            }
          ]
        }
      }
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
