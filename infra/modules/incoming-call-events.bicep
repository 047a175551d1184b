// Event Grid system topic on the ACS resource and the subscriptions that deliver
// Microsoft.Communication.IncomingCall to the `incoming-call` function (Event Grid trigger) and
// Microsoft.Communication.RecordingFileStatusUpdated (a voicemail's file is stored) to
// `recording-file-status`.
// Undeliverable events are dead-lettered into a blob container with the topic's own identity,
// since the storage account accepts no shared keys.

@description('Tags for the topic.')
param tags object

@description('System topic name.')
param systemTopicName string

@description('Communication Services resource the topic listens to.')
param communicationServiceName string

@description('Function app hosting the incoming-call function.')
param functionAppName string

@description('Function that receives IncomingCall events.')
param functionName string

@description('Function that receives RecordingFileStatusUpdated events.')
param recordingFunctionName string

@description('Storage account holding the dead-letter container.')
param storageAccountName string

@description('Blob container for undeliverable events.')
param deadLetterContainerName string

@description('Create the event subscription. Event Grid checks that the function exists, so the first deployment of a region runs with false, publishes the app, then runs again with true (infra/deploy.sh does this).')
param subscriptionEnabled bool

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int

@description('Minutes Event Grid keeps retrying an event. An unanswered incoming call is abandoned by ACS within seconds, so retrying beyond a minute only answers callers who are gone.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' existing = {
  name: communicationServiceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetters 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName

  resource incomingCall 'functions' existing = {
    name: functionName
  }

  resource recordingFileStatus 'functions' existing = {
    name: recordingFunctionName
  }
}

// ACS is a global resource, so its system topic is global too.
resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: communicationService.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

// Write access to the dead-letter container only, not to the account.
resource topicWritesDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetters.id, systemTopic.id, storageBlobDataContributorRoleId)
  scope: storage::blobService::deadLetters
  properties: {
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
  }
}

resource incomingCallSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (subscriptionEnabled) {
  parent: systemTopic
  name: 'incoming-call'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionApp::incomingCall.id
        // One call per invocation: a slow answer for one caller never delays another.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.IncomingCall'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    topicWritesDeadLetters
  ]
}

// Where a voicemail's file is: not urgent, so Event Grid may retry it for a day (the default).
resource recordingFileSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (subscriptionEnabled) {
  parent: systemTopic
  name: 'recording-file-status'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionApp::recordingFileStatus.id
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Communication.RecordingFileStatusUpdated'
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    topicWritesDeadLetters
  ]
}

output systemTopicName string = systemTopic.name
output subscriptionName string = subscriptionEnabled ? incomingCallSubscription.name : ''
