// One Switchboard region ("cell", DESIGN.md §2) in one resource group: the Function app and
// everything it talks to, with managed identities and least-privilege data-plane roles.
// Deploy with infra/deploy.sh <region> or `azd up`; parameters per region in infra/regions/.
targetScope = 'resourceGroup'

import { dataLocationType } from 'modules/communication.bicep'

metadata description = 'Switchboard contact center: one region (Function app on Flex Consumption, ACS, AI Services, Event Grid, Cosmos DB, Service Bus, Key Vault, Application Insights).'

@description('Azure region of the cell; must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Short region code in every resource name, e.g. weu or eus2.')
@minLength(2)
@maxLength(5)
param regionCode string

@description('Environment name in every resource name and tag, e.g. prod, test, dev.')
@minLength(2)
@maxLength(4)
param environmentName string

@description('Workload abbreviation in every resource name.')
@minLength(2)
@maxLength(6)
param workload string = 'swbd'

@description('Extra tags for every resource (cost center, owner, ...).')
param tags object = {}

@description('Where ACS stores data at rest; pick the geography of the region.')
param acsDataLocation dataLocationType

@description('Region of the AI Services (speech) account; speech features differ by region.')
param aiServicesLocation string = location

@description('Cosmos DB capacity: serverless (pay per request) or autoscale (provisioned, for steady load).')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string = 'serverless'

@description('Autoscale maximum RU/s shared by the containers (autoscale mode only).')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Days a call and its history are kept (Cosmos TTL and HISTORY_RETENTION_DAYS).')
@minValue(1)
@maxValue(3650)
param historyRetentionDays int = 90

@description('Service Bus tier; Basic lacks sessions.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Messaging units when serviceBusSku is Premium.')
@allowed([
  1
  2
  4
  8
  16
])
param serviceBusPremiumMessagingUnits int = 1

@description('Deliveries of a routing message before it is dead-lettered.')
@minValue(1)
@maxValue(100)
param routingMaxDeliveryCount int = 10

@description('Peek-lock and session lock duration of the routing queue (ISO 8601, at most PT5M).')
param routingLockDuration string = 'PT1M'

@description('Most Function app instances.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory per Function app instance.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Always-ready Function app instances per scale group, e.g. [{ name: \'http\', instanceCount: 1 }].')
param functionAlwaysReady {
  name: string
  instanceCount: int
}[] = []

@description('Redundancy of the Function app storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_LRS'

@description('Days Log Analytics keeps telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Create the Event Grid subscription to the incoming-call function. Event Grid requires the function to exist: the first deployment of a region passes false, then the app is published and the deployment runs again with true.')
param incomingCallSubscriptionEnabled bool = true

@description('IncomingCall delivery attempts before dead-lettering.')
@minValue(1)
@maxValue(30)
param incomingCallMaxDeliveryAttempts int = 5

@description('Minutes Event Grid retries an IncomingCall before dead-lettering it.')
@minValue(1)
@maxValue(1440)
param incomingCallEventTimeToLiveInMinutes int = 1

@description('Entra tenant of the Graph app registration (Presence.Read.All).')
param graphTenantId string = tenant().tenantId

@description('Client id of the Graph app registration; empty until it exists (infra/README.md).')
param graphClientId string = ''

@description('Graph client secret stored in Key Vault; empty keeps whatever the vault holds.')
@secure()
param graphClientSecret string = ''

@description('Graph change-notification clientState stored in Key Vault; empty keeps whatever the vault holds.')
@secure()
param graphNotificationClientState string = ''

@description('Client id of the API app registration whose access tokens the agent, supervisor and admin APIs accept (app roles Switchboard.Agent, Switchboard.Supervisor, Switchboard.Admin; infra/README.md). Empty keeps those APIs closed: they answer 401.')
param apiClientId string = ''

@description('Entra tenant that signs those tokens.')
param apiTenantId string = tenant().tenantId

@description('Order-status backend for the self-service action; empty turns it off.')
param orderBackendUrl string = ''

@description('Azure AI Language endpoint whose conversational language understanding project understands callers; empty keeps the embedded classifier. The Function App identity needs "Cognitive Services Language Reader" on that resource (languageResourceId grants it).')
param languageEndpoint string = ''

@description('Resource ID of the Azure AI Language account at languageEndpoint (/subscriptions/.../providers/Microsoft.CognitiveServices/accounts/<name>, or just the name when it is in this resource group); given, the deployment grants the Function App identity "Cognitive Services Language Reader" on it, which needs rights to assign roles there.')
param languageResourceId string = ''

@description('Conversational language understanding project (with languageEndpoint).')
param languageProject string = ''

@description('Deployment of that project (with languageEndpoint).')
param languageDeployment string = ''

@description('Azure OpenAI endpoint (https://<resource>.openai.azure.com) whose chat model understands callers; empty keeps the embedded classifier. Not together with languageEndpoint. The Function App identity needs "Cognitive Services OpenAI User" on that resource (openAiResourceId grants it).')
param openAiEndpoint string = ''

@description('Resource ID (or name, in this resource group) of the Azure OpenAI or AI Services account at openAiEndpoint; given, the deployment grants the Function App identity "Cognitive Services OpenAI User" on it.')
param openAiResourceId string = ''

@description('Chat model deployment on openAiEndpoint (structured outputs and logprobs, e.g. gpt-4o-mini).')
param openAiDeployment string = ''

@description('Log level of the app.')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

@description('Key Vault purge protection (recommended for production; cannot be turned off later).')
param keyVaultPurgeProtection bool = true

@description('Object id of the operator (user or group) who sets the Graph secrets after the deployment; gets Key Vault Secrets Officer on the vault, and Cognitive Services Speech User on the AI Services account (switchboard prompts render). Empty grants nothing.')
param operatorPrincipalId string = ''

@description('Kind of principal operatorPrincipalId is.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

// Naming: <kind>-<workload>-<environment>-<region>[-<suffix>]. Globally unique names (DNS) add a
// suffix derived from the subscription and resource group, so a redeploy reuses the same names
// and two regions never collide. Storage and Key Vault names cannot hold enough hyphens, so they
// use the compact form.
var base = '${workload}-${environmentName}-${regionCode}'
var suffix = take(uniqueString(subscription().id, resourceGroup().id), 5)
var compact = toLower('${workload}${environmentName}${regionCode}${suffix}')
var names = {
  logAnalytics: 'log-${base}'
  applicationInsights: 'appi-${base}'
  storage: 'st${compact}'
  plan: 'plan-${base}'
  functionApp: 'func-${base}-${suffix}'
  communicationService: 'acs-${base}-${suffix}'
  aiServices: 'ais-${base}-${suffix}'
  eventGridTopic: 'evgt-${base}-acs'
  cosmos: 'cosmos-${base}-${suffix}'
  serviceBus: 'sb-${base}-${suffix}'
  keyVault: 'kv${compact}'
}

var allTags = union(tags, {
  workload: 'switchboard'
  environment: environmentName
  region: regionCode
  'managed-by': 'bicep'
})

// Names the app and the template must agree on.
var cosmosDatabaseName = 'switchboard'
var routingQueueName = 'routing'
var incomingCallFunctionName = 'incoming-call'
var graphClientSecretName = 'graph-client-secret'
var graphNotificationClientStateName = 'graph-notification-client-state'
var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'incoming-call-dead-letters'
var recordingsContainerName = 'recordings'

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    workspaceName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    storageAccountName: names.storage
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    recordingsContainerName: recordingsContainerName
    recordingWriterPrincipalId: communication.outputs.communicationServicePrincipalId
    recordingRetentionDays: historyRetentionDays
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  params: {
    location: aiServicesLocation
    tags: allTags
    communicationServiceName: names.communicationService
    dataLocation: acsDataLocation
    aiServicesName: names.aiServices
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    location: location
    tags: allTags
    accountName: names.cosmos
    databaseName: cosmosDatabaseName
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    historyRetentionDays: historyRetentionDays
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  params: {
    location: location
    tags: allTags
    namespaceName: names.serviceBus
    skuName: serviceBusSku
    premiumMessagingUnits: serviceBusPremiumMessagingUnits
    queueName: routingQueueName
    maxDeliveryCount: routingMaxDeliveryCount
    lockDuration: routingLockDuration
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    location: location
    tags: allTags
    vaultName: names.keyVault
    enablePurgeProtection: keyVaultPurgeProtection
    graphClientSecretName: graphClientSecretName
    graphNotificationClientStateName: graphNotificationClientStateName
    graphClientSecret: graphClientSecret
    graphNotificationClientState: graphNotificationClientState
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    location: location
    tags: allTags
    planName: names.plan
    functionAppName: names.functionApp
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    alwaysReady: functionAlwaysReady
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    acsEndpoint: communication.outputs.communicationServiceEndpoint
    acsImmutableResourceId: communication.outputs.communicationServiceImmutableId
    cognitiveServicesEndpoint: communication.outputs.aiServicesEndpoint
    recordingsContainerUrl: storage.outputs.recordingsContainerUrl
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    routingQueueName: serviceBus.outputs.queueName
    graphTenantId: graphTenantId
    graphClientId: graphClientId
    apiTenantId: apiTenantId
    apiClientId: apiClientId
    keyVaultName: keyVault.outputs.vaultName
    graphClientSecretName: graphClientSecretName
    graphNotificationClientStateName: graphNotificationClientStateName
    historyRetentionDays: historyRetentionDays
    orderBackendUrl: orderBackendUrl
    languageEndpoint: languageEndpoint
    languageProject: languageProject
    languageDeployment: languageDeployment
    openAiEndpoint: openAiEndpoint
    openAiDeployment: openAiDeployment
    logLevel: logLevel
  }
}

module appAccess 'modules/app-access.bicep' = {
  name: 'app-access'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.storageAccountName
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    routingQueueName: serviceBus.outputs.queueName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: cosmos.outputs.databaseName
    keyVaultName: keyVault.outputs.vaultName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: communication.outputs.communicationServiceName
  }
}

// The language service may live in another resource group or subscription: the role is assigned there.
var understanding = !empty(languageResourceId)
  ? { service: 'language', id: languageResourceId }
  : { service: 'openAi', id: openAiResourceId }
var understandingIdParts = split(understanding.id, '/')

module understandingAccess 'modules/understanding-access.bicep' = if (!empty(understanding.id)) {
  name: 'understanding-access-${regionCode}'
  scope: resourceGroup(
    length(understandingIdParts) > 4 ? understandingIdParts[2] : subscription().subscriptionId,
    length(understandingIdParts) > 4 ? understandingIdParts[4] : resourceGroup().name
  )
  params: {
    principalId: functionApp.outputs.principalId
    accountName: last(understandingIdParts)
    service: understanding.service
  }
}

module incomingCallEvents 'modules/incoming-call-events.bicep' = {
  name: 'incoming-call-events'
  params: {
    tags: allTags
    systemTopicName: names.eventGridTopic
    communicationServiceName: communication.outputs.communicationServiceName
    functionAppName: functionApp.outputs.functionAppName
    functionName: incomingCallFunctionName
    recordingFunctionName: 'recording-file-status'
    storageAccountName: storage.outputs.storageAccountName
    deadLetterContainerName: storage.outputs.deadLetterContainerName
    subscriptionEnabled: incomingCallSubscriptionEnabled
    maxDeliveryAttempts: incomingCallMaxDeliveryAttempts
    eventTimeToLiveInMinutes: incomingCallEventTimeToLiveInMinutes
  }
}

module operatorAccess 'modules/operator-access.bicep' = if (!empty(operatorPrincipalId)) {
  name: 'operator-access'
  params: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    keyVaultName: keyVault.outputs.vaultName
    aiServicesName: communication.outputs.aiServicesName
  }
}

// Outputs feed the post-deploy steps in infra/README.md and azd's environment.
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.functionAppName
output CALLBACK_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}'
output CALL_EVENTS_URL_TEMPLATE string = 'https://${functionApp.outputs.defaultHostName}/api/calls/{callId}/events'
output PRESENCE_NOTIFICATION_URL string = 'https://${functionApp.outputs.defaultHostName}/api/presence/notifications'
output FUNCTION_APP_PRINCIPAL_ID string = functionApp.outputs.principalId
output ACS_NAME string = communication.outputs.communicationServiceName
output ACS_ENDPOINT string = communication.outputs.communicationServiceEndpoint
output ACS_IMMUTABLE_RESOURCE_ID string = communication.outputs.communicationServiceImmutableId
output COGNITIVE_SERVICES_ENDPOINT string = communication.outputs.aiServicesEndpoint
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output KEY_VAULT_NAME string = keyVault.outputs.vaultName
output GRAPH_CLIENT_SECRET_NAME string = graphClientSecretName
output GRAPH_NOTIFICATION_CLIENT_STATE_NAME string = graphNotificationClientStateName
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output EVENT_GRID_SYSTEM_TOPIC string = incomingCallEvents.outputs.systemTopicName
output INCOMING_CALL_SUBSCRIPTION_ENABLED bool = incomingCallSubscriptionEnabled
output DEAD_LETTER_CONTAINER string = '${storage.outputs.storageAccountName}/${storage.outputs.deadLetterContainerName}'
