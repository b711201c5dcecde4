import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the lineage page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: lineage\n',
      'data/orders.csv': 'id,amount\n1,10\n',
      'data/refunds.csv': 'id,amount\n1,2\n',
      'pipelines/orders.yaml': [
        'blocks:',
        '  - { name: raw, role: loader, connector: file, settings: { path: data/orders.csv } }',
        '  - { name: totals, file: blocks/totals.sql, upstream: [raw] }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [totals], settings: { table: revenue } }',
        '',
      ].join('\n'),
      'blocks/totals.sql': 'SELECT sum(amount) AS revenue FROM raw\n',
      'pipelines/refunds.yaml': [
        'blocks:',
        '  - { name: raw, role: loader, connector: file, settings: { path: data/refunds.csv } }',
        '  - { name: land, role: exporter, connection: warehouse, upstream: [raw], settings: { table: revenue, mode: append } }',
        '',
      ].join('\n'),
      'pipelines/report.yaml': [
        'blocks:',
        '  - { name: read, role: loader, connection: warehouse, settings: { table: revenue } }',
        '  - { name: keep, role: exporter, connector: file, upstream: [read], settings: { path: out/revenue.csv } }',
        '',
      ].join('\n'),
      'pipelines/other.yaml': 'blocks:\n  - { name: alone, role: loader, connector: file, settings: { path: data/other.csv } }\n',
    });
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws tables, files and blocks across pipelines and warns, naming both writers, about a table two pipelines write', async () => {
    await page.getByTestId('nav-lineage').click();
    await page.getByTestId('lineage-canvas').waitFor();
    const warning = page.getByTestId('lineage-warning');
    assert.equal(await warning.count(), 1);
    assert.match(await warning.innerText(), /warehouse\.revenue is written by 2 pipelines: orders\.land and refunds\.land/);
    for (const label of ['data/orders.csv', 'orders.totals', 'warehouse.revenue', 'report.read', 'out/revenue.csv', 'data/other.csv']) {
      await page.getByTestId(`lineage-node-${label}`).waitFor();
    }
    assert.match(await page.getByTestId('lineage-node-warehouse.revenue').innerText(), /two writers/);
    await screenshot(page, 'lineage');
  });

  it('narrows to one table: what feeds it and what it feeds, and says who writes and reads it', async () => {
    await page.getByTestId('lineage-warning-show').click();
    await page.getByTestId('lineage-details').waitFor();
    assert.match(page.url(), /#\/lineage\?table=table%3Awarehouse\.revenue/);
    await page.getByTestId('lineage-node-out/revenue.csv').waitFor();
    assert.equal(await page.getByTestId('lineage-node-data/other.csv').count(), 0, 'an unrelated file is left out');
    assert.deepEqual(await page.getByTestId('lineage-from').locator('li').allInnerTexts(), ['orders.land', 'refunds.land']);
    assert.deepEqual(await page.getByTestId('lineage-to').locator('li').allInnerTexts(), ['report.read']);
  });

  it("shows a SQL block's columns and where each comes from", async () => {
    await page.getByTestId('lineage-node-orders.totals').click();
    await page.getByTestId('lineage-columns').waitFor();
    assert.match(await page.getByTestId('lineage-columns').innerText(), /revenue\s*← orders\.raw\.amount/);
  });

  it('warns on the dashboard too, naming both writers, with a link to the table\'s lineage', async () => {
    await page.getByTestId('nav-dashboard').click();
    const banner = page.getByTestId('two-writers-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /warehouse\.revenue is written by 2 pipelines: orders\.land and refunds\.land/);
    await banner.getByRole('link', { name: 'See lineage' }).click();
    await page.getByTestId('lineage-details').waitFor();
    assert.match(page.url(), /#\/lineage\?table=table%3Awarehouse\.revenue/);
    assert.deepEqual(problems, []);
  });
});
