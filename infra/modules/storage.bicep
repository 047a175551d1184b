// The Function app's storage account: host storage (AzureWebJobsStorage over managed identity),
// the Flex Consumption deployment container, the container Event Grid dead-letters undeliverable
// IncomingCall events into, and the container Call Automation writes voicemail recordings into
// (bring your own storage: its own temporary store deletes them after 24 hours). Shared keys are
// disabled: every caller uses Entra ID.

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Redundancy of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param skuName string

@description('Blob container Flex Consumption deploys the app package into.')
param deploymentContainerName string

@description('Blob container that receives IncomingCall events Event Grid could not deliver.')
param deadLetterContainerName string

@description('Blob container Call Automation writes recordings (voicemails) into.')
param recordingsContainerName string

@description('Principal of the ACS resource\'s managed identity, which writes the recordings.')
param recordingWriterPrincipalId string

@description('Days recordings are kept: the same retention as the call history that names them.')
param recordingRetentionDays int

// Storage Blob Data Contributor: what ACS needs to write recordings into a container.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource recordingsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: recordingsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource acsWritesRecordings 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(recordingsContainer.id, recordingWriterPrincipalId, storageBlobDataContributorRoleId)
  scope: recordingsContainer
  properties: {
    description: 'ACS Call Automation writes call recordings (voicemails) here with its managed identity.'
    principalId: recordingWriterPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
  }
}

// Recordings are personal data: they go when the call history that names them goes.
resource recordingRetention 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-old-recordings'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${recordingsContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: recordingRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

output storageAccountName string = storage.name
output storageAccountId string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output deadLetterContainerName string = deadLetterContainer.name
output recordingsContainerUrl string = '${storage.properties.primaryEndpoints.blob}${recordingsContainer.name}'
