import { describe, expect, it } from 'vitest';
import { importDemo } from './demoPackage.ts';

describe('importDemo', () => {
  it('returns the loaded package', async () => {
    const loaded = await importDemo('@parley/example-bank', () => import('@parley/example-bank'));
    expect(typeof loaded.runBankDemo).toBe('function');
  });

  it('names the package to install when it is absent', async () => {
    const absent = '@parley/example-absent';
    await expect(importDemo(absent, () => import(absent))).rejects.toThrow(
      'this demo is in the package @parley/example-absent, which is not installed: ' +
        'npm install @parley/example-absent',
    );
  });

  it('rethrows the error of a package that is installed but does not load', async () => {
    const broken = new Error('SyntaxError in the example');
    await expect(importDemo('commander', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
