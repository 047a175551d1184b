// Data-plane access of the Function app's system-assigned identity, each role on the narrowest
// scope that works:
//   storage account   Storage Blob Data Owner        host storage (leases, keys, containers) and the
//                                                     Flex deployment package. No queue or table
//                                                     role: the app has no blob trigger or durable
//                                                     functions, the only host features that need them.
//   routing queue     Service Bus Data Sender        the app enqueues routing messages and timers
//                     Service Bus Data Receiver      the `route` trigger receives with sessions.
//                                                     Not Data Owner: without Manage the scale
//                                                     controller estimates queue length from peeked
//                                                     messages instead of entity metadata.
//   Cosmos database   Cosmos DB Built-in Data        read and write items in the three containers;
//                     Contributor (SQL role)         no control-plane rights.
//   Key Vault         Key Vault Secrets User         resolve the Key Vault references (get secret).
//   App Insights      Monitoring Metrics Publisher   Entra-authenticated telemetry ingestion.
//   ACS               Communication and Email        ACS authorizes Entra callers of Call Automation
//                     Service Owner                  by the Read/Write actions on the resource; this
//                                                     is the narrowest built-in role with them, and it
//                                                     is scoped to the one resource (not Contributor).

@description('Object id of the Function app\'s system-assigned identity.')
param principalId string

@description('Storage account of the Function app.')
param storageAccountName string

@description('Service Bus namespace.')
param serviceBusNamespaceName string

@description('Routing queue in that namespace.')
param routingQueueName string

@description('Cosmos DB account.')
param cosmosAccountName string

@description('Database the app works in.')
param cosmosDatabaseName string

@description('Key Vault with the app\'s secrets.')
param keyVaultName string

@description('Application Insights component.')
param applicationInsightsName string

@description('Communication Services resource.')
param communicationServiceName string

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350'
}

// Built-in Cosmos DB data-plane role (not an Azure RBAC role): Cosmos DB Built-in Data Contributor.
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName

  resource routingQueue 'queues' existing = {
    name: routingQueueName
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName

  resource database 'sqlDatabases' existing = {
    name: cosmosDatabaseName
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' existing = {
  name: communicationServiceName
}

resource hostStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
  }
}

resource routingSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::routingQueue.id, principalId, roleIds.serviceBusDataSender)
  scope: serviceBus::routingQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.serviceBusDataSender)
  }
}

resource routingReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::routingQueue.id, principalId, roleIds.serviceBusDataReceiver)
  scope: serviceBus::routingQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.serviceBusDataReceiver)
  }
}

resource cosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos::database.id, principalId, cosmosDataContributorRoleId)
  properties: {
    principalId: principalId
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    // Scope is a path under the account: the database, not the whole account.
    scope: '${cosmos.id}/dbs/${cosmosDatabaseName}'
  }
}

resource secretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, roleIds.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource callAutomation 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, principalId, roleIds.communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.communicationAndEmailServiceOwner)
  }
}
