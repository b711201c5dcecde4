import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: search in logs, with the level filter, a count and next/previous', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let runId: string;

  const count = (testId: string) => page.getByTestId(`${testId}-count`).innerText();
  const current = (testId: string) => page.getByTestId(testId).locator('.look-log-current .log-message').innerText();
  const shownMessages = (testId: string) => page.getByTestId(testId).locator('.log-message').allInnerTexts();

  before(async () => {
    ensureWebBuilt();
    const lines = [
      "ctx.log.info('fetching page 1 of orders');",
      "ctx.log.debug('page 1 had 40 rows');",
      "ctx.log.warn('page 2 was slow: retrying ORDERS');",
      "ctx.log.info('fetching page 3 of customers');",
      "ctx.log.error('page 3 of orders gave a bad row');",
      "ctx.log.info('done with orders');",
    ];
    served = await serveProject({
      'sluice.yaml': 'name: log_search_ui\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: fetch, role: loader, file: blocks/fetch.ts }\n',
      'blocks/fetch.ts': `import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n  ${lines.join('\n  ')}\n  yield [{ id: 1 }];\n});\n`,
    });
    ({ browser, page, problems } = await browseSignedIn(served));
    const api = apiClient(served);
    ({ run_id: runId } = await api.json<{ run_id: string }>('/api/pipelines/shop/runs', {}));
    assert.equal(await api.waitForRun(runId), 'succeeded');
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('highlights the matching lines of a run, counts them and steps between them', async () => {
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-logs').getByText('done with orders').waitFor();
    await page.getByTestId('run-logs-search').fill('orders');
    await page.getByTestId('run-logs-count').getByText('1 of 4').waitFor();
    assert.deepEqual(await page.getByTestId('run-logs').locator('mark.look-log-hit').allInnerTexts(), ['orders', 'ORDERS', 'orders', 'orders'], 'every occurrence is marked, in its own case');
    assert.equal((await shownMessages('run-logs')).length, 6, 'the other lines stay, unmarked');
    assert.equal(await current('run-logs'), 'fetching page 1 of orders');
    await page.getByTestId('run-logs-next').click();
    assert.equal(await count('run-logs'), '2 of 4');
    assert.equal(await current('run-logs'), 'page 2 was slow: retrying ORDERS');
    await page.getByTestId('run-logs-search').press('Enter');
    await page.getByTestId('run-logs-search').press('Enter');
    assert.equal(await count('run-logs'), '4 of 4');
    await page.getByTestId('run-logs-search').press('Enter');
    assert.equal(await count('run-logs'), '1 of 4', 'next wraps around to the first');
    await page.getByTestId('run-logs-search').press('Shift+Enter');
    assert.equal(await count('run-logs'), '4 of 4', 'previous wraps around to the last');
    await page.getByTestId('run-logs-previous').click();
    assert.equal(await current('run-logs'), 'page 3 of orders gave a bad row');
    await screenshot(page, 'run-logs-search');
  });

  it('searches only the lines the level filter keeps, and can hide the lines that do not match', async () => {
    await page.getByTestId('run-logs-level').selectOption('warn');
    await page.getByTestId('run-logs-count').getByText('of 2').waitFor();
    await page.getByTestId('run-logs-only').check();
    await page.getByTestId('run-logs-search').fill('page');
    await page.getByTestId('run-logs-count').getByText('1 of 2').waitFor();
    assert.deepEqual(await shownMessages('run-logs'), ['page 2 was slow: retrying ORDERS', 'page 3 of orders gave a bad row']);
    await page.getByTestId('run-logs-level').selectOption('');
    await page.getByTestId('run-logs-count').getByText('of 5').waitFor();
    assert.deepEqual(await shownMessages('run-logs'), ['fetching page 1 of orders', 'page 1 had 40 rows', 'page 2 was slow: retrying ORDERS', 'fetching page 3 of customers', 'page 3 of orders gave a bad row']);
    await page.getByTestId('run-logs-search').fill('nothing like this');
    assert.equal(await count('run-logs'), 'no matches');
    assert.equal(await page.getByTestId('run-logs-next').isDisabled(), true);
    await page.getByTestId('run-logs-search').fill('');
    assert.equal((await shownMessages('run-logs')).length, 6, 'an empty search shows every line again');
  });

  it('searches the editor\'s Logs tab the same way', async () => {
    await page.goto(`${served.base}/#/pipelines/shop?block=fetch&tab=logs`);
    await page.getByTestId('block-logs').getByText('done with orders').waitFor();
    await page.getByTestId('block-logs-search').fill('customers');
    await page.getByTestId('block-logs-count').getByText('1 of 1').waitFor();
    assert.equal(await current('block-logs'), 'fetching page 3 of customers');
    await screenshot(page, 'editor-logs-search');
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
