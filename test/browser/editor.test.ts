import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: signing in, editing the DAG, and triggers', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const pipelineFile = () => readFileSync(path.join(served.dir, 'pipelines/shop.yaml'), 'utf8');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: shop\n',
      'pipelines/shop.yaml': '# The shop pipeline\nblocks:\n  - { name: a, role: loader, file: blocks/a.sql }\n  - { name: b, role: transformer, file: blocks/b.sql, upstream: [a] }\n  - { name: c, role: transformer, file: blocks/c.sql }\n',
      'blocks/a.sql': 'SELECT 1 AS id\n',
      'blocks/b.sql': 'SELECT * FROM a\n',
      'blocks/c.sql': "SELECT '<img src=x onerror=alert(1)>' AS html\n",
    });
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    page.setDefaultTimeout(8000);
    page.on('dialog', (dialog) => void dialog.accept());
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('refuses a wrong token and signs in with the right one typed', async () => {
    await page.goto(served.base);
    await page.getByTestId('token-input').fill('not-the-token');
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('sign-in-error').waitFor();
    await screenshot(page, '00-sign-in');
    await page.getByTestId('token-input').fill(served.token);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('pipelines-page').waitFor();
    await page.getByTestId('pipeline-row-shop').waitFor();
  });

  it('connects two blocks by dragging from one handle to the other', async () => {
    await page.getByTestId('pipeline-row-shop').getByRole('link', { name: 'shop' }).click();
    await page.getByTestId('dag-node-c').waitFor();
    await page.waitForTimeout(200);
    const from = await page.locator('[data-id="a"] .react-flow__handle-right').boundingBox();
    const to = await page.locator('[data-id="c"] .react-flow__handle-left').boundingBox();
    assert.ok(from && to);
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.locator('.react-flow__edge[data-id="a->c"], [data-testid="rf__edge-a->c"]').first().waitFor();
    assert.match(pipelineFile(), /name: c[^\n]*upstream: \[\s*a\s*\]/);
    assert.match(pipelineFile(), /^# The shop pipeline/, 'comments are kept');
  });

  it('disconnects an edge, renames a block with its file, and deletes a block', async () => {
    await page.getByTestId('rf__edge-a->b').click({ force: true });
    await page.getByTestId('disconnect-edge').click();
    await page.getByTestId('rf__edge-a->b').waitFor({ state: 'detached' });
    assert.doesNotMatch(pipelineFile(), /name: b[^\n]*upstream: \[\s*a\s*\]/);

    await page.getByTestId('dag-node-c').click();
    await page.getByTestId('rename-block').click();
    await page.getByTestId('rename-input').fill('c_renamed');
    await page.getByTestId('rename-input').press('Enter');
    await page.getByTestId('dag-node-c_renamed').waitFor();
    assert.ok(existsSync(path.join(served.dir, 'blocks/c_renamed.sql')));

    await page.getByTestId('dag-node-b').click();
    await page.getByTestId('delete-block').click();
    await page.getByTestId('dag-node-b').waitFor({ state: 'detached' });
    assert.doesNotMatch(pipelineFile(), /name: b\b/);
  });

  it('renders data as text, never as markup', async () => {
    await page.getByTestId('dag-node-c_renamed').click();
    // The shortcut runs the block the panel shows: on a slow machine the click may not have opened it yet.
    await page.getByTestId('block-title').getByText('c_renamed', { exact: true }).waitFor();
    await page.keyboard.press('Control+Enter');
    await page.getByText("block 'c_renamed' reads 'a', which has no stored output").waitFor({ timeout: 20_000 });
    // With its upstream, the block runs on a fresh output of 'a'.
    await page.keyboard.press('Shift+Control+Enter');
    const cell = page.getByTestId('output-rows').getByText('<img src=x onerror=alert(1)>', { exact: true });
    await cell.waitFor({ timeout: 20_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await page.locator('main').innerText()}`);
    });
    assert.equal(await page.locator('[data-testid="output-rows"] img').count(), 0);
  });

  it('adds a TypeScript block from its template and shows its code', async () => {
    await page.getByTestId('add-block').click();
    await page.getByTestId('block-name').fill('enrich');
    await page.getByTestId('block-what-transformer').check();
    await page.getByTestId('block-how-ts').check();
    await page.getByTestId('add-block-submit').click();
    await page.getByTestId('dag-node-enrich').waitFor();
    await page.locator('.cm-content').getByText('defineTransformer').first().waitFor({ timeout: 15_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await page.locator('main').innerText()}`);
    });
    assert.ok(existsSync(path.join(served.dir, 'blocks/enrich.ts')));
  });

  it('sets a schedule, turns the API trigger off and on, and runs a pipeline now', async () => {
    await page.getByTestId('nav-triggers').click();
    await page.getByTestId('schedule-input-shop').fill('0 6 * * *');
    await page.getByTestId('schedule-save-shop').click();
    // Yesterday's interval has ended: saving asks whether to run it now.
    await page.getByTestId('catchup-skip-shop').click();
    await page.getByTestId('schedule-enabled-shop').waitFor({ state: 'attached' });
    await page.locator('[data-testid="schedule-enabled-shop"]:checked').waitFor({ state: 'attached' });
    assert.match(pipelineFile(), /cron: 0 6 \* \* \*/);
    await page.getByTestId('api-enabled-shop').click();
    await page.locator('[data-testid="api-enabled-shop"]:not(:checked)').waitFor({ state: 'attached' });
    assert.match(pipelineFile(), /enabled: false/);
    await page.getByTestId('api-enabled-shop').click();
    await page.locator('[data-testid="api-enabled-shop"]:checked').waitFor({ state: 'attached' });
    await screenshot(page, '12-triggers');
    await page.getByTestId('run-now-shop').click();
    await page.getByTestId('run-page').waitFor();
    await page.getByTestId('gantt-row-a').waitFor();
  });

  it('starts a backfill and shows it as one row that opens to its runs, one per day', async () => {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('start-backfill').click();
    await page.getByTestId('backfill-pipeline').selectOption('shop');
    await page.getByTestId('backfill-start').fill('2025-01-01');
    await page.getByTestId('backfill-end').fill('2025-01-03');
    await page.getByTestId('backfill-submit').click();
    await page.waitForURL(/trigger=backfill/);
    // One row for the whole backfill; opened, it lists its runs.
    await page.locator('[data-testid="backfill-row"][data-pipeline="shop"]').click();
    const rows = page.locator('[data-testid="run-row"][data-pipeline="shop"]');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.match(await page.getByTestId('runs-table').innerText(), /2025-01-02/);
    await screenshot(page, '13-backfill');
  });

  it('ran under the Content-Security-Policy without a violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
