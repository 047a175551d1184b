import { readFileSync } from 'node:fs';
import { settingsCatalog } from '../../bot/config.js';

const hostSettings = ['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'AzureWebJobsFeatureFlags'];

describe('local.settings.sample.json', () => {
  const values = (JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as { Values: Record<string, string> }).Values;

  it('lists every setting the app reads, so `func start` users know what to set', () => {
    const missing = settingsCatalog.map((s) => s.name).filter((name) => !(name in values));
    expect(missing).toEqual([]);
  });

  it('lists nothing the app does not read', () => {
    const known = new Set([...settingsCatalog.map((s) => s.name), ...hostSettings]);
    expect(Object.keys(values).filter((name) => !known.has(name))).toEqual([]);
  });
});
