import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, signIn, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: the run page and output paging', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const api = async <T,>(route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${served.base}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(response.ok, `${route}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as T;
  };
  const finish = (runId: string): Promise<string> =>
    waitFor(
      async () => {
        const { run } = await api<{ run: { status: string } }>(`/api/runs/${runId}`);
        return !['queued', 'running'].includes(run.status) && run.status;
      },
      { what: `run ${runId} to finish` },
    );

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: runs_ui\n',
      'data/README': 'prices.csv arrives here\n',
      'pipelines/flaky.yaml': 'blocks:\n  - { name: source, file: blocks/source.sql }\n  - { name: prices, file: blocks/prices.sql, upstream: [source] }\n  - { name: report, file: blocks/report.sql, upstream: [prices] }\n',
      'blocks/source.sql': 'SELECT 1 AS id, 10 AS price\n',
      'blocks/prices.sql': "-- prices come from a file that arrives late\nSELECT * FROM read_csv('data/prices.csv')\n",
      'blocks/report.sql': 'SELECT count(*) AS n FROM prices\n',
      'pipelines/slow.yaml': 'blocks:\n  - { name: wait, role: loader, file: blocks/wait.ts }\n',
      'blocks/wait.ts': "import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n  for (let i = 1; i <= 600 && !ctx.signal.aborted; i++) {\n    ctx.log.info(`tick ${i}`);\n    await new Promise((resolve) => setTimeout(resolve, 100));\n  }\n  yield [{ done: true }];\n});\n",
      'pipelines/million.yaml': 'blocks:\n  - { name: rows, file: blocks/rows.sql }\n',
      'blocks/rows.sql': "SELECT i AS id, 'row ' || i AS label, i % 7 AS bucket FROM range(1000000) t(i)\n",
    });
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    page.setDefaultTimeout(8000);
    await signIn(page, served);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows a failed run on a timeline, with the failing block, its file and line, and retries it', async () => {
    const { run_id: runId } = await api<{ run_id: string }>('/api/pipelines/flaky/runs', {});
    assert.equal(await finish(runId), 'failed');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt').waitFor();
    await page.locator('[data-testid="run-page"] .page-header [data-status="failed"]').waitFor();
    await page.getByTestId('gantt-row-prices').click();
    const error = page.getByTestId('block-error');
    await error.waitFor();
    const where = await error.getByTestId('error-location').innerText();
    assert.match(where, /prices/);
    assert.match(where, /blocks\/prices\.sql/);
    await screenshot(page, '10-run-failed');

    writeFileSync(path.join(served.dir, 'data/prices.csv'), 'sku,price\na,1\nb,2\n');
    await page.getByTestId('retry-run').click();
    await page.waitForURL((url) => !url.hash.endsWith(runId));
    await page.locator('[data-testid="run-page"] .page-header [data-status="succeeded"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('gantt-row-report').waitFor();
    assert.equal(await page.getByTestId('gantt-row-source').count(), 0, 'the block that had succeeded is reused, not run again');
    await page.getByTestId('gantt-row-prices').click();
    await page.getByTestId('output-rows').getByText('b', { exact: true }).waitFor();

    await page.getByTestId('retry-from-block').click();
    await page.locator('[data-testid="run-page"] .page-header [data-status="succeeded"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('gantt-row-prices').waitFor();
  });

  it('streams a running block\'s log lines live and cancels the run', async () => {
    const { run_id: runId } = await api<{ run_id: string }>('/api/pipelines/slow/runs', {});
    const streams: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith(`/api/runs/${runId}/events`)) streams.push(request.url());
    });
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-logs').getByText('tick 3', { exact: true }).waitFor({ timeout: 15_000 });
    await page.getByTestId('run-logs').getByText('tick 6', { exact: true }).waitFor();
    await page.getByTestId('cancel-run').click();
    await page.locator('[data-testid="run-page"] .page-header [data-status="cancelled"]').waitFor();
    assert.equal(await finish(runId), 'cancelled');
    assert.equal(streams.length, 1, 'the log lines came over one event stream, not by polling');
  });

  it('pages through a million-row output on the server, a hundred rows at a time', async () => {
    const { run_id: runId } = await api<{ run_id: string }>('/api/pipelines/million/runs', {});
    assert.equal(await finish(runId), 'succeeded');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt-row-rows').click();
    const range = page.getByTestId('page-range');
    await range.getByText('1–100 of 1,000,000').waitFor();
    assert.equal(await page.locator('[data-testid="output-rows"] tbody tr').count(), 100);
    await page.getByTestId('page-next').click();
    await range.getByText('101–200 of 1,000,000').waitFor();
    await page.getByTestId('output-rows').getByText('row 150', { exact: true }).waitFor();
    await page.getByTestId('page-last').click();
    await range.getByText('999,901–1,000,000 of 1,000,000').waitFor();
    await page.getByTestId('output-rows').getByText('row 999999', { exact: true }).waitFor();
    await page.getByTestId('toggle-stats').click();
    await page.getByTestId('output-stats').getByText('bucket').waitFor();
    await screenshot(page, '11-output-paging');
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
