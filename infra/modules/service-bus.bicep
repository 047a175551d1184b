// Service Bus namespace and the `routing` queue of DESIGN.md §6. Sessions (sessionId = queueId)
// make each contact-center queue single-writer. SAS keys are disabled: the app connects with its
// managed identity (ServiceBusConnection__fullyQualifiedNamespace).

@description('Region of the namespace.')
param location string

@description('Tags for the namespace.')
param tags object

@description('Namespace name (globally unique).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Standard or Premium: Basic has no sessions, duplicate detection or scheduled-message guarantees the routing queue relies on.')
@allowed([
  'Standard'
  'Premium'
])
param skuName string

@description('Messaging units (Premium only).')
@allowed([
  1
  2
  4
  8
  16
])
param premiumMessagingUnits int

@description('Name of the routing queue; the app reads it from ROUTING_QUEUE_NAME.')
param queueName string

@description('Deliveries before a routing message goes to the dead-letter queue.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int

@description('Peek-lock (and session lock) duration, ISO 8601; at most PT5M.')
param lockDuration string

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? premiumMessagingUnits : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource routingQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresSession: true
    maxDeliveryCount: maxDeliveryCount
    lockDuration: lockDuration
    deadLetteringOnMessageExpiration: true
    // Every routing message carries a message id; a resend after a fault is dropped here.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    // Scheduled timers (offer timeouts, callbacks due) must outlive any realistic wait.
    defaultMessageTimeToLive: 'P14D'
    enablePartitioning: false
    maxSizeInMegabytes: 1024
  }
}

output namespaceName string = namespace.name
// serviceBusEndpoint is https://<host>:443/; the host name alone is what identity connections take.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output queueName string = routingQueue.name
