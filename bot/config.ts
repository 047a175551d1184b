import { z } from 'zod';

/**
 * Every setting the app reads, validated once at start. The same names point the app at the local
 * Azure (`npm start`) or at real Azure (Bicep app settings); `infra/` is checked against this list.
 * `where` says which deployments need it: 'all', 'local' (emulators only), 'azure' (managed identity).
 */
export interface SettingInfo {
  readonly name: string;
  readonly where: 'all' | 'local' | 'azure';
  readonly required: boolean;
  readonly defaultValue?: string;
  readonly description: string;
}

export const settingsCatalog: readonly SettingInfo[] = [
  { name: 'CALLBACK_BASE_URL', where: 'all', required: true, description: 'Public base URL of the Function app; Call Automation posts callbacks to {this}/api/calls/{callId}/events.' },
  { name: 'ACS_ENDPOINT', where: 'azure', required: false, description: 'Azure Communication Services endpoint, used with the managed identity. One of ACS_ENDPOINT or ACS_CONNECTION_STRING is required.' },
  { name: 'ACS_CONNECTION_STRING', where: 'local', required: false, description: 'ACS connection string (endpoint + access key); for the local emulator only.' },
  { name: 'ACS_CALLBACK_ISSUER', where: 'all', required: false, defaultValue: 'https://acscallautomation.communication.azure.com', description: 'Expected issuer of the JWT on Call Automation callbacks.' },
  { name: 'ACS_CALLBACK_AUDIENCE', where: 'all', required: true, description: 'Expected audience of the callback JWT: the ACS resource immutable id.' },
  { name: 'ACS_CALLBACK_JWKS_URL', where: 'all', required: false, defaultValue: 'https://acscallautomation.communication.azure.com/calling/keys', description: 'Where the callback JWT signing keys are published.' },
  { name: 'COGNITIVE_SERVICES_ENDPOINT', where: 'azure', required: false, description: 'Azure AI Services endpoint linked to ACS for speech recognition and text to speech.' },
  { name: 'COSMOS_ENDPOINT', where: 'all', required: true, description: 'Cosmos DB account endpoint.' },
  { name: 'COSMOS_KEY', where: 'local', required: false, description: 'Cosmos DB key; local emulator only (Azure uses the managed identity).' },
  { name: 'COSMOS_CA_CERT_FILE', where: 'local', required: false, description: 'PEM certificate to trust for the local Cosmos emulator.' },
  { name: 'COSMOS_DATABASE', where: 'all', required: false, defaultValue: 'switchboard', description: 'Cosmos DB database name.' },
  { name: 'ServiceBusConnection', where: 'local', required: false, description: 'Service Bus connection string (local emulator). Also read by the Functions Service Bus trigger.' },
  { name: 'ServiceBusConnection__fullyQualifiedNamespace', where: 'azure', required: false, description: 'Service Bus namespace host name for identity-based connections (trigger and sender). One of this or ServiceBusConnection is required.' },
  { name: 'ROUTING_QUEUE_NAME', where: 'all', required: false, defaultValue: 'routing', description: 'Service Bus queue with sessions that carries routing messages.' },
  { name: 'GRAPH_BASE_URL', where: 'all', required: false, defaultValue: 'https://graph.microsoft.com/v1.0', description: 'Microsoft Graph base URL (presence).' },
  { name: 'GRAPH_TENANT_ID', where: 'azure', required: false, description: 'Entra tenant of the Graph app registration.' },
  { name: 'GRAPH_CLIENT_ID', where: 'azure', required: false, description: 'Client id of the Graph app registration (Presence.Read.All).' },
  { name: 'GRAPH_CLIENT_SECRET', where: 'azure', required: false, description: 'Graph client secret, as a Key Vault reference.' },
  { name: 'GRAPH_NOTIFICATION_CLIENT_STATE', where: 'all', required: false, description: 'Shared secret echoed in Graph change notifications (clientState).' },
  { name: 'CONTACT_CENTER_CONFIG_FILE', where: 'all', required: false, defaultValue: 'config/contact-center.yaml', description: 'The contact-center YAML (numbers, hours, flows, queues).' },
  { name: 'HISTORY_RETENTION_DAYS', where: 'all', required: false, defaultValue: '90', description: 'How long call history is kept (Cosmos TTL).' },
  { name: 'ORDER_BACKEND_URL', where: 'all', required: false, description: 'HTTP backend the self-service actions call (order status, account balance); named by backendUrlSetting in the contact-center config.' },
  { name: 'LANGUAGE_ENDPOINT', where: 'all', required: false, description: 'Azure AI Language resource whose conversational language understanding project (intent names as in the config) understands callers; unset: the embedded classifier.' },
  { name: 'LANGUAGE_PROJECT', where: 'all', required: false, description: 'Conversational language understanding project name (with LANGUAGE_ENDPOINT).' },
  { name: 'LANGUAGE_DEPLOYMENT', where: 'all', required: false, description: 'Deployment of that project (with LANGUAGE_ENDPOINT).' },
  { name: 'LANGUAGE_KEY', where: 'local', required: false, description: 'Key for LANGUAGE_ENDPOINT; local stand-in only (Azure uses the managed identity).' },
  { name: 'OPENAI_ENDPOINT', where: 'all', required: false, description: 'Azure OpenAI resource (https://<resource>.openai.azure.com) whose chat model picks the caller\'s intent among the config\'s; unset: the embedded classifier. Not together with LANGUAGE_ENDPOINT.' },
  { name: 'OPENAI_DEPLOYMENT', where: 'all', required: false, description: 'Chat model deployment on OPENAI_ENDPOINT (one that supports structured outputs and logprobs, e.g. gpt-4o-mini).' },
  { name: 'OPENAI_KEY', where: 'local', required: false, description: 'Key for OPENAI_ENDPOINT; local stand-in only (Azure uses the managed identity).' },
  { name: 'RECORDINGS_CONTAINER_URL', where: 'all', required: false, description: 'Blob container (https://<account>.blob.core.windows.net/recordings) Call Automation writes voicemail recordings into with its managed identity, which needs Storage Blob Data Contributor on it. Unset: they stay in Call Automation\'s temporary storage and are deleted after 24 hours.' },
  { name: 'API_AUTH_ISSUER', where: 'all', required: false, description: 'Issuer of the Entra ID v2.0 access tokens the agent, supervisor and admin APIs accept (https://login.microsoftonline.com/<tenant>/v2.0). Unset: those APIs answer 401.' },
  { name: 'API_AUTH_AUDIENCE', where: 'all', required: false, description: 'Audience of those tokens: the client id of the API\'s app registration (with app roles Switchboard.Agent, Switchboard.Supervisor, Switchboard.Admin).' },
  { name: 'API_AUTH_JWKS_URL', where: 'all', required: false, description: 'Where the tenant publishes its token signing keys (https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys).' },
  { name: 'LOG_LEVEL', where: 'all', required: false, defaultValue: 'info', description: 'pino log level.' },
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', where: 'azure', required: false, description: 'Application Insights connection string for OpenTelemetry export.' },
];

const url = z.url({ error: 'must be an absolute URL' });
const optionalText = z.string().trim().min(1).optional();
const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const settingsSchema = z
  .object({
    CALLBACK_BASE_URL: url,
    ACS_ENDPOINT: url.optional(),
    ACS_CONNECTION_STRING: z.string().regex(/endpoint=.+;accesskey=.+/i, 'must look like endpoint=...;accesskey=...').optional(),
    ACS_CALLBACK_ISSUER: z.string().min(1).default('https://acscallautomation.communication.azure.com'),
    ACS_CALLBACK_AUDIENCE: z.string().min(1),
    ACS_CALLBACK_JWKS_URL: url.default('https://acscallautomation.communication.azure.com/calling/keys'),
    COGNITIVE_SERVICES_ENDPOINT: url.optional(),
    COSMOS_ENDPOINT: url,
    COSMOS_KEY: optionalText,
    COSMOS_CA_CERT_FILE: optionalText,
    COSMOS_DATABASE: z.string().min(1).default('switchboard'),
    ServiceBusConnection: optionalText,
    ServiceBusConnection__fullyQualifiedNamespace: optionalText,
    ROUTING_QUEUE_NAME: z.string().min(1).default('routing'),
    GRAPH_BASE_URL: url.default('https://graph.microsoft.com/v1.0'),
    GRAPH_TENANT_ID: optionalText,
    GRAPH_CLIENT_ID: optionalText,
    GRAPH_CLIENT_SECRET: optionalText,
    GRAPH_NOTIFICATION_CLIENT_STATE: optionalText,
    CONTACT_CENTER_CONFIG_FILE: z.string().min(1).default('config/contact-center.yaml'),
    HISTORY_RETENTION_DAYS: z.coerce.number({ error: 'must be a number' }).int().positive().max(3650).default(90),
    ORDER_BACKEND_URL: url.optional(),
    LANGUAGE_ENDPOINT: url.optional(),
    LANGUAGE_PROJECT: optionalText,
    LANGUAGE_DEPLOYMENT: optionalText,
    LANGUAGE_KEY: optionalText,
    OPENAI_ENDPOINT: url.optional(),
    OPENAI_DEPLOYMENT: optionalText,
    OPENAI_KEY: optionalText,
    RECORDINGS_CONTAINER_URL: url.optional(),
    API_AUTH_ISSUER: optionalText,
    API_AUTH_AUDIENCE: optionalText,
    API_AUTH_JWKS_URL: url.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  })
  .refine((s) => s.ACS_ENDPOINT !== undefined || s.ACS_CONNECTION_STRING !== undefined, {
    message: 'set ACS_ENDPOINT (Azure, managed identity) or ACS_CONNECTION_STRING (local emulator)',
    path: ['ACS_ENDPOINT'],
  })
  .refine((s) => s.LANGUAGE_ENDPOINT === undefined || (s.LANGUAGE_PROJECT !== undefined && s.LANGUAGE_DEPLOYMENT !== undefined), {
    message: 'LANGUAGE_ENDPOINT needs LANGUAGE_PROJECT and LANGUAGE_DEPLOYMENT',
    path: ['LANGUAGE_PROJECT'],
  })
  .refine((s) => s.LANGUAGE_ENDPOINT === undefined || s.OPENAI_ENDPOINT === undefined, {
    message: 'set LANGUAGE_ENDPOINT (Azure AI Language) or OPENAI_ENDPOINT (Azure OpenAI), not both: one service understands callers',
    path: ['OPENAI_ENDPOINT'],
  })
  .refine((s) => [s.API_AUTH_ISSUER, s.API_AUTH_AUDIENCE, s.API_AUTH_JWKS_URL].every((v) => v === undefined) || [s.API_AUTH_ISSUER, s.API_AUTH_AUDIENCE, s.API_AUTH_JWKS_URL].every((v) => v !== undefined), {
    message: 'API_AUTH_ISSUER, API_AUTH_AUDIENCE and API_AUTH_JWKS_URL go together: set all three, or none (the agent, supervisor and admin APIs then answer 401)',
    path: ['API_AUTH_AUDIENCE'],
  })
  .refine((s) => s.OPENAI_ENDPOINT === undefined || s.OPENAI_DEPLOYMENT !== undefined, {
    message: 'OPENAI_ENDPOINT needs OPENAI_DEPLOYMENT (the chat model deployment)',
    path: ['OPENAI_DEPLOYMENT'],
  })
  .refine(
    (s) => s.ServiceBusConnection !== undefined || s.ServiceBusConnection__fullyQualifiedNamespace !== undefined,
    {
      message: 'set ServiceBusConnection__fullyQualifiedNamespace (Azure) or ServiceBusConnection (local emulator)',
      path: ['ServiceBusConnection__fullyQualifiedNamespace'],
    },
  );

export type Settings = z.infer<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings:\n  ${problems.join('\n  ')}`);
    this.name = 'SettingsError';
  }
}

/** Reads and validates the settings; throws SettingsError naming every missing or bad setting. */
export function loadSettings(env: Readonly<Record<string, string | undefined>> = process.env): Settings {
  const known = Object.fromEntries(
    settingsCatalog.map((s) => [s.name, env[s.name] === '' ? undefined : env[s.name]]),
  );
  const result = settingsSchema.safeParse(known);
  if (result.success) return result.data;
  throw new SettingsError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(settings)';
      return env[name] === undefined && issue.code === 'invalid_type'
        ? `${name}: missing`
        : `${name}: ${issue.message}`;
    }),
  );
}
