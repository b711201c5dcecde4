import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { repoRoot, sluice } from '../e2e/cli-helpers.ts';
import { exampleFiles } from './app-pages.ts';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe("the sales example's 60-day backfill on the pipeline page's metric chart", { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(exampleFiles(path.join(repoRoot, 'examples/sales')));
    // The documented steps, against the running server's project: generate the files, then one run a day.
    execFileSync(process.execPath, ['scripts/generate-sales-by-day.mjs'], { cwd: served.dir });
    const backfill = await sluice(served.dir, ['run', 'sales_by_day', '--backfill', '2025-01-01..2025-03-01']);
    assert.equal(backfill.code, 0, backfill.stderr + backfill.stdout);
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws 60 days of revenue with the 15% jump flagged in red on its first day, 2025-02-22', async () => {
    await page.goto(`${served.base}/#/pipelines/sales_by_day`);
    const chart = page.locator('[data-testid="chart-metric"][data-metric="sum:amount"]');
    await chart.waitFor();
    assert.equal(await chart.locator('circle').count(), 60);
    const flagged = chart.locator('circle[data-anomaly="flagged"]');
    assert.ok((await flagged.count()) >= 1);
    assert.match((await flagged.first().locator('title').textContent())!, /^2025-02-22: 23\.7k \(/);
    assert.match(await page.getByTestId('metric-anomalies').innerText(), /sum:amount: 2\d,\d{3} is [\d.]+ deviations above the expected/);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'example-metric-chart');
    assert.deepEqual(problems, []);
  });
});
