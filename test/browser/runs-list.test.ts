import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { triggerKinds } from '../../src/core/run/run-triggers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the runs list', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const rowNames = () => page.getByTestId('run-row-name').allInnerTexts();

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: runs_list\n',
      'pipelines/daily_sales.yaml': [
        'blocks:',
        '  - { name: raw_orders, file: blocks/raw_orders.sql }',
        '  - { name: clean_orders, file: blocks/clean_orders.sql, upstream: [raw_orders] }',
        '',
      ].join('\n'),
      'blocks/raw_orders.sql': 'SELECT i AS id FROM range(5) t(i)\n',
      'blocks/clean_orders.sql': 'SELECT id FROM raw_orders WHERE id > 1\n',
    });
    const client = apiClient(served);
    const whole = await client.json<{ run_id: string }>('/api/pipelines/daily_sales/runs', {});
    assert.equal(await client.waitForRun(whole.run_id), 'succeeded');
    const partial = await client.json<{ run_id: string }>('/api/pipelines/daily_sales/runs', { blocks: ['clean_orders'] });
    assert.equal(await client.waitForRun(partial.run_id), 'succeeded');
    // Without a scheduler the backfill's runs stay queued: three intervals waiting.
    await client.json('/api/pipelines/daily_sales/backfills', { start: '2025-01-01', end: '2025-01-03' });
    // A busy store: enough runs of another pipeline for several pages.
    const store = new SqliteRunStore(path.join(served.dir, '.sluice/sluice.db'));
    try {
      for (let i = 0; i < 120; i++) {
        const id = `seeded-${String(i).padStart(3, '0')}`;
        await store.createRun({ id, pipeline: 'volume', pipelineVersion: 'v', variables: {}, trigger: i % 2 ? 'schedule' : 'file', startedAt: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString() });
        await store.finishRun(id, i % 10 === 0 ? 'failed' : 'succeeded');
      }
    } finally {
      await store.close();
    }
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('names the block of a single-block run and shows a backfill as one row with its progress', async () => {
    await page.goto(`${served.base}/#/runs?pipeline=daily_sales`);
    await page.getByTestId('backfill-row').waitFor();
    assert.deepEqual(await rowNames(), ['daily_sales › clean_orders', 'daily_sales']);
    assert.equal(await page.getByTestId('backfill-row').count(), 1);
    assert.equal(await page.getByTestId('backfill-summary').innerText(), '3 queued of 3 intervals');
    await screenshot(page, 'runs-list');
  });

  it('opens a backfill to its runs, and shows its progress as they end', async () => {
    const client = apiClient(served);
    const { runs } = await client.json<{ runs: { id: string; logicalDate: string }[] }>('/api/run-list?pipeline=daily_sales&trigger=backfill&backfill=' + (await page.getByTestId('backfill-row').getAttribute('data-backfill')));
    assert.equal(runs.length, 3);
    await client.json(`/api/runs/${runs[0]!.id}/cancel`, {});
    await waitFor(async () => (await page.getByTestId('backfill-summary').innerText()) === '2 queued · 1 cancelled of 3 intervals', { what: 'the progress to count the cancelled run' });
    await page.getByTestId('backfill-row').click();
    await waitFor(async () => (await page.locator('tr.runs-nested').count()) === 3, { what: 'the backfill to open to its three runs' });
    const dates = await page.locator('tr.runs-nested td.mono').allInnerTexts();
    assert.deepEqual(dates, ['2025-01-03', '2025-01-02', '2025-01-01']);
  });

  it('filters by every trigger kind the server records, and keeps the filters in the address', async () => {
    await page.goto(`${served.base}/#/runs`);
    await page.getByTestId('run-row').first().waitFor();
    const options = await page.getByTestId('filter-trigger').locator('option').allInnerTexts();
    assert.deepEqual(options, ['all', ...triggerKinds]);
    await page.getByTestId('filter-trigger').selectOption('api');
    await waitFor(async () => JSON.stringify(await rowNames()) === JSON.stringify(['daily_sales › clean_orders', 'daily_sales']), { what: 'only the API runs' });
    assert.match(page.url(), /trigger=api/);
    await page.getByTestId('filter-trigger').selectOption('backfill');
    await waitFor(async () => (await page.getByTestId('run-row').count()) === 0 && (await page.getByTestId('backfill-row').count()) === 1, { what: 'only the backfill' });
    await page.getByTestId('filter-trigger').selectOption('file');
    await page.getByTestId('filter-status').selectOption('failed');
    await waitFor(async () => (await page.getByTestId('run-row').count()) === 12, { what: 'the failed file runs' });
    assert.match(page.url(), /trigger=file/);
    assert.match(page.url(), /status=failed/);
    await page.reload();
    await waitFor(async () => (await page.getByTestId('run-row').count()) === 12, { what: 'the same runs after a reload' });
    assert.equal(await page.getByTestId('filter-status').inputValue(), 'failed');
    assert.equal(await page.getByTestId('filter-trigger').inputValue(), 'file');
  });

  it('pages through a busy store from the server', async () => {
    await page.goto(`${served.base}/#/runs?pipeline=volume`);
    await page.getByTestId('runs-pager').waitFor();
    assert.equal(await page.getByTestId('run-row').count(), 50);
    assert.equal(await page.getByTestId('run-row').first().getAttribute('data-run-id'), 'seeded-119');
    await page.getByTestId('runs-older').click();
    await waitFor(async () => (await page.getByTestId('run-row').first().getAttribute('data-run-id')) === 'seeded-069', { what: 'the second page' });
    assert.match(page.url(), /offset=50/);
    await page.getByTestId('runs-older').click();
    await waitFor(async () => (await page.getByTestId('run-row').count()) === 20, { what: 'the last page' });
    assert.equal(await page.getByTestId('runs-older').isDisabled(), true);
    assert.deepEqual(problems, []);
  });
});
