import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importTypeScript, loadAppSchemas } from './loadApp.ts';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);

describe('loadAppSchemas', () => {
  it('finds topics among exports and inside exported arrays, once each', async () => {
    const { topics, entities, registry } = await loadAppSchemas(fixture('shopApp.ts'));
    expect(topics.map((t) => t.name)).toEqual(['cli-orders']);
    expect(entities).toEqual([]);
    expect(registry.knows('cli-orders')).toBe(true);
    expect(registry.schemaFor('cli-orders', 'OrderPlaced')).toBeDefined();
  });

  it('refuses a module without definitions, and one that does not load', async () => {
    await expect(loadAppSchemas(fixture('runCli.ts'))).rejects.toThrow(/exports no Parley topic or entity/);
    await expect(loadAppSchemas(fixture('missing.ts'))).rejects.toThrow(/cannot load --app/);
  });

  it('loads TypeScript through tsx, as the compiled CLI does on a Node that strips no types', async () => {
    const loaded = await importTypeScript(pathToFileURL(fixture('typedModule.ts')).href);
    expect(loaded.limits).toEqual([
      { name: 'orders', max: 10 },
      { name: 'refunds', max: 2 },
    ]);
  });
});
