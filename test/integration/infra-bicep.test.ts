import { execFile } from 'node:child_process';
import { accessSync, constants, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadSettings, settingsCatalog } from '../../bot/config.js';

/**
 * The Bicep templates in infra/ compile and lint clean with the real Bicep CLI, and the app
 * settings they give the Function app match the settings the app reads (bot/config.ts).
 * The CLI comes from PATH or from infra/install-bicep.sh (.tools/bicep/); without it these tests
 * fail rather than skip, so CI cannot pass without having compiled the templates.
 */

const repoRoot = resolve(import.meta.dirname, '../..');
const infraDir = join(repoRoot, 'infra');
const regions = ['westeurope', 'eastus2'] as const;

/**
 * Deployments that hand understanding to a service, as extra parameter files on the West Europe
 * cell: Azure OpenAI in another subscription by resource ID, Azure AI Language by name in the same
 * resource group.
 */
const understandingDeployments = {
  openAi: [
    "param openAiEndpoint = 'https://contoso-ai.openai.azure.com'",
    "param openAiDeployment = 'gpt-4o-mini'",
    "param openAiResourceId = '/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/contoso-ai'",
  ],
  language: [
    "param languageEndpoint = 'https://contoso-language.cognitiveservices.azure.com'",
    "param languageProject = 'switchboard'",
    "param languageDeployment = 'production'",
    "param languageResourceId = 'contoso-language'",
  ],
  // A deployment that names its operator and the API's app registration (not an understanding
  // service; it rides the same snapshots).
  operator: ["param operatorPrincipalId = '44444444-4444-4444-4444-444444444444'", "param apiClientId = '55555555-5555-5555-5555-555555555555'"],
} as const;

/** Settings the Functions host documents; the only ones the template may set outside the catalog. */
const hostSettingNames = new Set([
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
]);
const hostSettingPrefixes = ['AzureWebJobsStorage__'];

/** Settings Flex Consumption rejects (runtime and package location live in functionAppConfig). */
const flexRejectedSettings = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'AzureWebJobsStorage',
];

interface Diagnostic {
  readonly file: string;
  readonly level: string;
  readonly code: string;
  readonly message: string;
}

interface BicepRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly diagnostics: Diagnostic[];
}

interface ArmResource {
  readonly id?: string;
  readonly type: string;
  readonly name: string;
  readonly condition?: unknown;
  readonly properties?: Record<string, unknown>;
  readonly identity?: { readonly type?: string };
  readonly kind?: string;
}

interface Snapshot {
  readonly predictedResources: ArmResource[];
  readonly diagnostics: unknown[];
  readonly outputs: Record<string, unknown>;
}

function findBicep(): string | undefined {
  const fromEnv = process.env['BICEP_PATH'];
  if (fromEnv && isExecutable(fromEnv)) return fromEnv;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'bicep'))) return join(dir, 'bicep');
  }
  const toolsDir = join(repoRoot, '.tools', 'bicep');
  let versions: string[] = [];
  try {
    versions = readdirSync(toolsDir).sort();
  } catch {
    return undefined;
  }
  return versions.map((v) => join(toolsDir, v, 'bicep')).reverse().find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const bicepPath = findBicep();

function requireBicep(): string {
  if (!bicepPath) {
    throw new Error(
      'Bicep CLI not found on PATH or in .tools/bicep/: run infra/install-bicep.sh (it restores the ' +
        'Azure.Bicep.CommandLine.linux-x64 NuGet package with dotnet), then run the tests again.',
    );
  }
  return bicepPath;
}

/** The parameter files read secrets and azd values from the environment; none leak into a test run. */
function bicepEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DOTNET_CLI_TELEMETRY_OPTOUT: '1' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('SWITCHBOARD_') && !name.startsWith('AZURE_')) env[name] = value;
  }
  return env;
}

const diagnosticLine = /^(.+?)\((\d+),(\d+)\) : (Error|Warning|Info) ([\w-]+): (.*)$/;

function runBicep(args: readonly string[], cwd = repoRoot, extraEnv: NodeJS.ProcessEnv = {}): Promise<BicepRun> {
  const bicep = requireBicep();
  return new Promise((done) => {
    execFile(
      bicep,
      [...args],
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...bicepEnvironment(), ...extraEnv } },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const diagnostics = `${stdout}\n${stderr}`
          .split('\n')
          .map((line) => diagnosticLine.exec(line.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ file: relative(cwd, m[1] ?? ''), level: m[4] ?? '', code: m[5] ?? '', message: m[6] ?? '' }));
        done({ exitCode, stdout, stderr, diagnostics });
      },
    );
  });
}

/** Errors and warnings, formatted one per line; info diagnostics are advice, not failures. */
function problems(run: BicepRun): string[] {
  return run.diagnostics
    .filter((d) => d.level !== 'Info')
    .map((d) => `${d.file}: ${d.level} ${d.code}: ${d.message}`);
}

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(extension))
    .map((f) => join(dir, f))
    .sort();
}

/** Every resource of a compiled template, nested module templates included. */
function resourcesOf(template: unknown): ArmResource[] {
  const found: ArmResource[] = [];
  const visit = (t: { resources?: unknown }): void => {
    const list = Array.isArray(t.resources) ? t.resources : Object.values(t.resources ?? {});
    for (const r of list as (ArmResource & { properties?: { template?: { resources?: unknown } } })[]) {
      found.push(r);
      if (r.type === 'Microsoft.Resources/deployments' && r.properties?.template) visit(r.properties.template);
    }
  };
  visit(template as { resources?: unknown });
  return found;
}

/** Name -> value of the Function app's app settings, from siteConfig.appSettings or a config/appsettings resource. */
function appSettingsOf(resources: readonly ArmResource[]): Map<string, unknown> {
  const settings = new Map<string, unknown>();
  for (const r of resources) {
    if (r.type === 'Microsoft.Web/sites') {
      const siteConfig = r.properties?.['siteConfig'] as { appSettings?: { name: string; value: unknown }[] } | undefined;
      for (const s of siteConfig?.appSettings ?? []) settings.set(s.name, s.value);
    }
    if (r.type === 'Microsoft.Web/sites/config' && r.name.includes('appsettings')) {
      expect(typeof r.properties).toBe('object');
      for (const [name, value] of Object.entries(r.properties ?? {})) settings.set(name, value);
    }
  }
  return settings;
}

const isArmExpression = (v: unknown): boolean => typeof v === 'string' && v.startsWith('[') && !v.startsWith('[[');
const isKeyVaultReference = (v: unknown): boolean => typeof v === 'string' && v.includes('@Microsoft.KeyVault(');

let workDir = '';
let compiledMain: unknown;
let compiledMainText = '';
const snapshots = new Map<string, Snapshot>();
let buildRun: BicepRun | undefined;
let lintRun: BicepRun | undefined;
let paramsBuildRun: BicepRun | undefined;
let paramsLintRun: BicepRun | undefined;

beforeAll(async () => {
  if (!bicepPath) return;
  workDir = mkdtempSync(join(tmpdir(), 'switchboard-infra-'));
  // Snapshots are written next to the parameter file, so they run on a copy of infra/.
  const infraCopy = join(workDir, 'infra');
  cpSync(infraDir, infraCopy, { recursive: true, filter: (src) => !src.endsWith('.snapshot.json') });
  const outDir = join(workDir, 'out');
  // Two at a time: the machine has two cores and each Bicep process is single-threaded.
  [buildRun, lintRun] = await Promise.all([
    runBicep(['build', '--pattern', 'infra/**/*.bicep', '--outdir', outDir]),
    runBicep(['lint', '--pattern', 'infra/**/*.bicep']),
  ]);
  [paramsBuildRun, paramsLintRun] = await Promise.all([
    runBicep(['build-params', '--pattern', 'infra/**/*.bicepparam', '--outdir', join(outDir, 'params')]),
    runBicep(['lint', '--pattern', 'infra/**/*.bicepparam']),
  ]);
  const westEurope = readFileSync(join(infraCopy, 'regions', 'westeurope.bicepparam'), 'utf8');
  for (const [name, lines] of Object.entries(understandingDeployments)) {
    // The deployment's own value replaces the region file's for the same parameter.
    const given = new Set(lines.map((line) => /^param (\w+)/.exec(line)?.[1]));
    const kept = westEurope.split('\n').filter((line) => !given.has(/^param (\w+)/.exec(line)?.[1]));
    writeFileSync(join(infraCopy, 'regions', `${name}.bicepparam`), [...kept, ...lines, ''].join('\n'));
  }
  const snapshotOf = async (name: string, region: string): Promise<void> => {
    const run = await runBicep(
      [
        'snapshot', join(infraCopy, 'regions', `${name}.bicepparam`), '--mode', 'overwrite',
        '--tenant-id', '11111111-1111-1111-1111-111111111111',
        '--subscription-id', '22222222-2222-2222-2222-222222222222',
        '--resource-group', `rg-switchboard-${region}`, '--location', region,
      ],
      workDir,
    );
    if (run.exitCode !== 0) throw new Error(`bicep snapshot ${name} failed:\n${run.stderr}`);
    snapshots.set(name, JSON.parse(readFileSync(join(infraCopy, 'regions', `${name}.snapshot.json`), 'utf8')) as Snapshot);
  };
  await Promise.all(regions.map((region) => snapshotOf(region, region)));
  await Promise.all(Object.keys(understandingDeployments).map((name) => snapshotOf(name, 'westeurope')));
  compiledMainText = readFileSync(join(outDir, 'main.json'), 'utf8');
  compiledMain = JSON.parse(compiledMainText);
}, 120_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('infra: the Bicep CLI', () => {
  it('is installed (PATH, BICEP_PATH or infra/install-bicep.sh)', () => {
    requireBicep();
  });
});

describe('infra: every template compiles and lints clean, warnings counting as errors', () => {
  it('builds every .bicep file', () => {
    requireBicep();
    const files = filesUnder(infraDir, '.bicep');
    expect(files.map((f) => relative(infraDir, f))).toEqual(
      expect.arrayContaining(['main.bicep', join('modules', 'function-app.bicep')]),
    );
    expect(problems(buildRun!)).toEqual([]);
    expect(buildRun!.exitCode).toBe(0);
    const built = filesUnder(join(workDir, 'out'), '.json').map((f) => relative(join(workDir, 'out'), f));
    for (const file of files) expect(built).toContain(relative(infraDir, file).replace(/\.bicep$/, '.json'));
  });

  it('lints every .bicep file', () => {
    requireBicep();
    expect(problems(lintRun!)).toEqual([]);
    expect(lintRun!.exitCode).toBe(0);
  });

  it('builds and lints every .bicepparam file, one per region and the azd one', () => {
    requireBicep();
    const files = filesUnder(infraDir, '.bicepparam').map((f) => relative(infraDir, f));
    expect(files).toEqual(expect.arrayContaining(regions.map((r) => join('regions', `${r}.bicepparam`))));
    expect(problems(paramsBuildRun!)).toEqual([]);
    expect(paramsBuildRun!.exitCode).toBe(0);
    expect(problems(paramsLintRun!)).toEqual([]);
    expect(paramsLintRun!.exitCode).toBe(0);
  });

  it('turns a linter warning into an error through infra/bicepconfig.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-lint-'));
    try {
      cpSync(join(infraDir, 'bicepconfig.json'), join(dir, 'bicepconfig.json'));
      writeFileSync(join(dir, 'unused.bicep'), "param neverUsed string\n");
      const run = await runBicep(['lint', join(dir, 'unused.bicep')], dir);
      expect(run.exitCode).not.toBe(0);
      expect(run.diagnostics).toContainEqual(expect.objectContaining({ level: 'Error', code: 'no-unused-params' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra: the app settings the template sets match bot/config.ts', () => {
  const catalogNames = new Set(settingsCatalog.map((s) => s.name));
  const isHostSetting = (name: string): boolean =>
    hostSettingNames.has(name) || hostSettingPrefixes.some((p) => name.startsWith(p));

  const templateSettings = (): Map<string, unknown> => {
    requireBicep();
    const settings = appSettingsOf(resourcesOf(compiledMain));
    expect(settings.size).toBeGreaterThan(0);
    return settings;
  };

  it('sets every setting the app requires in Azure, including one of each either-or pair', () => {
    const names = [...templateSettings().keys()];
    const required = settingsCatalog
      .filter((s) => s.required && s.where !== 'local')
      .map((s) => s.name);
    // bot/config.ts requires one of each pair; Azure uses the managed-identity side.
    const identitySideOfPairs = ['ACS_ENDPOINT', 'ServiceBusConnection__fullyQualifiedNamespace'];
    expect(required.length).toBeGreaterThan(0);
    for (const name of [...required, ...identitySideOfPairs]) expect(names).toContain(name);
  });

  it('sets nothing the app does not read, apart from documented Functions host settings', () => {
    const unknown = [...templateSettings().keys()].filter((n) => !catalogNames.has(n) && !isHostSetting(n));
    expect(unknown).toEqual([]);
  });

  it('sets no local-only setting (keys, connection strings, emulator switches)', () => {
    const names = [...templateSettings().keys()];
    const localOnly = settingsCatalog.filter((s) => s.where === 'local').map((s) => s.name);
    expect(localOnly.length).toBeGreaterThan(0);
    expect(names.filter((n) => localOnly.includes(n))).toEqual([]);
  });

  it('sets none of the settings Flex Consumption rejects', () => {
    const names = [...templateSettings().keys()];
    expect(names.filter((n) => flexRejectedSettings.includes(n))).toEqual([]);
  });

  it('reads no key or connection string anywhere in the template', () => {
    requireBicep();
    expect(compiledMainText).not.toMatch(/\blist(Keys|ConnectionStrings|AccountSas|ServiceSas)\(/i);
    expect(compiledMainText).not.toMatch(/AccountKey=|SharedAccessKey=/);
  });

  it('passes secrets only as Key Vault references', () => {
    const settings = templateSettings();
    expect(isKeyVaultReference(settings.get('GRAPH_CLIENT_SECRET'))).toBe(true);
    expect(isKeyVaultReference(settings.get('GRAPH_NOTIFICATION_CLIENT_STATE'))).toBe(true);
  });

  it.each(regions)('gives the app settings it accepts at start (%s)', (region) => {
    const config = snapshots.get(region)!.predictedResources.find(
      (r) => r.type === 'Microsoft.Web/sites/config' && r.name.endsWith('/appsettings'),
    );
    expect(config).toBeDefined();
    // Values only Azure knows (endpoints, ids) become stand-ins; Key Vault references become the
    // secret the platform resolves. Literal values are checked as they are.
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(config!.properties ?? {})) {
      if (isKeyVaultReference(value)) env[name] = 'secret-from-key-vault';
      else if (isArmExpression(value)) env[name] = 'https://resolved-at-deploy.example';
      else env[name] = String(value);
    }
    const settings = loadSettings(env);
    expect(settings.COSMOS_DATABASE).toBe('switchboard');
    expect(settings.ROUTING_QUEUE_NAME).toBe('routing');
  });
});

describe.each(regions)('infra: what the %s region deploys', (region) => {
  const resources = (): ArmResource[] => {
    requireBicep();
    const snapshot = snapshots.get(region);
    expect(snapshot?.diagnostics).toEqual([]);
    return snapshot!.predictedResources;
  };
  const one = (type: string, nameEnd = ''): ArmResource => {
    const matches = resources().filter((r) => r.type === type && r.name.endsWith(nameEnd));
    expect(matches.map((r) => r.name)).toHaveLength(1);
    return matches[0]!;
  };
  const appSetting = (name: string): unknown => one('Microsoft.Web/sites/config', '/appsettings').properties?.[name];

  it('names resources after the region', () => {
    const code = region === 'westeurope' ? 'weu' : 'eus2';
    const named = resources().filter((r) => !r.type.startsWith('Microsoft.Authorization') && !r.name.includes('/'));
    expect(named.length).toBeGreaterThan(8);
    for (const r of named) expect(r.name).toContain(code);
  });

  it('runs the Function app on Flex Consumption, Node 22, with a system-assigned identity', () => {
    const plan = one('Microsoft.Web/serverfarms');
    expect(plan).toMatchObject({ sku: { tier: 'FlexConsumption', name: 'FC1' } });
    const site = one('Microsoft.Web/sites');
    expect(site.identity?.type).toBe('SystemAssigned');
    expect(site.properties?.['functionAppConfig']).toMatchObject({
      runtime: { name: 'node', version: '22' },
      deployment: { storage: { type: 'blobContainer', authentication: { type: 'SystemAssignedIdentity' } } },
    });
    expect(one('Microsoft.Storage/storageAccounts').properties).toMatchObject({ allowSharedKeyAccess: false });
  });

  it('creates the Cosmos containers of DESIGN.md §5 with local auth off and TTL from the retention', () => {
    expect(one('Microsoft.DocumentDB/databaseAccounts').properties).toMatchObject({ disableLocalAuth: true });
    expect(one('Microsoft.DocumentDB/databaseAccounts/sqlDatabases').name).toMatch(/\/switchboard$/);
    const container = (id: string) =>
      one('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers', `/${id}`).properties?.['resource'] as {
        partitionKey: { paths: string[] };
        defaultTtl?: number;
      };
    const retentionDays = Number(appSetting('HISTORY_RETENTION_DAYS'));
    expect(retentionDays).toBeGreaterThan(0);
    expect(container('calls')).toMatchObject({ partitionKey: { paths: ['/callId'] }, defaultTtl: retentionDays * 86_400 });
    expect(container('agents').partitionKey.paths).toEqual(['/agentId']);
    expect(container('queues').partitionKey.paths).toEqual(['/queueId']);
    expect(container('agents').defaultTtl ?? null).toBeNull();
  });

  it('gives the app the Cosmos data contributor role on the database', () => {
    const assignment = one('Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments');
    expect(String(assignment.properties?.['roleDefinitionId'])).toMatch(
      /\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/,
    );
    expect(String(assignment.properties?.['scope'])).toMatch(/\/dbs\/switchboard$/);
  });

  it('creates the routing queue with sessions and dead-lettering', () => {
    const queue = one('Microsoft.ServiceBus/namespaces/queues');
    expect(queue.name).toMatch(/\/routing$/);
    expect(queue.properties).toMatchObject({ requiresSession: true, deadLetteringOnMessageExpiration: true });
    expect(queue.properties?.['maxDeliveryCount']).toEqual(expect.any(Number));
    expect(queue.properties?.['lockDuration']).toMatch(/^PT/);
    expect(one('Microsoft.ServiceBus/namespaces').properties).toMatchObject({ disableLocalAuth: true });
  });

  it('subscribes the incoming-call function to IncomingCall with retry and a dead-letter container', () => {
    const subscription = one('Microsoft.EventGrid/systemTopics/eventSubscriptions', '/incoming-call');
    expect(subscription.properties).toMatchObject({
      destination: { endpointType: 'AzureFunction' },
      filter: { includedEventTypes: ['Microsoft.Communication.IncomingCall'] },
      retryPolicy: { maxDeliveryAttempts: expect.any(Number), eventTimeToLiveInMinutes: expect.any(Number) },
      deadLetterWithResourceIdentity: { deadLetterDestination: { endpointType: 'StorageBlob' } },
    });
    const destination = subscription.properties?.['destination'] as { properties: { resourceId: string } };
    expect(destination.properties.resourceId).toMatch(/\/providers\/Microsoft\.Web\/sites\/[^/]+\/functions\/incoming-call$/);
    expect(one('Microsoft.EventGrid/systemTopics').properties).toMatchObject({
      topicType: 'Microsoft.Communication.CommunicationServices',
    });
  });

  it('subscribes the recording-file-status function to RecordingFileStatusUpdated, so voicemail files are named in history', () => {
    const subscription = one('Microsoft.EventGrid/systemTopics/eventSubscriptions', '/recording-file-status');
    expect(subscription.properties).toMatchObject({
      filter: { includedEventTypes: ['Microsoft.Communication.RecordingFileStatusUpdated'] },
      deadLetterWithResourceIdentity: { deadLetterDestination: { endpointType: 'StorageBlob' } },
    });
    const destination = subscription.properties?.['destination'] as { properties: { resourceId: string } };
    expect(destination.properties.resourceId).toMatch(/\/functions\/recording-file-status$/);
  });

  it('grants the data-plane roles the app needs and no broad role', () => {
    const roleIds = resources()
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
      .map((r) => String(r.properties?.['roleDefinitionId']).split('/').pop());
    expect(roleIds).toEqual(
      expect.arrayContaining([
        'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', // Storage Blob Data Owner (host storage)
        '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', // Azure Service Bus Data Sender
        '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0', // Azure Service Bus Data Receiver
        '4633458b-17de-408a-b874-0445c86b69e6', // Key Vault Secrets User
        '3913510d-42f4-4e42-8a64-420c390055eb', // Monitoring Metrics Publisher
        'a97b65f3-24c7-4388-baec-2e87135dc908', // Cognitive Services User (ACS -> AI Services)
        'ba92f5b4-2d11-453d-a403-e96b0029c9fe', // Storage Blob Data Contributor (Event Grid dead letters)
      ]),
    );
    // Owner, Contributor and User Access Administrator are never handed out.
    for (const broad of [
      '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
      'b24988ac-6180-42a0-ab88-20f7382dd24c',
      '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    ]) {
      expect(roleIds).not.toContain(broad);
    }
  });

  it('keeps voicemail recordings in its own container, written by the ACS identity, deleted with the call history', () => {
    const container = one('Microsoft.Storage/storageAccounts/blobServices/containers', '/recordings');
    expect(container.properties?.['publicAccess']).toBe('None');
    const writers = resources().filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && String(r.properties?.['description']).includes('recordings'));
    expect(writers).toHaveLength(1);
    expect(String(writers[0]!.properties?.['roleDefinitionId'])).toContain('ba92f5b4-2d11-453d-a403-e96b0029c9fe');
    expect(String(writers[0]!.properties?.['principalId'])).toContain('Microsoft.Communication/communicationServices');
    expect(JSON.stringify(writers[0])).toContain('containers/recordings');
    const rule = (one('Microsoft.Storage/storageAccounts/managementPolicies').properties as { policy: { rules: { definition: { filters: { prefixMatch: string[] }; actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: number } } } } }[] } }).policy.rules[0]!;
    expect(rule.definition.filters.prefixMatch).toEqual(['recordings/']);
    expect(rule.definition.actions.baseBlob.delete.daysAfterCreationGreaterThan).toBe(90);
    expect(String(appSetting('RECORDINGS_CONTAINER_URL'))).toMatch(/recordings/);
  });

  it('points the app at the resources it creates', () => {
    expect(appSetting('ROUTING_QUEUE_NAME')).toBe(one('Microsoft.ServiceBus/namespaces/queues').name.split('/')[1]);
    expect(appSetting('COSMOS_DATABASE')).toBe(one('Microsoft.DocumentDB/databaseAccounts/sqlDatabases').name.split('/')[1]);
    const vault = one('Microsoft.KeyVault/vaults').name;
    expect(appSetting('GRAPH_CLIENT_SECRET')).toContain(`VaultName=${vault};`);
  });
});

describe('infra: azd (azure.yaml)', () => {
  const azureYaml = parseYaml(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as {
    infra: { provider: string; path: string; module: string };
    services: Record<string, { project: string; language: string; host: string }>;
    hooks?: Record<string, { run: string }>;
  };

  it('passes the azd environment\'s language service and backend settings to the template', async () => {
    const env = {
      SWITCHBOARD_ORDER_BACKEND_URL: 'https://orders.contoso.example',
      SWITCHBOARD_OPENAI_ENDPOINT: 'https://contoso-ai.openai.azure.com',
      SWITCHBOARD_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
      SWITCHBOARD_OPENAI_RESOURCE_ID: 'contoso-ai',
      SWITCHBOARD_LANGUAGE_PROJECT: 'switchboard',
    };
    const run = await runBicep(['build-params', join(infraDir, 'main.bicepparam'), '--stdout'], repoRoot, env);
    expect(run.exitCode).toBe(0);
    const { parameters } = JSON.parse(JSON.parse(run.stdout).parametersJson as string) as { parameters: Record<string, { value: unknown }> };
    expect(parameters).toMatchObject({
      orderBackendUrl: { value: env.SWITCHBOARD_ORDER_BACKEND_URL },
      openAiEndpoint: { value: env.SWITCHBOARD_OPENAI_ENDPOINT },
      openAiDeployment: { value: env.SWITCHBOARD_OPENAI_DEPLOYMENT },
      openAiResourceId: { value: env.SWITCHBOARD_OPENAI_RESOURCE_ID },
      languageProject: { value: env.SWITCHBOARD_LANGUAGE_PROJECT },
      languageEndpoint: { value: '' },
    });
  });

  it('provisions infra/main.bicep with its azd parameter file', () => {
    expect(azureYaml.infra.provider).toBe('bicep');
    const module = join(repoRoot, azureYaml.infra.path, `${azureYaml.infra.module}.bicep`);
    expect(module).toBe(join(infraDir, 'main.bicep'));
    expect(filesUnder(infraDir, '.bicepparam')).toContain(join(infraDir, 'main.bicepparam'));
  });

  it('deploys the repository as the Function app that carries the service tag', () => {
    const [serviceName, ...others] = Object.keys(azureYaml.services);
    expect(others).toEqual([]);
    expect(azureYaml.services[serviceName!]).toMatchObject({ project: '.', host: 'function' });
    requireBicep();
    const site = snapshots.get('westeurope')!.predictedResources.find((r) => r.type === 'Microsoft.Web/sites') as
      | (ArmResource & { tags?: Record<string, string> })
      | undefined;
    expect(site?.tags?.['azd-service-name']).toBe(serviceName);
  });

  it('runs an executable postdeploy hook that turns the Event Grid subscription on', () => {
    const hook = azureYaml.hooks?.['postdeploy']?.run ?? '';
    const hookPath = join(repoRoot, hook);
    expect(isExecutable(hookPath)).toBe(true);
    expect(readFileSync(hookPath, 'utf8')).toContain('SWITCHBOARD_INCOMING_CALL_SUBSCRIPTION true');
    expect(readFileSync(join(infraDir, 'main.bicepparam'), 'utf8')).toContain(
      "incomingCallSubscriptionEnabled = bool(readEnvironmentVariable('SWITCHBOARD_INCOMING_CALL_SUBSCRIPTION'",
    );
  });
});

describe('infra: a deployment that understands callers with Azure OpenAI or Azure AI Language', () => {
  const roles = { openAi: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd', language: '7628b7b8-a8b2-4cdc-b46f-e9b35248918e' };
  const assignmentsOf = (name: string, roleId: string): ArmResource[] => {
    requireBicep();
    const snapshot = snapshots.get(name)!;
    expect(snapshot.diagnostics).toEqual([]);
    return snapshot.predictedResources.filter(
      (r) => r.type === 'Microsoft.Authorization/roleAssignments' && String(r.properties?.['roleDefinitionId']).includes(roleId),
    );
  };
  const functionAppIdentity = /Microsoft\.Web\/sites\/func-[^']*'.*\.identity\.principalId/;

  it.each([
    {
      deployment: 'openAi', granted: roles.openAi, other: roles.language,
      account: '/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/contoso-ai',
      how: 'OpenAI User on the account named by resource ID, in its own subscription',
    },
    {
      deployment: 'language', granted: roles.language, other: roles.openAi,
      account: '/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-switchboard-westeurope/providers/Microsoft.CognitiveServices/accounts/contoso-language',
      how: "Language Reader on the account named without a resource ID, in the deployment's resource group",
    },
  ] as const)("grants the Function app's identity $how", ({ deployment, granted, other, account }) => {
    const [assignment, ...others] = assignmentsOf(deployment, granted);
    expect(others).toEqual([]);
    expect(assignment?.id).toContain(`extensionResourceId('${account}'`);
    expect(String(assignment?.properties?.['principalId'])).toMatch(functionAppIdentity);
    expect(assignmentsOf(deployment, other)).toEqual([]);
  });

  it('opens the agent, supervisor and admin APIs to Entra tokens for the API app registration only when it is named', () => {
    const settingsOf = (deployment: string) =>
      snapshots.get(deployment)!.predictedResources.find((r) => r.type === 'Microsoft.Web/sites/config' && r.name.endsWith('/appsettings'))!.properties ?? {};
    const named = settingsOf('operator');
    expect(named['API_AUTH_AUDIENCE']).toBe('55555555-5555-5555-5555-555555555555');
    // The cloud's sign-in endpoint (https://login.microsoftonline.com/ in public Azure) and the tenant.
    expect(named['API_AUTH_ISSUER']).toBe("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, '11111111-1111-1111-1111-111111111111')]");
    expect(named['API_AUTH_JWKS_URL']).toBe("[format('{0}{1}/discovery/v2.0/keys', environment().authentication.loginEndpoint, '11111111-1111-1111-1111-111111111111')]");
    for (const region of regions) {
      const closed = settingsOf(region);
      expect([closed['API_AUTH_ISSUER'], closed['API_AUTH_AUDIENCE'], closed['API_AUTH_JWKS_URL']]).toEqual(['', '', '']);
    }
  });

  it('lets a named operator store the Graph secrets and speak the prompts (prompts render), and nobody else', () => {
    const speechUser = 'f2dc8367-1007-4938-bd23-fe263f013447';
    const [speech, ...others] = assignmentsOf('operator', speechUser);
    expect(others).toEqual([]);
    expect(speech?.properties?.['principalId']).toBe('44444444-4444-4444-4444-444444444444');
    expect(speech?.id).toContain('Microsoft.CognitiveServices/accounts');
    expect(assignmentsOf('operator', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')).toHaveLength(1);
    for (const region of regions) expect(assignmentsOf(region, speechUser)).toEqual([]);
  });

  it.each(regions)('grants neither role when the %s cell keeps the embedded classifier', (region) => {
    expect(assignmentsOf(region, roles.openAi)).toEqual([]);
    expect(assignmentsOf(region, roles.language)).toEqual([]);
  });
});
