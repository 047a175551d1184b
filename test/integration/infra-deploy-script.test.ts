import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/**
 * infra/deploy.sh against a stand-in `az` that records its arguments: the commands a region
 * deployment sends to Azure, in order, and the usage errors an operator sees.
 */

const repoRoot = resolve(import.meta.dirname, '../..');
const deployScript = join(repoRoot, 'infra', 'deploy.sh');
const paramFile = join(repoRoot, 'infra', 'regions', 'westeurope.bicepparam');
const functionAppName = 'func-swbd-prod-weu-abcde';
const operatorId = '00000000-0000-0000-0000-0000000000aa';

// Answers only what deploy.sh reads back; every other call succeeds silently.
const fakeAz = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$AZ_LOG"
case "$*" in
  "account show --output none") exit "\${AZ_ACCOUNT_SHOW_EXIT:-0}" ;;
  "account show --query user.type --output tsv") echo user ;;
  "ad signed-in-user show --query id --output tsv") echo ${operatorId} ;;
  *"properties.outputs.AZURE_FUNCTION_APP_NAME.value"*) echo ${functionAppName} ;;
  *"--query properties.outputs --output json") echo '{}' ;;
  "functionapp function show "*) echo incoming-call ;;
esac
exit 0
`;

interface ScriptRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly azCalls: string[];
}

let workDir = '';
let fakeBin = '';

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'switchboard-deploy-'));
  fakeBin = join(workDir, 'bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'az'), fakeAz);
  chmodSync(join(fakeBin, 'az'), 0o755);
  writeFileSync(join(workDir, 'app.zip'), 'not really a zip: the fake az never opens it');
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

let runCount = 0;

function runDeploy(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ScriptRun> {
  const azLog = join(workDir, `az-${(runCount += 1)}.log`);
  writeFileSync(azLog, '');
  return new Promise((done) => {
    execFile(
      'bash',
      [deployScript, ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, PATH: `${fakeBin}${delimiter}${process.env['PATH'] ?? ''}`, AZ_LOG: azLog, ...extraEnv },
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const azCalls = readFileSync(azLog, 'utf8').split('\n').filter(Boolean);
        done({ exitCode, stdout, stderr, azCalls });
      },
    );
  });
}

describe('infra/deploy.sh', () => {
  it('explains its usage and lists the regions when the region is missing', async () => {
    const run = await runDeploy([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('missing <region>');
    expect(run.stderr).toMatch(/Regions: .*eastus2.*westeurope/);
    expect(run.azCalls).toEqual([]);
  });

  it('rejects a region without a parameter file, naming the file it looked for', async () => {
    const run = await runDeploy(['mars']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("no parameter file for region 'mars'");
    expect(run.stderr).toContain(join('infra', 'regions', 'mars.bicepparam'));
    expect(run.azCalls).toEqual([]);
  });

  it('rejects unknown options, options without values and a missing package', async () => {
    expect((await runDeploy(['westeurope', '--turbo'])).stderr).toContain('unknown option --turbo');
    expect((await runDeploy(['westeurope', '--resource-group'])).stderr).toContain('--resource-group needs a value');
    const missing = await runDeploy(['westeurope', '--package', join(workDir, 'absent.zip')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });

  it('stops with a hint when nobody is signed in to Azure', async () => {
    const run = await runDeploy(['westeurope', '--infra-only'], { AZ_ACCOUNT_SHOW_EXIT: '1' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("run 'az login'");
    expect(run.azCalls.some((c) => c.startsWith('deployment group create'))).toBe(false);
  });

  it('deploys, publishes, then deploys again with the Event Grid subscription', async () => {
    const zip = join(workDir, 'app.zip');
    const run = await runDeploy(['westeurope', '--package', zip]);
    expect(run.stderr).not.toContain('deploy.sh: could not');
    expect(run.exitCode).toBe(0);
    const group = 'rg-switchboard-westeurope';
    const deploymentCreate = (enabled: boolean): string =>
      `deployment group create --resource-group ${group} --name switchboard-westeurope --parameters ${paramFile} ` +
      `--parameters incomingCallSubscriptionEnabled=${enabled} operatorPrincipalId=${operatorId} ` +
      'operatorPrincipalType=User --output none';
    const significant = run.azCalls.filter((c) => !c.startsWith('account show') && !c.startsWith('ad '));
    expect(significant).toEqual([
      `group create --name ${group} --location westeurope --tags workload=switchboard region=westeurope --output none`,
      deploymentCreate(false),
      `deployment group show --resource-group ${group} --name switchboard-westeurope --query properties.outputs.AZURE_FUNCTION_APP_NAME.value --output tsv`,
      `functionapp deployment source config-zip --resource-group ${group} --name ${functionAppName} --src ${zip} --output none`,
      `functionapp function show --resource-group ${group} --name ${functionAppName} --function-name incoming-call --query name --output tsv`,
      deploymentCreate(true),
      `deployment group show --resource-group ${group} --name switchboard-westeurope --query properties.outputs --output json`,
    ]);
    expect(run.stdout.trim()).toBe('{}');
  });

  it('deploys only the infrastructure with --infra-only, into the resource group given', async () => {
    const run = await runDeploy(['eastus2', '--infra-only', '--resource-group', 'rg-cc-east']);
    expect(run.exitCode).toBe(0);
    expect(run.azCalls).toContain(
      'group create --name rg-cc-east --location eastus2 --tags workload=switchboard region=eastus2 --output none',
    );
    const creates = run.azCalls.filter((c) => c.startsWith('deployment group create'));
    expect(creates).toHaveLength(1);
    expect(creates[0]).toContain('incomingCallSubscriptionEnabled=false');
    expect(run.azCalls.some((c) => c.includes('config-zip'))).toBe(false);
  });
});
