import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

async function signInAs(page: Page, served: ServedProject, user: string, password: string): Promise<void> {
  await page.goto(`${served.base}/#/pipelines`);
  await page.getByTestId('user-input').fill(user);
  await page.getByTestId('password-input').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('pipelines-page').waitFor();
  await page.getByTestId('pipeline-row-hello').waitFor();
}

describe('users: an admin adds a viewer, who sees no edit or run actions', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: users_page\n',
      'pipelines/hello.yaml': 'blocks:\n  - { name: greet, file: blocks/greet.sql }\n',
      'blocks/greet.sql': "SELECT 'hi' AS greeting\n",
    });
    const first = await fetch(`${served.base}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ana', role: 'admin', password: 'ana-password-1' }),
    });
    assert.equal(first.status, 201);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('asks for a name and password once the project has users, and the admin adds a viewer', async () => {
    ({ page, problems } = await openPage(browser));
    await signInAs(page, served, 'ana', 'ana-password-1');
    assert.match(await page.getByTestId('signed-in-as').innerText(), /ana · admin/);
    await page.getByTestId('new-pipeline').waitFor();
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-row-ana').waitFor();
    await page.getByTestId('new-user-name').fill('vic');
    await page.getByTestId('new-user-role').selectOption('viewer');
    await page.getByTestId('new-user-password').fill('vic-password-1');
    await page.getByTestId('add-user').click();
    await page.getByTestId('user-row-vic').waitFor();
    assert.equal(await page.getByTestId('user-role-vic').inputValue(), 'viewer');
    await page.getByTestId('issue-key-vic').click();
    assert.match(await page.getByTestId('issued-key-value').innerText(), /^slk_/, 'the new key is shown once');
    await screenshot(page, 'users-admin');
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-form').waitFor();
    assert.deepEqual(problems, []);
  });

  it('shows the viewer no edit or run actions, and the server refuses them anyway', async () => {
    await page.context().clearCookies();
    await signInAs(page, served, 'vic', 'vic-password-1');
    assert.match(await page.getByTestId('signed-in-as').innerText(), /vic · viewer/);
    for (const hidden of ['new-pipeline', 'run-hello', 'nav-users', 'nav-audit']) assert.equal(await page.getByTestId(hidden).count(), 0, `${hidden} is hidden`);
    await page.goto(`${served.base}/#/pipelines/hello`);
    await page.getByTestId('pipeline-editor').waitFor();
    await page.getByTestId('editor-run-status').or(page.getByText('greet').first()).first().waitFor();
    for (const hidden of ['run-pipeline', 'add-block', 'delete-pipeline']) assert.equal(await page.getByTestId(hidden).count(), 0, `${hidden} is hidden in the editor`);
    await page.goto(`${served.base}/#/triggers`);
    await page.getByTestId('trigger-row-hello').waitFor();
    assert.equal(await page.getByTestId('run-now-hello').count(), 0, 'no Run now on the triggers page');
    assert.equal(await page.getByTestId('api-enabled-hello').isDisabled(), true, 'the API switch is read-only');
    const status = await page.evaluate(async () => (await fetch('/api/pipelines/hello/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    assert.equal(status, 403, 'a direct API call as the viewer is refused');
    await screenshot(page, 'users-viewer');
    assert.deepEqual(problems, []);
  });
});
