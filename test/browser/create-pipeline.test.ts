import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, openPage, revealSetting, screenshot, serveProject, signIn, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium', 'postgres');

const pgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const table = `ui_totals_${Math.random().toString(36).slice(2, 10)}`;
const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

describe('the web UI: a pipeline built from scratch in the browser', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: ui_project\n',
      'data/orders.csv': 'order_id,customer,amount\n1,acme,10.50\n2,globex,4.25\n3,acme,2.00\n4,initech,7.75\n',
    });
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    page.setDefaultTimeout(8000);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP TABLE IF EXISTS public."${table}"`);
    await client.end();
  });

  it('signs in from the link and removes the token from the address', async () => {
    await signIn(page, served);
    assert.doesNotMatch(page.url(), /token=/);
    await screenshot(page, '01-pipelines-empty');
    await page.getByTestId('new-pipeline').waitFor();
  });

  it('adds a PostgreSQL connection whose URL is a write-only secret, and tests it', async () => {
    await page.getByTestId('nav-connections').click();
    await page.getByTestId('add-connection').click();
    await page.getByTestId('connection-name').fill('pg');
    await page.getByTestId('connection-connector').selectOption('postgres');
    await revealSetting(page, 'connection-field', 'url');
    await page.getByTestId('connection-field-url').fill(pgUrl);
    await page.getByTestId('connection-field-url-secret').check();
    await screenshot(page, '02-connection-form');
    await page.getByTestId('connection-save').click();
    const row = page.getByTestId('connection-row-pg');
    await row.waitFor();
    assert.doesNotMatch(await row.innerText(), /postgres@127/, 'the secret is not shown');
    assert.doesNotMatch(readFileSync(path.join(served.dir, 'connections.yaml'), 'utf8'), /postgres@127/, 'nor written to git');
    await page.getByTestId('test-connection-pg').click();
    await page.getByTestId('connection-test-result-pg').getByText('✓').waitFor();
    await screenshot(page, '03-connections');
  });

  it('creates a pipeline with a CSV loader configured through the connector form', async () => {
    await page.getByTestId('nav-pipelines').click();
    await page.getByTestId('new-pipeline').click();
    await page.getByTestId('new-pipeline-name').fill('orders_ui');
    await page.getByTestId('new-pipeline-submit').click();
    await page.getByTestId('pipeline-editor').waitFor();
    // A new, empty pipeline opens with the add-block dialog.
    await page.getByTestId('add-block-dialog').waitFor();
    await page.getByTestId('block-name').fill('orders');
    await page.getByTestId('block-what-loader').check();
    await page.getByTestId('block-how-connector').check();
    await page.getByTestId('block-source').selectOption('connector:file');
    await page.getByTestId('setting-path').fill('data/orders.csv');
    await revealSetting(page, 'setting', 'delimiter');
    await page.getByTestId('setting-delimiter').fill(',');
    await screenshot(page, '04-add-connector-block');
    await page.getByTestId('add-block-submit').click();
    await page.getByTestId('dag-node-orders').waitFor();
  });

  it('runs the loader alone and shows its rows', async () => {
    await page.getByTestId('dag-node-orders').click();
    await page.getByTestId('block-panel').waitFor();
    await page.keyboard.press(`${mod}+Enter`);
    const table = page.getByTestId('output-rows');
    await table.getByText('globex').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('output-total').innerText(), /^4 rows/);
  });

  it('adds a SQL transformer typed in the editor and runs it on the stored upstream output', async () => {
    await page.getByTestId('add-block').click();
    await page.getByTestId('block-name').fill('totals');
    await page.getByTestId('block-what-transformer').check();
    await page.getByTestId('block-how-sql').check();
    await page.getByTestId('upstream-orders').check();
    await page.getByTestId('add-block-submit').click();
    await page.getByTestId('dag-node-totals').waitFor();
    await page.getByTestId('dag-node-totals').click();
    const editor = page.locator('.cm-content');
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press(`${mod}+a`);
    await page.keyboard.press('Delete');
    await page.keyboard.type('SELECT customer, sum(amount) AS total, count(*) AS orders\nFROM orders\nGROUP BY customer\nORDER BY customer');
    await page.keyboard.press(`${mod}+s`);
    await page.getByTestId('save-block').getByText('Saved').waitFor();
    assert.match(readFileSync(path.join(served.dir, 'blocks/totals.sql'), 'utf8'), /sum\(amount\) AS total/);
    await page.keyboard.press(`${mod}+Enter`);
    await page.getByTestId('output-rows').getByText('initech').waitFor({ timeout: 20_000 });
    assert.match(await page.getByTestId('output-total').innerText(), /^3 rows/);
    await page.getByTestId('toggle-stats').click();
    await page.getByTestId('output-stats').getByText('customer').waitFor();
    await screenshot(page, '05-editor-sql-output');
  });

  it('adds an export to PostgreSQL and runs the whole pipeline to success', async () => {
    await page.getByTestId('add-block').click();
    await page.getByTestId('block-name').fill('export_totals');
    await page.getByTestId('block-what-exporter').check();
    await page.getByTestId('block-how-connector').check();
    await page.getByTestId('block-source').selectOption('connection:pg');
    await page.getByTestId('setting-table').fill(table);
    await revealSetting(page, 'setting', 'mode');
    await page.getByTestId('setting-mode').selectOption('replace');
    await page.getByTestId('add-block-submit').click();
    await page.getByTestId('dag-node-export_totals').waitFor().catch(async (error: unknown) => {
      await screenshot(page, 'failed-export');
      throw new Error(`${String(error)}\n${await page.locator('body').innerText()}`);
    });
    await screenshot(page, '06-editor-dag');
    await page.getByTestId('run-pipeline').click();
    await page.getByTestId('run-submit').click();
    await page.getByTestId('run-page').waitFor();
    await page.locator('[data-testid="run-page"] .page-header [data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('gantt-row-export_totals').waitFor();
    await screenshot(page, '07-run-page');
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    const { rows } = await client.query(`SELECT customer, total::text AS total FROM public."${table}" ORDER BY customer`);
    await client.end();
    assert.deepEqual(rows.map((r) => r.customer), ['acme', 'globex', 'initech']);
  });

  it('shows the run as succeeded in the run history', async () => {
    await page.getByTestId('nav-runs').click();
    const row = page.locator('[data-testid="run-row"][data-pipeline="orders_ui"][data-status="succeeded"]');
    await row.first().waitFor();
    await page.getByTestId('filter-status').selectOption('failed');
    await page.getByTestId('runs-table').getByText('No runs match').waitFor();
    await page.getByTestId('filter-status').selectOption('');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('filter-since').fill(tomorrow);
    await page.getByTestId('runs-table').getByText('No runs match').waitFor();
    await page.getByTestId('filter-since').fill('');
    await page.getByTestId('filter-pipeline').selectOption('orders_ui');
    await row.first().waitFor();
    await screenshot(page, '08-runs');
    await page.getByTestId('nav-pipelines').click();
    await page.locator('[data-testid="pipeline-row-orders_ui"] [data-status="succeeded"]').waitFor();
    await screenshot(page, '01-pipelines');
  });

  it('lists the new files in the git panel, commits them, and creates and switches branches', async () => {
    await page.getByTestId('nav-git').click();
    const changes = page.getByTestId('git-changes');
    await changes.getByText('pipelines/orders_ui.yaml').waitFor();
    await changes.getByText('blocks/totals.sql').waitFor();
    await changes.getByText('blocks/totals.sql').click();
    await page.getByTestId('diff-view').getByText('GROUP BY customer').waitFor();
    await screenshot(page, '09-git');
    await page.getByTestId('commit-message').fill('Orders pipeline, built in the UI');
    await page.getByTestId('commit').click();
    await page.getByTestId('git-notice').waitFor().catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await page.locator('main').innerText()}`);
    });
    const log = execFileSync('git', ['log', '--format=%s', '-1'], { cwd: served.dir, encoding: 'utf8' });
    assert.equal(log.trim(), 'Orders pipeline, built in the UI');
    const tracked = execFileSync('git', ['ls-files'], { cwd: served.dir, encoding: 'utf8' });
    assert.match(tracked, /blocks\/totals\.sql/);
    assert.doesNotMatch(tracked, /secrets/);

    await page.getByTestId('new-branch').fill('feature-orders');
    await page.getByTestId('create-branch').click();
    await page.getByTestId('git-branch').getByText('feature-orders').waitFor();
    assert.equal(execFileSync('git', ['branch', '--show-current'], { cwd: served.dir, encoding: 'utf8' }).trim(), 'feature-orders');
    await page.getByTestId('branch-select').selectOption('main');
    await page.getByTestId('git-branch').getByText('main').waitFor();
    assert.equal(execFileSync('git', ['branch', '--show-current'], { cwd: served.dir, encoding: 'utf8' }).trim(), 'main');
  });

  it('ran under the Content-Security-Policy without a violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
