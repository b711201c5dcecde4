import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SqliteRunStore } from '../../src/core/run-store/sqlite-run-store.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { addUser } from '../../src/server/users/user-admin.ts';
import { apiClient, ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

/**
 * A viewer signed in to the UI: personal data shows as `[masked]` with a
 * badge, never as the value, and the alerts, dictionaries and field-mapping
 * pages offer no action the role may not take. An editor, for contrast,
 * sees the values and the actions.
 */
describe('a viewer sees personal data masked and no actions beyond the role', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let runId: string;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: viewer_pages\n',
      'dictionaries/categories.yaml': 'values:\n  Electronics: []\n',
      'data/products.csv': 'id,category\n1,Electronics\n2,Electrical\n',
      'pipelines/people.yaml': [
        'alerts:',
        '  - on: [failure]',
        '    webhook: "http://127.0.0.1:9/hook"',
        'blocks:',
        '  - name: raw',
        '    file: blocks/raw.sql',
        '    pii: [email]',
        '  - { name: raw_products, connector: file, settings: { path: data/products.csv } }',
        '  - { name: clean_products, upstream: [raw_products], clean: { category: { tool: dictionary, dictionary: categories } } }',
        '',
      ].join('\n'),
      'blocks/raw.sql': "SELECT 1 AS id, 'vera.viewer@example.com' AS email, 42 AS amount\n",
    });
    const client = apiClient(served);
    ({ run_id: runId } = await client.json<{ run_id: string }>('/api/pipelines/people/runs', {}));
    assert.equal(await client.waitForRun(runId), 'succeeded');
    const store = new SqliteRunStore(path.join(served.dir, '.sluice', 'sluice.db'));
    try {
      await addUser(store, { name: 'vic', role: 'viewer', password: 'vic-password-1' }, { name: 'test' });
      await addUser(store, { name: 'eda', role: 'editor', password: 'eda-password-1' }, { name: 'test' });
    } finally {
      await store.close();
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  async function signedIn(user: string): Promise<{ page: Page; problems: string[] }> {
    const opened = await openPage(browser, { viewport: { width: 1280, height: 720 } });
    opened.page.setDefaultTimeout(8000);
    await opened.page.goto(`${served.base}/#/pipelines`);
    await opened.page.getByTestId('user-input').fill(user);
    await opened.page.getByTestId('password-input').fill(`${user}-password-1`);
    await opened.page.getByTestId('sign-in-submit').click();
    await opened.page.getByTestId('pipelines-page').waitFor();
    return opened;
  }

  it('shows the marked column of an output as masked, with a badge, and never its value', async () => {
    const { page, problems } = await signedIn('vic');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt-row-raw').click();
    await page.getByTestId('masked-email').waitFor();
    const table = await page.getByTestId('output-rows').innerText();
    assert.match(table, /\[masked\]/);
    assert.match(table, /\b42\b/, 'an unmarked column shows its value');
    assert.doesNotMatch(await page.content(), /vera\.viewer@example\.com/);
    assert.equal(await page.getByTestId('masked-amount').count(), 0);
    await page.getByTestId('toggle-stats').click();
    await page.getByTestId('output-stats').getByTestId('masked-email').waitFor();
    assert.doesNotMatch(await page.content(), /vera\.viewer@example\.com/);
    await screenshot(page, 'viewer-masked-output');

    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('alerts-pipeline-people-channel-0').waitFor();
    assert.equal(await page.getByTestId('alerts-project-add').count(), 0);
    assert.equal(await page.getByTestId('alerts-pipeline-people-add').count(), 0);
    assert.equal(await page.getByTestId('alerts-pipeline-people-channel-0-test').count(), 0);
    assert.equal(await page.getByTestId('alerts-pipeline-people-channel-0-remove').count(), 0);
    assert.equal(await page.getByTestId('alerts-pipeline-people-channel-0-failure').isDisabled(), true);

    await page.getByTestId('nav-dictionaries').click();
    await page.getByTestId('dictionary-categories-review-role').waitFor();
    assert.match(await page.getByTestId('pending-candidates').first().innerText(), /Electronics/);
    assert.equal(await page.getByTestId('accept-candidate').count(), 0);
    assert.equal(await page.getByTestId('reject-value').count(), 0);

    await page.goto(`${served.base}/#/map`);
    await page.getByTestId('map-needs-editor').waitFor();
    assert.equal(await page.getByTestId('map-suggest').count(), 0);
    assert.deepEqual(problems, []);
  });

  it('shows an editor the values and the actions', async () => {
    const { page, problems } = await signedIn('eda');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt-row-raw').click();
    await page.getByTestId('output-rows').getByText('vera.viewer@example.com').waitFor();
    assert.equal(await page.getByTestId('masked-email').count(), 0);
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('alerts-pipeline-people-add').waitFor();
    assert.equal(await page.getByTestId('alerts-project-add').count(), 0, 'project alerts are an admin setting');
    await page.getByTestId('nav-dictionaries').click();
    await page.getByTestId('accept-candidate').first().waitFor();
    await page.goto(`${served.base}/#/map`);
    await page.getByTestId('map-suggest').waitFor();
    assert.deepEqual(problems, []);
  });
});
