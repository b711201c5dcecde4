import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, callApi, ensureWebBuilt, finishedRun, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

const orders = (dates: readonly string[]): string => `SELECT * FROM (VALUES ${dates.map((d, i) => `(${i + 1}, '${d}')`).join(', ')}) t(id, order_date)\n`;

describe('the web UI: drift in a block output', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: drift_ui\n',
      'blocks/orders.sql': orders(['2024-03-07', '2024-03-08']),
      'pipelines/shop.yaml': ['blocks:', '  - name: orders', '    file: blocks/orders.sql', ''].join('\n'),
    });
    ({ browser, page } = await browseSignedIn(served, { width: 1440, height: 900 }));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows on the run page and the pipeline page that the format of order_date changed, and in which run', async () => {
    const run = async (): Promise<string> => {
      const { run_id } = await callApi<{ run_id: string }>(served, '/api/pipelines/shop/runs', {});
      assert.equal((await finishedRun(served, run_id)).status, 'succeeded');
      return run_id;
    };
    await run();
    writeFileSync(path.join(served.dir, 'blocks/orders.sql'), orders(['03/09/2024', '03/10/2024']));
    const runId = await run();
    const { drift } = await callApi<{ drift: { column: string; kind: string; action: string }[] }>(served, `/api/runs/${runId}/drift`);
    assert.deepEqual(drift.map((e) => [e.column, e.kind, e.action]), [['order_date', 'format_changed', 'warned']]);

    await page.goto(`${served.base}/#/runs/${runId}`);
    const event = page.getByTestId('drift-events').getByTestId('drift-event');
    await event.waitFor();
    assert.match(await event.innerText(), /warned\s+orders: format of order_date changed 9999-99-99 → 99\/99\/9999 \(2 rows\)/i);
    assert.match(await event.innerText(), /"order_date":"03\/09\/2024"/);
    await screenshot(page, '62-run-drift');

    await page.goto(`${served.base}/#/pipelines/shop`);
    const listed = page.getByTestId('pipeline-charts').getByTestId('drift-event');
    await listed.waitFor();
    assert.match(await listed.innerText(), new RegExp(`format of order_date changed .* in run ${runId}`));
    assert.equal(await listed.getByRole('link', { name: runId }).getAttribute('href'), `#/runs/${runId}`);
  });
});
