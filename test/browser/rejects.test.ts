import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { callApi, ensureWebBuilt, finishedRun, launchBrowser, openPage, screenshot, serveProject, signIn, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: a run with rejected rows', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: rejects_ui\n',
      'data/in.csv': 'id,amount\n1,10.50\n2,oops\n3,7.25\n',
      'pipelines/load.yaml': "blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/in.csv, on_error: reject, columns: { amount: 'DECIMAL(12,2)' } }\n",
    });
    browser = await launchBrowser();
    ({ page } = await openPage(browser));
    page.setDefaultTimeout(8000);
    await signIn(page, served);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('says "succeeded with 1 rejected row" on the run page, the block timeline, the runs list and in the API', async () => {
    const { run_id: runId } = await callApi<{ run_id: string }>(served, '/api/pipelines/load/runs', {});
    const run = await finishedRun<{ status: string; rowsRejected?: number }>(served, runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.rowsRejected, 1);

    await page.goto(`${served.base}/#/runs/${runId}`);
    const badge = page.locator('[data-testid="run-page"] .page-header [data-status="succeeded"]');
    await badge.waitFor();
    assert.equal(await badge.innerText(), 'succeeded with 1 rejected row');
    assert.equal(await page.getByTestId('rejected-raw').innerText(), ', 1 rejected');
    await screenshot(page, '30-run-with-rejects');

    await page.goto(`${served.base}/#/runs`);
    const listed = page.locator(`[data-testid="run-row"] [data-status="succeeded"][data-rejected="1"]`);
    await listed.first().waitFor();
    assert.equal(await listed.first().innerText(), 'succeeded with 1 rejected row');
  });
});
