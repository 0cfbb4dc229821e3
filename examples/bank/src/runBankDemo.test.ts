import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBankDemo } from './runBankDemo.ts';

describe('bank example', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bank-test-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('brings statements in line with the accounts through the bus', async () => {
    const phases = new Set<string>();
    const result = await runBankDemo({
      dataDir,
      accounts: 5,
      commands: 300,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(result).toMatchObject({ accounts: 5, consistent: true });
    expect(result.accepted + result.rejected).toBe(300);
    expect(result.rejected).toBeGreaterThan(0);
    expect(phases).toEqual(new Set(['commands', 'catching-up']));
    expect(
      fs
        .readdirSync(dataDir)
        .filter((f) => f.endsWith('.db'))
        .sort(),
    ).toEqual(['bank.db', 'bus.db', 'statements.db']);
  });
});
