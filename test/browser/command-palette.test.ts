import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, closeDialogs, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: the command palette (Ctrl+K) and the keyboard shortcuts overlay (?)', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let failedRun: string;
  let goodRun: string;

  const hits = () => page.getByTestId('palette-hit');
  const hitTexts = async () => (await hits().locator('.look-palette-label').allInnerTexts()).map((t) => t.trim());
  const search = async (text: string, first: string) => {
    await page.getByTestId('palette-input').fill(text);
    await waitFor(async () => (await hits().count()) > 0 && (await hits().first().locator('.look-palette-label').innerText()).trim() === first, { what: `'${first}' to come first for '${text}'` });
  };

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: palette_ui\n',
      'connections.yaml': 'connections:\n  warehouse_pg:\n    connector: postgres\n    host: 127.0.0.1\n    user: postgres\n    database: test\n',
      'pipelines/shop_orders.yaml': 'blocks:\n  - { name: raw_orders, role: loader, file: blocks/raw_orders.sql }\n  - { name: clean_orders, role: transformer, file: blocks/clean_orders.sql, upstream: [raw_orders] }\n',
      'pipelines/broken.yaml': 'blocks:\n  - { name: boom, role: loader, file: blocks/boom.sql }\n',
      'blocks/raw_orders.sql': 'SELECT 1 AS id\n',
      'blocks/clean_orders.sql': 'SELECT * FROM raw_orders\n',
      'blocks/boom.sql': 'SELECT * FROM no_such_table\n',
    });
    const api = apiClient(served);
    ({ run_id: goodRun } = await api.json<{ run_id: string }>('/api/pipelines/shop_orders/runs', {}));
    assert.equal(await api.waitForRun(goodRun), 'succeeded');
    ({ run_id: failedRun } = await api.json<{ run_id: string }>('/api/pipelines/broken/runs', {}));
    assert.equal(await api.waitForRun(failedRun), 'failed');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('opens with Ctrl+K on any page and finds a block by scattered letters, opening it with Enter', async () => {
    await page.goto(`${served.base}/#/runs`);
    await page.getByTestId('runs-page').waitFor();
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette').waitFor();
    assert.equal(await page.getByTestId('palette-input').evaluate((input) => input.ownerDocument.activeElement === input), true, 'typing goes to the search box at once');
    await search('shp cln', 'shop_orders › clean_orders');
    assert.equal(await hits().first().getAttribute('data-kind'), 'block');
    assert.ok((await hits().first().locator('mark').count()) > 0, 'the matched letters are marked');
    await screenshot(page, 'palette-block');
    await page.keyboard.press('Enter');
    await page.getByTestId('command-palette').waitFor({ state: 'detached' });
    await page.waitForURL(/#\/pipelines\/shop_orders\?block=clean_orders$/);
    await page.getByTestId('pipeline-editor').waitFor();
  });

  it('finds runs by status and pipeline, moves with the arrow keys and opens the chosen run', async () => {
    await page.keyboard.press('Control+k');
    await search('failed broken', failedRun);
    assert.equal(await hits().first().getAttribute('data-kind'), 'run');
    assert.match(await hits().first().innerText(), /broken · failed/);
    await page.getByTestId('palette-input').fill('shop_orders');
    await waitFor(async () => (await hits().count()) >= 3, { what: 'three hits for shop_orders' });
    const labels = await hitTexts();
    assert.equal(labels[0], 'shop_orders', 'the pipeline named exactly comes first');
    assert.ok(labels.includes(goodRun), `its run is found by pipeline: ${labels.join(', ')}`);
    assert.deepEqual(labels.slice(1, 3), ['shop_orders › raw_orders', 'shop_orders › clean_orders'], 'then its blocks, then its runs');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    assert.equal(await hits().nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await hits().nth(0).getAttribute('aria-selected'), 'false');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/pipelines\/shop_orders\?block=raw_orders$/);
    await page.keyboard.press('Control+k');
    await search(failedRun, failedRun);
    await hits().first().click();
    await page.waitForURL(new RegExp(`#/runs/${failedRun}$`));
  });

  it('finds connections and says when nothing matches; Escape closes it', async () => {
    await page.keyboard.press('Control+k');
    await search('whpg', 'warehouse_pg');
    assert.equal(await hits().first().getAttribute('data-kind'), 'connection');
    await page.getByTestId('palette-input').fill('zzqqxx');
    await page.getByTestId('command-palette').getByText('Nothing matches').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('command-palette').waitFor({ state: 'detached' });
  });

  it('answers the search API with at most the asked number of hits', async () => {
    const { results } = await apiClient(served).json<{ results: { kind: string }[] }>('/api/search?q=o&limit=2');
    assert.equal(results.length, 2);
    const response = await fetch(`${served.base}/api/search?limit=500`, { headers: { authorization: `Bearer ${served.token}` } });
    assert.equal(response.status, 400);
  });

  it('opens from the navigation button too', async () => {
    await page.getByTestId('open-palette').click();
    await page.getByTestId('command-palette').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('command-palette').waitFor({ state: 'detached' });
  });

  it('lists every shortcut on ?, but not while typing in a field or the code editor, where Ctrl+K still works', async () => {
    await page.goto(`${served.base}/#/pipelines/shop_orders?block=raw_orders`);
    await page.getByTestId('code-editor').locator('.cm-content').waitFor();
    await page.getByTestId('code-editor').locator('.cm-content').click();
    await page.keyboard.type('?');
    assert.equal(await page.getByTestId('shortcuts-overlay').count(), 0, 'a ? typed into code is code');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('command-palette').waitFor({ state: 'detached' });
    await page.locator('.editor-bar h1').click();
    await page.keyboard.press('?');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    const text = await overlay.innerText();
    for (const line of ['Open the command palette', 'Run the selected block', 'Run the selected block with its upstreams', 'Save the block file', 'Remove the selected edge', 'Go to the next matching line']) {
      assert.match(text, new RegExp(line), `the overlay lists '${line}'`);
    }
    assert.match(text, /Ctrl\s*\+\s*K/);
    assert.match(text, /Shift\s*\+\s*Ctrl\s*\+\s*Enter/);
    await screenshot(page, 'shortcuts-overlay');
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'detached' });
  });

  it('runs the block with the key the overlay lists, from outside the code editor', async () => {
    await page.locator('.editor-bar h1').click();
    const before = (await apiClient(served).json<{ runs: { id: string }[] }>('/api/runs?pipeline=shop_orders')).runs.length;
    await page.keyboard.press('Control+Enter');
    await waitFor(async () => (await apiClient(served).json<{ runs: unknown[] }>('/api/runs?pipeline=shop_orders')).runs.length > before, { what: 'Ctrl+Enter to start a run' });
  });

  it('ran without a CSP violation or an uncaught error', async () => {
    await closeDialogs(page);
    assert.deepEqual(problems, []);
  });
});
