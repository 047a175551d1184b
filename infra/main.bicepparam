// Parameters for `azd up` (azure.yaml). azd provides AZURE_LOCATION and AZURE_PRINCIPAL_ID; set the
// others with `azd env set NAME value` (infra/README.md, "azd"). The defaults describe a dev cell
// in West Europe. Region deployments with infra/deploy.sh use infra/regions/*.bicepparam instead.
using 'main.bicep'

param location = readEnvironmentVariable('AZURE_LOCATION', 'westeurope')
param regionCode = readEnvironmentVariable('SWITCHBOARD_REGION_CODE', 'weu')
param environmentName = readEnvironmentVariable('SWITCHBOARD_ENVIRONMENT', 'dev')
param acsDataLocation = readEnvironmentVariable('SWITCHBOARD_ACS_DATA_LOCATION', 'Europe')
param cosmosCapacityMode = readEnvironmentVariable('SWITCHBOARD_COSMOS_CAPACITY_MODE', 'serverless')
param keyVaultPurgeProtection = bool(readEnvironmentVariable('SWITCHBOARD_KEY_VAULT_PURGE_PROTECTION', 'false'))
// Turned on by infra/hooks/azd-postdeploy.sh once the incoming-call function exists.
param incomingCallSubscriptionEnabled = bool(readEnvironmentVariable('SWITCHBOARD_INCOMING_CALL_SUBSCRIPTION', 'false'))
param operatorPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param graphClientId = readEnvironmentVariable('SWITCHBOARD_GRAPH_CLIENT_ID', '')
// The API app registration (app roles for agents, supervisors, admins); empty keeps the APIs closed.
param apiClientId = readEnvironmentVariable('SWITCHBOARD_API_CLIENT_ID', '')
param graphClientSecret = readEnvironmentVariable('SWITCHBOARD_GRAPH_CLIENT_SECRET', '')
param graphNotificationClientState = readEnvironmentVariable('SWITCHBOARD_GRAPH_NOTIFICATION_CLIENT_STATE', '')
// Self-service backend, and the service that understands callers in place of the embedded model
// (one of Azure AI Language or Azure OpenAI; the *_RESOURCE_ID grants the app's identity its role).
param orderBackendUrl = readEnvironmentVariable('SWITCHBOARD_ORDER_BACKEND_URL', '')
param languageEndpoint = readEnvironmentVariable('SWITCHBOARD_LANGUAGE_ENDPOINT', '')
param languageProject = readEnvironmentVariable('SWITCHBOARD_LANGUAGE_PROJECT', '')
param languageDeployment = readEnvironmentVariable('SWITCHBOARD_LANGUAGE_DEPLOYMENT', '')
param languageResourceId = readEnvironmentVariable('SWITCHBOARD_LANGUAGE_RESOURCE_ID', '')
param openAiEndpoint = readEnvironmentVariable('SWITCHBOARD_OPENAI_ENDPOINT', '')
param openAiDeployment = readEnvironmentVariable('SWITCHBOARD_OPENAI_DEPLOYMENT', '')
param openAiResourceId = readEnvironmentVariable('SWITCHBOARD_OPENAI_RESOURCE_ID', '')
