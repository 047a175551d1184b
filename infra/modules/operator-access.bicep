// The operator who stores the Graph secrets after the deployment (infra/README.md): Key Vault
// Secrets Officer on this vault only, so the deployment needs no broader Key Vault role.

@description('Object id of the operator (user, group or service principal).')
param principalId string

@description('Kind of principal.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param principalType string

@description('Vault the operator writes secrets into.')
param keyVaultName string

var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
  }
}
