import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the add-block dialog: what, then how; tests that show their failing rows', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const dialog = () => page.getByTestId('add-block-dialog');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: add_block\n',
      'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n    user: postgres\n    database: test\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: orders, role: loader, file: blocks/orders.sql }\n',
      'blocks/orders.sql': 'SELECT i AS id FROM range(5) t(i)\n',
    });
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/shop/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    ({ browser, page, problems } = await browseSignedIn(served));
    await page.goto(`${served.base}/#/pipelines/shop`);
    // The first page of a fresh browser: the graph lays out once its nodes are measured, which a busy machine can delay.
    await page.getByTestId('dag-node-orders').waitFor({ timeout: 20_000 });
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('asks what the block does, then how, in plain words, and picks connection and connector in one step', async () => {
    await page.getByTestId('add-block').click();
    const whats = await dialog().locator('fieldset').first().locator('label').allInnerTexts();
    assert.deepEqual(whats.map((w) => w.split('\n')[0]), ['Load', 'Transform', 'Export', 'Test']);
    assert.match(whats[0]!, /Bring data in/);
    await page.getByTestId('block-what-exporter').check();
    assert.equal(await page.getByTestId('block-how-sql').count(), 0, 'an export is a connector or code');
    await page.getByTestId('block-how-connector').check();
    const source = page.getByTestId('block-source');
    assert.deepEqual(await source.locator('optgroup').evaluateAll((groups) => groups.map((g) => (g as unknown as { label: string }).label)), ['Your connections', 'No connection needed']);
    await source.selectOption('connection:pg');
    await page.getByTestId('setting-table').waitFor();
    assert.equal(await page.getByTestId('block-connector').count(), 0, 'no second picker to undo the first');
    await screenshot(page, 'add-block-dialog');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('adds a SQL test that passes as written, says when a test fails, and shows the rows a failed test returned', async () => {
    await page.getByTestId('add-block').click();
    await page.getByTestId('block-what-test').check();
    assert.deepEqual(await dialog().locator('[data-testid^=block-how-]').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { dataset: { testid: string } }).dataset.testid)), ['block-how-sql', 'block-how-ts']);
    assert.match(await page.getByTestId('test-explained').innerText(), /fails the run when its query returns rows/);
    await page.getByTestId('block-how-sql').check();
    await page.getByTestId('block-name').fill('ids_small');
    await page.getByTestId('upstream-orders').check();
    await page.getByTestId('add-block-submit').click();
    await page.getByTestId('dag-node-ids_small').waitFor();
    const file = path.join(served.dir, 'blocks/ids_small.sql');
    assert.match(readFileSync(file, 'utf8'), /FROM orders\nWHERE false/);

    // As written, it passes.
    await page.getByTestId('dag-node-ids_small').click();
    await page.locator('.cm-content').waitFor();
    await page.getByTestId('run-block').click();
    await page.locator('.tab-meta').getByText('succeeded').waitFor({ timeout: 20_000 });

    // The real check fails on two rows, and both are shown with the error.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.type('SELECT id FROM orders WHERE id >= 3');
    await page.getByTestId('run-block').click();
    await page.getByTestId('block-error').getByText(/test found 2 failing row/).waitFor({ timeout: 20_000 });
    const rows = page.getByTestId('output-rows');
    await rows.waitFor();
    assert.deepEqual(await rows.locator('tbody tr td:last-child').allInnerTexts(), ['3', '4']);
    await screenshot(page, 'failed-test-rows');

    // The run page shows them too.
    await page.getByTestId('editor-run-status').click();
    await page.getByTestId('run-page').waitFor();
    await page.getByTestId('gantt-row-ids_small').click();
    await page.getByTestId('output-rows').locator('tbody tr td:last-child').getByText('4', { exact: true }).waitFor();
    assert.deepEqual(problems, []);
  });
});
