// Lets the Function app's identity call the service that understands callers in place of the
// embedded classifier, with the narrowest built-in role that allows its runtime API:
//   Azure AI Language   Cognitive Services Language Reader   the CLU runtime (analyze-conversations)
//   Azure OpenAI        Cognitive Services OpenAI User       chat completions with Entra tokens
// Deployed into the resource group of that account, which may be another one or another
// subscription (main.bicep sets the scope from the resource ID).

@description('Object id of the Function app\'s system-assigned identity.')
param principalId string

@description('Name of the Cognitive Services account (kind TextAnalytics, OpenAI or AIServices).')
param accountName string

@description('Which API the app calls on it.')
@allowed([
  'language'
  'openAi'
])
param service string

var roleIds = {
  language: '7628b7b8-a8b2-4cdc-b46f-e9b35248918e'
  openAi: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
}

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: accountName
}

resource access 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, roleIds[service])
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[service])
  }
}
