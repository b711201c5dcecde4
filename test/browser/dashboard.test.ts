import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the dashboard', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let failedRun: string;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: dashboard\n',
      'pipelines/orders.yaml': [
        'schedule: { cron: "0 6 * * *", timezone: Europe/Berlin }',
        'blocks:',
        '  - { name: raw, file: blocks/raw.sql }',
        '  - { name: totals, file: blocks/totals.sql, upstream: [raw] }',
        '',
      ].join('\n'),
      'blocks/raw.sql': 'SELECT i AS id FROM range(3) t(i)\n',
      'blocks/totals.sql': '-- sums the orders\nSELECT sum(amount) AS total\nFROM raw\n',
      'pipelines/inbox.yaml': 'on_file: { path: incoming/*.csv }\nblocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS one\n',
    });
    const client = apiClient(served);
    ({ run_id: failedRun } = await client.json<{ run_id: string }>('/api/pipelines/orders/runs', {}));
    assert.equal(await client.waitForRun(failedRun), 'failed');
    const ok = await client.json<{ run_id: string }>('/api/pipelines/inbox/runs', {});
    assert.equal(await client.waitForRun(ok.run_id), 'succeeded');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it("shows what failed in the last 24 hours with the failing block's error, and links to the run", async () => {
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-failure').waitFor();
    assert.equal(await page.getByTestId('dash-count-failed').locator('.dash-tile-number').innerText(), '1');
    assert.equal(await page.getByTestId('dash-count-succeeded').locator('.dash-tile-number').innerText(), '1');
    assert.equal(await page.getByTestId('dash-failure').getAttribute('data-run-id'), failedRun);
    assert.equal(await page.getByTestId('dash-failure-block').innerText(), 'totals');
    const error = await page.getByTestId('dash-block-error').innerText();
    assert.match(error, /amount/);
    assert.match(error, /blocks\/totals\.sql/);
    await screenshot(page, 'dashboard');
    await page.getByTestId('dash-failure-block').click();
    await page.getByTestId('block-error').waitFor();
    assert.match(page.url(), new RegExp(`#/runs/${failedRun}\\?block=totals`));
    assert.match(await page.getByTestId('block-error').innerText(), /amount/);
  });

  it('shows what runs next: the next times of each schedule, and the files a trigger waits for', async () => {
    await page.goto(`${served.base}/#/dashboard`);
    await page.getByTestId('dash-next').waitFor();
    const schedule = page.locator('[data-testid="dash-next-row"][data-pipeline="orders"]');
    assert.match(await schedule.innerText(), /0 6 \* \* \*.*Europe\/Berlin/);
    const next = Date.parse((await schedule.getByTestId('dash-next-time').getAttribute('title'))!);
    assert.ok(next > Date.now() && next <= Date.now() + 24 * 3_600_000, 'the next run is within a day');
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next);
    assert.equal(berlin, '06:00');
    assert.match(await page.locator('[data-testid="dash-next-row"][data-pipeline="inbox"]').innerText(), /incoming\/\*\.csv/);
    assert.deepEqual(problems, []);
  });
});
