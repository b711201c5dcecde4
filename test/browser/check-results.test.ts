import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, callApi, ensureWebBuilt, finishedRun, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

interface CheckRow {
  name: string;
  status: string;
  failingRows?: number;
  sample?: Record<string, unknown>[];
}

describe('the web UI: data checks and output profiles', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: checks_ui\n',
      'blocks/orders.sql': "SELECT * FROM (VALUES (1, 10.5, 'paid'), (2, NULL, 'paid'), (3, -4.0, 'refunded'), (4, 8.0, 'paid')) t(id, amount, status)\n",
      'pipelines/shop.yaml': [
        'blocks:',
        '  - name: orders',
        '    file: blocks/orders.sql',
        '    checks:',
        '      - unique: id',
        '      - not_null: amount',
        '        severity: warn',
        '      - name: no_refunds',
        '        accepted_values: { column: status, values: [paid] }',
        '        severity: quarantine',
        '',
      ].join('\n'),
    });
    ({ browser, page } = await browseSignedIn(served, { width: 1440, height: 900 }));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('lists each check of a run with its verdict, failing rows and a sample, and opens a check\'s history', async () => {
    const runIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { run_id } = await callApi<{ run_id: string }>(served, '/api/pipelines/shop/runs', {});
      assert.equal((await finishedRun(served, run_id)).status, 'succeeded');
      runIds.push(run_id);
    }
    const runId = runIds[1]!;
    const { checks } = await callApi<{ checks: CheckRow[] }>(served, `/api/runs/${runId}/checks`);
    assert.deepEqual(checks.map((c) => [c.name, c.status, c.failingRows]), [['unique_id', 'passed', 0], ['not_null_amount', 'failed', 1], ['no_refunds', 'failed', 1]]);
    const { history } = await callApi<{ history: { runId: string }[] }>(served, '/api/pipelines/shop/blocks/orders/checks/no_refunds/history');
    assert.deepEqual(history.map((h) => h.runId), [runIds[1], runIds[0]]);

    await page.goto(`${served.base}/#/runs/${runId}`);
    const list = page.getByTestId('check-results');
    await list.waitFor();
    assert.equal(await page.getByTestId('check-orders-unique_id').getAttribute('data-status'), 'passed');
    assert.equal(await page.getByTestId('check-orders-not_null_amount').getAttribute('data-status'), 'warned');
    const quarantine = page.getByTestId('check-orders-no_refunds');
    assert.equal(await quarantine.getAttribute('data-status'), 'quarantined');
    assert.match(await quarantine.innerText(), /quarantine[\s\S]*1[\s\S]*"status":"refunded"/);

    await quarantine.getByRole('button', { name: 'no_refunds' }).click();
    const strip = page.getByTestId('check-history-orders-no_refunds');
    await strip.waitFor();
    await strip.locator('.check-cell').nth(1).waitFor();
    assert.equal(await strip.locator('.check-cell[data-status="failed"]').count(), 2);
    await screenshot(page, '60-run-checks');
  });

  it('shows the profile of an output beside its rows, with an approximate distinct count and a histogram', async () => {
    const { runs } = await callApi<{ runs: { id: string }[] }>(served, '/api/runs?pipeline=shop');
    // The older run: a new page, opened on its block.
    await page.goto(`${served.base}/#/runs/${runs[1]!.id}?block=orders`);
    await page.getByTestId('output-rows').waitFor();
    assert.equal(await page.getByTestId('output-total').innerText(), '3 rows', 'the quarantined row no longer flows on');
    await page.getByTestId('toggle-profile').click();
    const profile = page.getByTestId('output-profile');
    await profile.getByTestId('profile-amount').waitFor();
    assert.match(await profile.innerText(), /Distinct \(approx\.\)/);
    assert.match(await profile.getByTestId('profile-amount').innerText(), /^amount\s+DECIMAL\(\d+,\d\)\s+1 \(33\.3%\)\s+≈2\s+-?\d/);
    assert.equal(await profile.getByTestId('histogram-id').locator('.histogram-bar').count(), 10);
    assert.match(await profile.getByTestId('top-values-status').innerText(), /paid \(3\)/);
    await screenshot(page, '61-output-profile');
  });
});
