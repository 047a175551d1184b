// The Function app on the Flex Consumption plan (Linux, Node 22) with a system-assigned identity,
// and its app settings. Every connection in the settings is identity-based: storage, Service Bus,
// Cosmos DB, ACS and Application Insights take no key; the two Graph secrets are Key Vault
// references. Flex Consumption rejects the classic settings FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and WEBSITE_CONTENT*: the runtime and the
// package location live in functionAppConfig instead.

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app.')
param tags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function app (globally unique: it is the host name).')
param functionAppName string

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Always-ready instances per scale group, e.g. [{ name: \'http\', instanceCount: 1 }]: a warm instance answers the first call of the morning without a cold start.')
param alwaysReady alwaysReadyInstances

@description('Blob endpoint of that account (https://<account>.blob.<suffix>/).')
param storageBlobEndpoint string

@description('Queue endpoint of that account.')
param storageQueueEndpoint string

@description('Table endpoint of that account.')
param storageTableEndpoint string

@description('Container Flex Consumption deploys the app package into.')
param deploymentContainerName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('ACS endpoint (https://<name>.<geo>.communication.azure.com).')
param acsEndpoint string

@description('ACS immutable resource id: the audience of the Call Automation callback JWT.')
param acsImmutableResourceId string

@description('AI Services endpoint ACS uses for speech.')
param cognitiveServicesEndpoint string

@description('Cosmos DB account endpoint.')
param cosmosEndpoint string

@description('Cosmos DB database name.')
param cosmosDatabaseName string

@description('Service Bus namespace host name.')
param serviceBusFullyQualifiedNamespace string

@description('Name of the routing queue.')
param routingQueueName string

@description('Entra tenant of the Graph app registration.')
param graphTenantId string

@description('Client id of the Graph app registration; empty until it is registered (infra/README.md).')
param graphClientId string

@description('Blob container Call Automation writes recordings into (bring your own storage).')
param recordingsContainerUrl string

@description('Entra tenant that signs the API access tokens.')
param apiTenantId string

@description('Client id of the API app registration; empty keeps the agent, supervisor and admin APIs closed (401).')
param apiClientId string

@description('Key Vault holding the Graph secrets.')
param keyVaultName string

@description('Secret name of the Graph client secret.')
param graphClientSecretName string

@description('Secret name of the Graph change-notification clientState.')
param graphNotificationClientStateName string

@description('Days call history is kept; must match the TTL of the calls container.')
param historyRetentionDays int

@description('Order-status backend URL; empty turns the self-service action off.')
param orderBackendUrl string

@description('Azure AI Language endpoint; empty keeps the embedded intent classifier.')
param languageEndpoint string

@description('Conversational language understanding project and deployment (with languageEndpoint).')
param languageProject string
param languageDeployment string

@description('Azure OpenAI endpoint; empty keeps the embedded intent classifier.')
param openAiEndpoint string

@description('Chat model deployment (with openAiEndpoint).')
param openAiDeployment string

@description('pino log level.')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string

type alwaysReadyInstances = {
  @description('Scale group: http, blob, durable, or function:<name>.')
  name: string
  @minValue(0)
  instanceCount: int
}[]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  // azd finds the app to deploy the `api` service into by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Publishing uses Entra ID (az functionapp deployment, azd); basic-auth publishing credentials
// would be a second, unaudited way in.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

// Keys are literal (no union()) so the compiled template names every setting: the contract test
// in test/integration/infra-bicep.test.ts reads them from the ARM JSON and checks them against
// bot/config.ts. A separate config resource rather than siteConfig.appSettings because
// CALLBACK_BASE_URL needs the site's own host name.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host settings. Identity-based host storage: service URIs instead of a connection string; the
    // system identity holds Storage Blob Data Owner on the account (app-access.bicep).
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    // Application Insights has local auth disabled: telemetry is sent with the app's Entra token.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'

    // The app's settings (bot/config.ts). Those left out take their defaults there.
    CALLBACK_BASE_URL: 'https://${site.properties.defaultHostName}'
    ACS_ENDPOINT: acsEndpoint
    ACS_CALLBACK_AUDIENCE: acsImmutableResourceId
    COGNITIVE_SERVICES_ENDPOINT: cognitiveServicesEndpoint
    RECORDINGS_CONTAINER_URL: recordingsContainerUrl
    COSMOS_ENDPOINT: cosmosEndpoint
    COSMOS_DATABASE: cosmosDatabaseName
    // Read by the app's sender and by the Functions Service Bus trigger (connection
    // 'ServiceBusConnection'): the namespace alone selects the managed identity.
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    ROUTING_QUEUE_NAME: routingQueueName
    GRAPH_TENANT_ID: graphTenantId
    GRAPH_CLIENT_ID: graphClientId
    // Entra ID v2.0 access tokens for the agent, supervisor and admin APIs (all three, or none).
    API_AUTH_ISSUER: empty(apiClientId) ? '' : '${environment().authentication.loginEndpoint}${apiTenantId}/v2.0'
    API_AUTH_AUDIENCE: apiClientId
    API_AUTH_JWKS_URL: empty(apiClientId) ? '' : '${environment().authentication.loginEndpoint}${apiTenantId}/discovery/v2.0/keys'
    // Versionless references: a rotated secret reaches the app without a redeploy.
    GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${graphClientSecretName})'
    GRAPH_NOTIFICATION_CLIENT_STATE: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${graphNotificationClientStateName})'
    HISTORY_RETENTION_DAYS: string(historyRetentionDays)
    ORDER_BACKEND_URL: orderBackendUrl
    LANGUAGE_ENDPOINT: languageEndpoint
    LANGUAGE_PROJECT: languageProject
    LANGUAGE_DEPLOYMENT: languageDeployment
    OPENAI_ENDPOINT: openAiEndpoint
    OPENAI_DEPLOYMENT: openAiDeployment
    LOG_LEVEL: logLevel
  }
}

output functionAppName string = site.name
output functionAppId string = site.id
output defaultHostName string = site.properties.defaultHostName
output principalId string = site.identity.principalId
