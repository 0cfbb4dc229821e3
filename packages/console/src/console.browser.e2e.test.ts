import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cinemaConsole, OPERATOR, type CinemaConsole } from './fixtures/cinemaConsole.ts';

const CHROMIUM = '/usr/bin/chromium';
/** Where the screenshots go: `PARLEY_CONSOLE_SCREENSHOTS=docs/console` refreshes the README's. */
const SHOTS =
  process.env.PARLEY_CONSOLE_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-console-shots-'));

function describeBrowser(name: string, body: () => void): void {
  if (fs.existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  const notice = `no Chromium at ${CHROMIUM}`;
  if (process.env.CI) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${notice}; CI is set, so this fails instead of skipping`);
      });
    });
  } else {
    describe.skip(name, () => {
      it(`skipped: ${notice} (install Debian's chromium), or set CI to fail instead`, () => {});
    });
  }
}

describeBrowser('the console in a browser', () => {
  let console_: CinemaConsole;
  let browser: Browser;

  beforeAll(async () => {
    // Slow enough to see the progress bar move.
    [console_, browser] = await Promise.all([
      cinemaConsole({ bulkRate: 2 }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      }),
    ]);
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
  });

  /** A page signed in with the operator token. */
  async function signedIn(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(`${console_.url}/login`);
    await page.fill('input[name="token"]', OPERATOR.secret);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${console_.url}/failures`);
    return page;
  }

  it('signs in, finds the poison group, dry-runs its redrive, runs it with progress and sees it drain', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    const failed: string[] = [];
    page.on('pageerror', (error) => failed.push(error.message));
    await page.goto(`${console_.url}/failures`);
    await page.fill('input[name="token"]', OPERATOR.secret);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${console_.url}/failures`);
    const row = page.locator('#groups tr', { hasText: 'GatewayError' });
    await expect.poll(() => row.count()).toBe(1);
    const count = Number(await row.locator('td.num a').innerText());
    expect(count).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'failures.png'), fullPage: true });

    // A member's page: the whole message, and an edit checked against the schema, with its diff.
    const [member] = await console_.admin.deadLetters.list({ status: 'escalated', limit: 1 });
    await page.goto(`${console_.url}/failures/${member!.id}`);
    expect(await page.innerText('#headers')).toContain('••••••');
    const payload = JSON.parse(member!.message.payload) as Record<string, unknown>;
    await page.fill('textarea[name="payload"]', JSON.stringify({ ...payload, amount: -1 }, null, 2));
    await page.click('button[value="check"]');
    await page.waitForSelector('#edit-issues');
    await page.fill(
      'textarea[name="payload"]',
      JSON.stringify({ ...payload, walletId: 'wallet-1' }, null, 2),
    );
    await page.fill('input[name="reason"]', 'charge the customer’s other wallet');
    await page.click('button[value="check"]');
    await page.waitForSelector('#edit .diff .add');
    await page.locator('#edit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true });

    await page.goto(`${console_.url}/failures`);
    await page
      .locator('#groups tr', { hasText: 'GatewayError' })
      .locator('a', { hasText: 'GatewayError' })
      .click();
    await page.waitForSelector('#bulk');
    expect(Number(await page.innerText('#group-count'))).toBe(count);
    await page.click('button[data-plan="redrive"]');
    await expect
      .poll(() => page.innerText('#bulk-plan-text'))
      .toContain(`would act on ${count} of the ${count} dead letters`);
    expect(await page.innerText('#bulk-run')).toBe(`Redrive ${count}`);
    await page.click('#bulk-run');
    await page.waitForSelector('#bulk-progress:not([hidden])');
    await expect
      .poll(async () => Number(await page.getAttribute('#bulk-progress progress', 'value')))
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'bulk-redrive.png'), fullPage: true });
    await page.waitForSelector('#bulk-result[data-state="done"]', { timeout: 20_000 });
    expect(await page.innerText('#bulk-result')).toContain(`redriven ${count} dead letter(s)`);
    expect(await page.getAttribute('#bulk-result', 'data-remaining')).toBe('0');

    await page.click('#bulk-result a');
    await page.waitForSelector('#group-empty');
    expect(await page.innerText('#group-empty')).toContain('drained');
    await page.goto(`${console_.url}/failures`);
    expect(await page.locator('#groups tr', { hasText: 'GatewayError' }).count()).toBe(0);

    expect(failed).toEqual([]);
  }, 60_000);

  it('draws the consumers’ throughput and lag charts with their data points', async () => {
    const page = await signedIn();
    const failed: string[] = [];
    page.on('pageerror', (error) => failed.push(error.message));
    await page.goto(`${console_.url}/consumers`);
    for (const id of ['throughput', 'lag']) {
      const chart = page.locator(`#chart-${id}`);
      await expect.poll(() => chart.getAttribute('data-drawn')).toBe('true');
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
      expect(await chart.locator('canvas').count()).toBe(1);
      expect(await chart.locator('.u-legend').textContent()).toContain('wallet-charger');
    }
    await page.locator('tr[data-consumer="wallet-charger"] details.partitions summary').click();
    expect(
      await page.locator('tr[data-consumer="wallet-charger"] tr[data-partition]').count(),
    ).toBeGreaterThan(1);
    await page.screenshot({ path: path.join(SHOTS, 'consumers.png'), fullPage: true });
    expect(failed).toEqual([]);
  }, 30_000);

  it('follows a poison message to its saga: a sequence diagram across services, with its redrive', async () => {
    const page = await signedIn();
    const failed: string[] = [];
    page.on('pageerror', (error) => failed.push(error.message));
    // The poison group was redriven above: its members are redriven now.
    const [poisoned] = (await console_.admin.deadLetters.list({ status: 'redriven', limit: 1000 })).filter(
      (d) => d.error.name === 'GatewayError',
    );
    await page.goto(`${console_.url}/failures/${poisoned!.id}`);
    await page.click('#trace-link');
    await page.waitForSelector('#sequence');
    const steps = page.locator('#sequence g.step');
    const kinds = await Promise.all((await steps.all()).map((step) => step.getAttribute('data-kind')));
    expect(kinds).toContain('published');
    expect(kinds).toContain('consumed');
    expect(kinds).toContain('failed');
    expect(kinds).toContain('redriven');
    const failedStep = page.locator('#sequence g.step[data-kind="failed"][data-to="wallet-charger"]');
    expect(await failedStep.count()).toBeGreaterThan(0);
    expect(await page.locator('#sequence g.lifeline').count()).toBeGreaterThan(3);
    expect(await page.locator(`#trace-messages tr[data-message="${poisoned!.message.id}"]`).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'trace.png'), fullPage: true });
    await failedStep.locator('a').first().click();
    await page.waitForURL(`${console_.url}/failures/${poisoned!.id}`);
    expect(failed).toEqual([]);
  }, 30_000);
});
