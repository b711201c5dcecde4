import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, closeDialogs, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium', 'postgres', 'mariadb');
const wrongPassword = `Typed-${process.pid}-${Date.now()}`;

describe('the connections page: the built-in warehouse, every field in view, and Test before saving', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const connectionsFile = () => readFileSync(path.join(served.dir, 'connections.yaml'), 'utf8');
  const result = () => page.getByTestId('connection-draft-result');

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({ 'sluice.yaml': 'name: connections_page\n', 'connections.yaml': 'connections: {}\n' });
    ({ browser, page, problems } = await browseSignedIn(served));
    await page.getByTestId('nav-connections').click();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('lists the built-in warehouse, read-only, saying what it is', async () => {
    const row = page.getByTestId('connection-row-warehouse');
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /built-in/);
    assert.match(text, /\.sluice\/warehouse\.duckdb/);
    assert.match(text, /sluice\.yaml/);
    assert.equal(await row.getByRole('button').count(), 0, 'nothing to edit, test or remove');
    await screenshot(page, 'connections-builtin');
  });

  it('shows password and database with the other PostgreSQL fields, and tests them unsaved against the real server', async () => {
    await page.getByTestId('add-connection').click();
    // The name comes first and takes the keys at once; its example is a name the server accepts.
    assert.equal(await page.getByTestId('connection-name').evaluate((input) => input === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement), true, 'the name field has the focus');
    assert.notEqual(await page.getByTestId('connection-name').getAttribute('placeholder'), 'warehouse');
    await page.getByTestId('connection-connector').selectOption('postgres');
    for (const key of ['host', 'port', 'user', 'password', 'database']) assert.equal(await page.getByTestId(`connection-field-${key}`).isVisible(), true, `${key} in view`);
    await page.getByTestId('connection-name').fill('pg');
    await page.getByTestId('connection-field-host').fill('127.0.0.1');
    await page.getByTestId('connection-field-port').fill('5432');
    await page.getByTestId('connection-field-user').fill('postgres');
    await page.getByTestId('connection-field-database').fill(`missing_${process.pid}`);
    await page.getByTestId('connection-draft-test').click();
    await page.locator('[data-testid="connection-draft-result"] .text-error').waitFor();
    assert.match(await result().innerText(), /does not exist/);
    await page.getByTestId('connection-field-database').fill('test');
    await page.getByTestId('connection-draft-test').click();
    await page.locator('[data-testid="connection-draft-result"] .text-ok').waitFor();
    await screenshot(page, 'connections-test-unsaved');
    assert.equal(connectionsFile(), 'connections: {}\n', 'testing wrote nothing');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('tests a typed MariaDB password without showing it back', async () => {
    await closeDialogs(page);
    await page.getByTestId('add-connection').click();
    await page.getByTestId('connection-connector').selectOption('mysql');
    await page.getByTestId('connection-name').fill('maria');
    await page.getByTestId('connection-field-host').fill('127.0.0.1');
    await page.getByTestId('connection-field-port').fill('3306');
    await page.getByTestId('connection-field-user').fill('root');
    await page.getByTestId('connection-field-database').fill('test');
    await page.getByTestId('connection-field-password').fill(wrongPassword);
    await page.getByTestId('connection-draft-test').click();
    await page.locator('[data-testid="connection-draft-result"] .text-error').waitFor();
    assert.match(await result().innerText(), /Access denied/);
    assert.ok(!(await page.locator('body').innerText()).includes(wrongPassword), 'the password is not shown anywhere');
    await page.getByTestId('connection-field-password').fill('');
    await page.getByTestId('connection-draft-test').click();
    await page.locator('[data-testid="connection-draft-result"] .text-ok').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(connectionsFile(), 'connections: {}\n');
  });

  it('says where a saved secret comes from, and tests an edit with the stored secret the form left empty', async () => {
    await closeDialogs(page);
    await apiClient(served).json('/api/connections', { name: 'maria', connector: 'mysql', settings: { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' }, secrets: { password: wrongPassword } });
    await page.reload();
    const row = page.getByTestId('connection-row-maria');
    await row.waitFor();
    assert.match(await row.innerText(), /from SLUICE_MARIA_PASSWORD/);
    await row.getByRole('button', { name: 'Edit' }).click();
    assert.match((await page.getByTestId('connection-field-password').getAttribute('placeholder')) ?? '', /set from SLUICE_MARIA_PASSWORD/);
    const before = connectionsFile();
    await page.getByTestId('connection-draft-test').click();
    await page.locator('[data-testid="connection-draft-result"] .text-error').waitFor();
    assert.match(await result().innerText(), /Access denied/, 'the stored (wrong) password was used');
    assert.equal(connectionsFile(), before, 'testing an edit wrote nothing');
    assert.ok(!(await page.locator('body').innerText()).includes(wrongPassword));
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(problems, []);
  });
});
