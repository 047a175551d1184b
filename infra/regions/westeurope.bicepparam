// West Europe cell. Deploy: infra/deploy.sh westeurope
using '../main.bicep'

param location = 'westeurope'
param regionCode = 'weu'
param environmentName = 'prod'
param acsDataLocation = 'Europe'
param cosmosCapacityMode = 'serverless'
param historyRetentionDays = 90
param serviceBusSku = 'Standard'
// One warm instance for the HTTP group (Call Automation callbacks). Event Grid and Service Bus
// triggers scale in their own groups (function:<name>) and can be added the same way.
param functionAlwaysReady = [
  {
    name: 'http'
    instanceCount: 1
  }
]
param storageSku = 'Standard_ZRS'
param tags = {
  'cost-center': 'contact-center'
}
// Graph app registration (infra/README.md, "Graph presence"). The secrets are read from the
// environment of the deploying shell, never from this file; unset leaves the vault as it is.
param graphClientId = readEnvironmentVariable('SWITCHBOARD_GRAPH_CLIENT_ID', '')
// The API app registration (app roles for agents, supervisors, admins); empty keeps the APIs closed.
param apiClientId = readEnvironmentVariable('SWITCHBOARD_API_CLIENT_ID', '')
param graphClientSecret = readEnvironmentVariable('SWITCHBOARD_GRAPH_CLIENT_SECRET', '')
param graphNotificationClientState = readEnvironmentVariable('SWITCHBOARD_GRAPH_NOTIFICATION_CLIENT_STATE', '')
