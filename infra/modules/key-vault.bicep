// Key Vault (RBAC mode) for the secrets that remain once everything else uses managed identity:
// the Graph client secret and the Graph change-notification clientState. The app reads them
// through Key Vault references in its app settings, resolved with its managed identity.

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object

@description('Vault name (3-24 letters, digits and hyphens, globally unique).')
@minLength(3)
@maxLength(24)
param vaultName string

@description('Purge protection: a deleted vault and its secrets cannot be purged during the retention period. Cannot be turned off again once on.')
param enablePurgeProtection bool

@description('Name of the secret holding the Graph client secret.')
param graphClientSecretName string

@description('Name of the secret holding the Graph change-notification clientState.')
param graphNotificationClientStateName string

@description('Graph client secret; empty leaves the secret to be set after the deployment (infra/README.md).')
@secure()
param graphClientSecret string

@description('Graph clientState; empty leaves the secret to be set after the deployment (infra/README.md).')
@secure()
param graphNotificationClientState string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API rejects an explicit false once purge protection exists; null leaves it unset.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

// Written only when a value is given, so a redeploy without the value keeps the stored secret.
resource graphClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(graphClientSecret)) {
  parent: vault
  name: graphClientSecretName
  properties: {
    value: graphClientSecret
    contentType: 'text/plain'
  }
}

resource graphClientStateValue 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(graphNotificationClientState)) {
  parent: vault
  name: graphNotificationClientStateName
  properties: {
    value: graphNotificationClientState
    contentType: 'text/plain'
  }
}

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
