import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, callApi, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the audit page: who changed what, filtered', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const rows = () => page.getByTestId('audit-row');
  const rowCount = (n: number) => waitFor(async () => (await rows().count()) === n, { what: `${n} audit row(s)` });

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: audit_page\n',
      'blocks/a.sql': 'SELECT 1 AS one\n',
      'dictionaries/categories.yaml': 'values:\n  Books: []\n',
    });
    const put = await fetch(`${served.base}/api/files`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'blocks/a.sql', content: 'SELECT 2 AS two\n' }),
    });
    assert.equal(put.status, 200);
    await callApi(served, '/api/dictionaries/categories/decisions', { decisions: [{ value: 'Bookz', canonical: 'Books' }] });
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('lists the changes newest first from the navigation, this sign-in first', async () => {
    await page.getByTestId('nav-audit').click();
    await rows().first().waitFor();
    const texts = await rows().allInnerTexts();
    assert.equal(texts.length, 3);
    assert.match(texts[0]!, /session:[0-9a-f]{8}[\s\S]*session\.start/, 'this browser signing in');
    assert.match(texts[1]!, /token[\s\S]*dictionary\.decide[\s\S]*categories/);
    assert.match(texts[2]!, /token[\s\S]*file\.edit[\s\S]*blocks\/a\.sql/);
  });

  it('filters by action and shows a file edit as its diff', async () => {
    await page.getByTestId('audit-filter-action').selectOption('file');
    await rowCount(1);
    assert.match(page.url(), /#\/audit\?action=file/);
    await rows().first().getByTestId('audit-detail-toggle').click();
    const diff = page.getByTestId('diff-view');
    await diff.getByText('+SELECT 2 AS two', { exact: true }).waitFor();
    assert.match(await diff.innerText(), /-SELECT 1 AS one/);
    await screenshot(page, 'audit-file-diff');
  });

  it('filters by actor on Enter, and says when nothing matches', async () => {
    await page.getByTestId('audit-filter-action').selectOption('');
    await page.getByTestId('audit-filter-actor').fill('cli:nobody');
    await page.getByTestId('audit-filter-actor').press('Enter');
    await page.getByText('No entries match.').waitFor();
    await page.getByTestId('audit-filter-actor').fill('token');
    await page.getByTestId('audit-filter-actor').press('Enter');
    await rowCount(2);
    assert.deepEqual(problems, []);
  });
});
