import { loadSettings, SettingsError, settingsCatalog } from '../../bot/config.js';

const local = {
  CALLBACK_BASE_URL: 'http://127.0.0.1:7071',
  ACS_CONNECTION_STRING: 'endpoint=http://127.0.0.1:7081/;accesskey=a2V5',
  ACS_CALLBACK_AUDIENCE: 'local-acs',
  COSMOS_ENDPOINT: 'https://127.0.0.1:8081',
  COSMOS_KEY: 'key',
  ServiceBusConnection: 'Endpoint=sb://localhost:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true',
};

describe('settings', () => {
  it('accepts the local emulator settings and fills defaults', () => {
    const s = loadSettings(local);
    expect(s.COSMOS_DATABASE).toBe('switchboard');
    expect(s.HISTORY_RETENTION_DAYS).toBe(90);
    expect(s.API_AUTH_ISSUER).toBeUndefined();
  });

  it('takes the API sign-in settings all together or not at all', () => {
    const signIn = { API_AUTH_ISSUER: 'https://login.microsoftonline.com/t/v2.0', API_AUTH_AUDIENCE: 'client-id', API_AUTH_JWKS_URL: 'https://login.microsoftonline.com/t/discovery/v2.0/keys' };
    expect(loadSettings({ ...local, ...signIn }).API_AUTH_AUDIENCE).toBe('client-id');
    expect(() => loadSettings({ ...local, API_AUTH_ISSUER: signIn.API_AUTH_ISSUER })).toThrow(/API_AUTH_AUDIENCE: API_AUTH_ISSUER, API_AUTH_AUDIENCE and API_AUTH_JWKS_URL go together/);
  });

  it('names every missing setting at once', () => {
    const err = (() => { try { loadSettings({}); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(SettingsError);
    const text = (err as Error).message;
    expect(text).toContain('CALLBACK_BASE_URL: missing');
    expect(text).toContain('COSMOS_ENDPOINT: missing');
    expect(text).toContain('ACS_CALLBACK_AUDIENCE: missing');
  });

  it('names a bad value and says why', () => {
    expect(() => loadSettings({ ...local, HISTORY_RETENTION_DAYS: 'ninety' })).toThrow(/HISTORY_RETENTION_DAYS: must be a number/);
    expect(() => loadSettings({ ...local, CALLBACK_BASE_URL: 'not a url' })).toThrow(/CALLBACK_BASE_URL: must be an absolute URL/);
  });

  it('requires one way to reach ACS and Service Bus', () => {
    const { ACS_CONNECTION_STRING: _a, ServiceBusConnection: _s, ...rest } = local;
    expect(() => loadSettings(rest)).toThrow(/ACS_ENDPOINT.*ACS_CONNECTION_STRING[\s\S]*ServiceBusConnection__fullyQualifiedNamespace/);
  });

  it('asks for the language project and deployment when a language service is named', () => {
    expect(() => loadSettings({ ...local, LANGUAGE_ENDPOINT: 'https://contoso-language.cognitiveservices.azure.com' })).toThrow(
      /LANGUAGE_PROJECT: LANGUAGE_ENDPOINT needs LANGUAGE_PROJECT and LANGUAGE_DEPLOYMENT/,
    );
    expect(loadSettings({ ...local, LANGUAGE_ENDPOINT: 'https://contoso-language.cognitiveservices.azure.com', LANGUAGE_PROJECT: 'p', LANGUAGE_DEPLOYMENT: 'd' }).LANGUAGE_PROJECT).toBe('p');
  });

  it('refuses two language services at once, and an Azure OpenAI endpoint without a deployment', () => {
    const language = { LANGUAGE_ENDPOINT: 'https://contoso-language.cognitiveservices.azure.com', LANGUAGE_PROJECT: 'p', LANGUAGE_DEPLOYMENT: 'd' };
    const openai = { OPENAI_ENDPOINT: 'https://contoso-openai.openai.azure.com', OPENAI_DEPLOYMENT: 'gpt-4o-mini' };
    expect(() => loadSettings({ ...local, ...language, ...openai })).toThrow(/OPENAI_ENDPOINT: set LANGUAGE_ENDPOINT \(Azure AI Language\) or OPENAI_ENDPOINT \(Azure OpenAI\), not both/);
    expect(() => loadSettings({ ...local, OPENAI_ENDPOINT: openai.OPENAI_ENDPOINT })).toThrow(/OPENAI_DEPLOYMENT: OPENAI_ENDPOINT needs OPENAI_DEPLOYMENT/);
    expect(() => loadSettings({ ...local, ...openai, OPENAI_ENDPOINT: 'contoso-openai' })).toThrow(/OPENAI_ENDPOINT: must be an absolute URL/);
    expect(loadSettings({ ...local, ...openai })).toMatchObject(openai);
  });

  it('catalog lists every setting the schema reads', () => {
    const names = settingsCatalog.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(Object.keys(local)));
  });
});
