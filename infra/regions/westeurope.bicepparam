// West Europe cell. Deploy: infra/deploy.sh westeurope
using '../main.bicep'

param location = 'westeurope'
param regionCode = 'weu'
param environmentName = 'prod'
param acsDataLocation = 'Europe'
param cosmosCapacityMode = 'serverless'
param historyRetentionDays = 90
param serviceBusSku = 'Standard'
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
// Set after the Graph app registration exists (infra/README.md, "Graph presence").
param graphClientId = ''
