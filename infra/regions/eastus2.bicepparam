// East US 2 cell. Deploy: infra/deploy.sh eastus2
using '../main.bicep'

param location = 'eastus2'
param regionCode = 'eus2'
param environmentName = 'prod'
param acsDataLocation = 'United States'
param cosmosCapacityMode = 'autoscale'
param cosmosAutoscaleMaxThroughput = 4000
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
