// Azure Communication Services (phone numbers, Call Automation) and the Azure AI Services account
// whose speech ACS uses for recognize and text to speech. ACS reaches the AI account with its own
// managed identity, so neither resource needs keys: local auth is off on both.

@description('Region of the AI Services account (ACS itself is a global resource).')
param location string

@description('Tags for both resources.')
param tags object

@description('ACS resource name (globally unique: it is the endpoint host name).')
param communicationServiceName string

@description('Where ACS stores data at rest.')
param dataLocation dataLocationType

@export()
@description('Geographies ACS can keep data at rest in.')
type dataLocationType = 'Africa' | 'Asia Pacific' | 'Australia' | 'Brazil' | 'Canada' | 'Europe' | 'France' | 'Germany' | 'India' | 'Japan' | 'Korea' | 'Norway' | 'Switzerland' | 'UAE' | 'UK' | 'United States'


@description('AI Services account name; also its custom subdomain, which ACS requires for managed-identity access.')
param aiServicesName string

// Cognitive Services User: lets a principal call the account's data plane (speech) with an
// Entra token; the role ACS documentation prescribes for its managed identity.
var cognitiveServicesUserRoleId = 'a97b65f3-24c7-4388-baec-2e87135dc908'

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    dataLocation: dataLocation
    disableLocalAuth: true
  }
}

resource aiServices 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: aiServicesName
  location: location
  tags: tags
  kind: 'AIServices'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: aiServicesName
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource acsUsesSpeech 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(aiServices.id, communicationService.id, cognitiveServicesUserRoleId)
  scope: aiServices
  properties: {
    description: 'ACS Call Automation calls speech (recognize, TTS) on this account with its managed identity.'
    principalId: communicationService.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesUserRoleId)
  }
}

output communicationServiceName string = communicationService.name
output communicationServicePrincipalId string = communicationService.identity.principalId
output communicationServiceId string = communicationService.id
output communicationServiceEndpoint string = 'https://${communicationService.properties.hostName}'
@description('Audience of the JWT on Call Automation callbacks.')
output communicationServiceImmutableId string = communicationService.properties.immutableResourceId
output aiServicesName string = aiServices.name
output aiServicesEndpoint string = aiServices.properties.endpoint
