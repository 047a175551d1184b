// The operator who stores the Graph secrets after the deployment (infra/README.md): Key Vault
// Secrets Officer on this vault only, so the deployment needs no broader Key Vault role. Also
// Cognitive Services Speech User on the AI Services account, so they can speak the config's prompts
// with its voices (`switchboard prompts render`); the account's keys are off, and Owner or
// Contributor give no data-plane access to speech.

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

@description('AI Services account whose speech the operator may call.')
param aiServicesName string

var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource aiServices 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: aiServicesName
}

resource speechUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // Cognitive Services Speech User.
  name: guid(aiServices.id, principalId, 'f2dc8367-1007-4938-bd23-fe263f013447')
  scope: aiServices
  properties: {
    description: 'The operator speaks the contact center\'s prompts with its voices (switchboard prompts render).'
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'f2dc8367-1007-4938-bd23-fe263f013447')
  }
}

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
