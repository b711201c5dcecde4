import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('chromium');

/** Rows in a Parquet file, read by DuckDB itself. */
async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

describe('the web UI: output tables sort, filter, resize, page and download on the server', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let runId: string;
  const rows = (p: Page) => p.locator('[data-testid="output-rows"] tbody tr');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: output_ui\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: orders, file: blocks/orders.sql }\n',
      // 300,000 rows: a whole download far bigger than any page.
      'blocks/orders.sql': "SELECT i AS id, 'order ' || i AS label, CASE WHEN i % 3 = 0 THEN 'paris' ELSE 'lyon' END AS city, (i * 7919) % 1000 AS amount FROM range(300000) t(i)\n",
    });
    ({ browser, page, problems } = await browseSignedIn(served));
    const api = apiClient(served);
    ({ run_id: runId } = await api.json<{ run_id: string }>('/api/pipelines/shop/runs', {}));
    assert.equal(await api.waitForRun(runId), 'succeeded');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt-row-orders').click();
    await page.getByTestId('page-range').getByText('1–100 of 300,000').waitFor();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  const firstCell = (column: number) => rows(page).first().locator('td').nth(column).innerText();
  /** The table shows what the server sent last: poll the first row until the new page is in. */
  const firstCellBecomes = (column: number, text: string) =>
    waitFor(async () => (await firstCell(column)) === text, { what: `the first row's cell ${column} to read ${text}`, timeout: 15_000 });

  it('sorts by a clicked column on the server: ascending, descending, then the stored order', async () => {
    await page.getByTestId('output-column-amount').click();
    await page.getByTestId('output-column-amount').locator('.sort-mark').getByText('▲').waitFor();
    await firstCellBecomes(4, '0');
    await page.getByTestId('output-column-amount').click();
    await page.getByTestId('output-column-amount').locator('.sort-mark').getByText('▼').waitFor();
    // 999 is on no first page of the stored order: the largest amount of all 300,000 rows.
    await firstCellBecomes(4, '999');
    await page.getByTestId('output-column-amount').click();
    await page.getByTestId('output-column-amount').locator('.sort-mark').waitFor({ state: 'detached' });
    await firstCellBecomes(2, 'order 0');
    assert.equal(await firstCell(4), '0');
  });

  it('filters a column by contains or equals, the value bound as a parameter', async () => {
    await page.getByTestId('filter-label').fill('order 12345');
    await page.getByTestId('page-range').getByText('1–11 of 11').waitFor();
    await page.getByTestId('filter-op-label').selectOption('equals');
    await page.getByTestId('page-range').getByText('1–1 of 1').waitFor();
    await page.getByTestId('filter-label').fill("x' OR 1=1 --");
    await page.getByTestId('page-range').getByText('0 of 0').waitFor();
    await page.getByTestId('filter-label').fill('');
    await page.getByTestId('filter-city').fill('PAR');
    await page.getByTestId('page-range').getByText('1–100 of 100,000').waitFor();
    await firstCellBecomes(3, 'paris');
  });

  it('chooses the page size', async () => {
    await page.getByTestId('page-size').selectOption('500');
    await page.getByTestId('page-range').getByText('1–500 of 100,000').waitFor();
    assert.equal(await rows(page).count(), 500);
    await page.getByTestId('page-size').selectOption('50');
    await page.getByTestId('page-range').getByText('1–50 of 100,000').waitFor();
    assert.equal(await rows(page).count(), 50);
  });

  it('resizes a column by dragging its header edge', async () => {
    const header = page.getByTestId('output-column-label');
    const before = (await header.boundingBox())!;
    const handle = (await page.getByTestId('resize-label').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + 150, handle.y + handle.height / 2, { steps: 5 });
    await page.mouse.up();
    const after = (await header.boundingBox())!;
    assert.ok(after.width > before.width + 100, `the column grew from ${before.width} px to ${after.width} px`);
    const cell = (await rows(page).first().locator('td').nth(2).boundingBox())!;
    assert.ok(Math.abs(cell.width - after.width) < 2, 'its cells follow the header');
    assert.equal(await header.getAttribute('aria-sort'), 'none', 'dragging the edge does not sort');
    const filterRow = (await page.locator('[data-testid="output-rows"] tr.column-filters').boundingBox())!;
    assert.ok(filterRow.height < 40, `the filters sit in one row under the headers (${filterRow.height} px high)`);
    await screenshot(page, '30-output-sort-filter-resize');
  });

  it('downloads the filtered page as CSV and the whole filtered, sorted output as Parquet', async () => {
    await page.getByTestId('output-download').locator('summary').click();
    const [pageCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-page-csv').click()]);
    assert.match(pageCsv.suggestedFilename(), /^orders-.*-rows-1-50\.csv$/);
    const lines = readFileSync((await pageCsv.path())!, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'id,label,city,amount');
    assert.equal(lines.length, 51);
    assert.ok(lines.slice(1).every((l) => l.includes(',paris,')), 'the page keeps the filter');

    await page.getByTestId('output-column-amount').click();
    await page.getByTestId('output-column-amount').click();
    await page.getByTestId('output-column-amount').locator('.sort-mark').getByText('▼').waitFor();
    await page.getByTestId('output-download').locator('summary').click();
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-all-parquet').click()]);
    const written = await parquetRows((await all.path())!);
    assert.equal(written.length, 100_000);
    assert.ok(written.every((r) => r.city === 'paris'));
    assert.equal(Number(written[0]!.amount), 999);
    assert.equal(Number(written.at(-1)!.amount), 0);
  });

  it('streams the whole output as CSV, every row once', async () => {
    const response = await fetch(`${served.base}/api/runs/${runId}/blocks/orders/download?format=csv`, { headers: { authorization: `Bearer ${served.token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="orders-.*\.csv"/);
    let count = 0;
    let last = '';
    for await (const line of createInterface({ input: Readable.fromWeb(response.body! as never) })) {
      count++;
      last = line;
    }
    assert.equal(count, 300_001);
    assert.equal(last, `299999,order 299999,lyon,${(299999 * 7919) % 1000}`);
  });

  it('refuses a column the output does not have and a format it does not write', async () => {
    const ask = (q: string) => fetch(`${served.base}/api/runs/${runId}/blocks/orders/${q}`, { headers: { authorization: `Bearer ${served.token}` } });
    const sort = await ask('output?sort=' + encodeURIComponent('id"; DROP TABLE x; --'));
    assert.equal(sort.status, 400);
    assert.equal(((await sort.json()) as { error: { code: string } }).error.code, 'output.unknown_column');
    const filter = await ask('output?filters=' + encodeURIComponent(JSON.stringify([{ column: 'nope', op: 'contains', value: 'a' }])));
    assert.equal(((await filter.json()) as { error: { code: string } }).error.code, 'output.unknown_column');
    const format = await ask('download?format=xlsx');
    assert.equal(format.status, 400);
    assert.equal(((await format.json()) as { error: { code: string } }).error.code, 'api.bad_format');
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
