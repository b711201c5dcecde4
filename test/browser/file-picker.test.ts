import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, callApi, closeDialogs, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: a file picker for settings that are project paths', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const entries = (picker: string) => page.getByTestId(`${picker}-entries`).locator('[data-testid$=-entry]').allInnerTexts();
  const entry = (picker: string, name: string) => page.getByTestId(`${picker}-entries`).locator(`[data-name="${name}"]`);

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: picker_ui\n',
      'data/orders.csv': 'id\n1\n',
      'data/archive/old_orders.csv': 'id\n0\n',
      'exports/.keep': '',
      'pipelines/shop.yaml': 'blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/orders.csv }\n',
    });
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('browses from the folder of the current path and fills a loader\'s path with the file picked', async () => {
    await page.goto(`${served.base}/#/pipelines/shop?block=raw`);
    await page.getByTestId('block-setting-path').waitFor();
    await page.getByTestId('block-setting-path-browse').click();
    const picker = 'block-setting-path-browse-picker';
    await page.getByTestId(picker).waitFor();
    await waitFor(async () => (await entries(picker)).length > 0, { what: 'the folder listing' });
    assert.deepEqual((await entries(picker)).map((e) => e.replace(/\s+/g, ' ').trim()), ['▸ archive/', '◦ orders.csv 5 B'], 'it opens in data/, folders first');
    assert.equal(await page.getByTestId(`${picker}-up`).isVisible(), true, 'with a way up');
    assert.equal(await entry(picker, 'orders.csv').getAttribute('class'), 'look-picker-entry selected', 'the current file is marked');
    await entry(picker, 'archive').click();
    await waitFor(async () => (await entries(picker)).some((e) => e.includes('old_orders.csv')), { what: 'the archive folder' });
    assert.equal(await page.getByTestId(`${picker}-path`).inputValue(), 'data/archive/orders.csv', 'opening a folder keeps the file name');
    await entry(picker, 'old_orders.csv').click();
    assert.equal(await page.getByTestId(`${picker}-path`).inputValue(), 'data/archive/old_orders.csv');
    await screenshot(page, 'file-picker');
    await page.getByTestId(`${picker}-choose`).click();
    await page.getByTestId(picker).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('block-setting-path').inputValue(), 'data/archive/old_orders.csv');
    await page.getByTestId('save-settings').click();
    await waitFor(() => readFileSync(path.join(served.dir, 'pipelines/shop.yaml'), 'utf8').includes('data/archive/old_orders.csv'), { what: 'the pipeline file to take the picked path' });
  });

  it('picks an exporter\'s new output path: a folder and a typed name; Escape closes only the picker', async () => {
    await closeDialogs(page);
    await page.getByTestId('add-block').click();
    await page.getByTestId('block-what-exporter').check();
    await page.getByTestId('block-how-connector').check();
    await page.getByTestId('block-source').selectOption('connector:file');
    await page.getByTestId('setting-path-browse').click();
    const picker = 'setting-path-browse-picker';
    await waitFor(async () => (await entries(picker)).length > 0, { what: 'the project root listing' });
    const atRoot = (await entries(picker)).map((e) => e.replace(/^\S+\s/, '').trim());
    assert.ok(atRoot.includes('data/') && atRoot.includes('exports/') && atRoot.includes('pipelines/'), atRoot.join(', '));
    assert.ok(!atRoot.includes('.git/') && !atRoot.includes('.sluice/'), `git's and Sluice's private folders are not listed: ${atRoot.join(', ')}`);
    await page.keyboard.press('Escape');
    await page.getByTestId(picker).waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('add-block-dialog').isVisible(), true, 'the add-block dialog stays open');
    await page.getByTestId('setting-path-browse').click();
    await entry(picker, 'exports').click();
    await waitFor(async () => (await entries(picker)).some((e) => e.includes('.keep')), { what: 'the exports folder' });
    assert.equal(await page.getByTestId(`${picker}-choose`).isDisabled(), true, 'a folder alone is no output file');
    await page.getByTestId(`${picker}-path`).fill('exports/daily_sales.parquet');
    await page.getByTestId(`${picker}-choose`).click();
    assert.equal(await page.getByTestId('setting-path').inputValue(), 'exports/daily_sales.parquet');
    await closeDialogs(page);
  });

  it('lists only inside the project', async () => {
    const root = await callApi<{ path: string; entries: { path: string }[] }>(served, '/api/files/list');
    assert.equal(root.path, '');
    assert.deepEqual(root.entries.map((e) => e.path).filter((p) => p.startsWith('.')), ['.gitignore']);
    for (const [outside, status] of [['..', 403], ['.git', 403], ['.sluice', 403], ['data/../..', 403], ['no_such_folder', 404], ['data/orders.csv', 400]] as const) {
      const response = await fetch(`${served.base}/api/files/list?path=${encodeURIComponent(outside)}`, { headers: { authorization: `Bearer ${served.token}` } });
      assert.equal(response.status, status, `${outside} answers ${status}`);
    }
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
