import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, closeDialogs, ensureWebBuilt, launchBrowser, openPage, revealSetting, screenshot, serveProject, signIn, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

interface Run { readonly id: string; readonly trigger: string; readonly logicalDate?: string }

describe('the web UI as a daily driver: runs, connections, triggers and errors', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const read = (file: string) => readFileSync(path.join(served.dir, file), 'utf8');
  const api = <T,>(route: string, body?: unknown) => apiClient(served).json<T>(route, body);
  const runsOf = async (pipeline: string) => (await api<{ runs: Run[] }>(`/api/runs?pipeline=${pipeline}&limit=100`)).runs;

  before(async () => {
    ensureWebBuilt();
    delete process.env.SLUICE_UI_UNSET_PASSWORD;
    served = await serveProject(
      {
        'sluice.yaml': 'name: daily_pages\n',
        'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n    user: postgres\n    database: test\n    password: ${SLUICE_UI_UNSET_PASSWORD}\n',
        'pipelines/quick.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'pipelines/daily.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'pipelines/nightly.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'blocks/one.sql': 'SELECT 1 AS one\n',
      },
      // The scheduler runs: saving a schedule is what it reacts to.
      [],
    );
    browser = await launchBrowser();
    ({ page, problems } = await openPage(browser));
    page.setDefaultTimeout(8000);
    await signIn(page, served);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows each run id whole in the runs list, so rows differ (bug 3)', async () => {
    const first = await api<{ run_id: string }>('/api/pipelines/quick/runs', {});
    const second = await api<{ run_id: string }>('/api/pipelines/quick/runs', {});
    await page.getByTestId('nav-runs').click();
    const ids = page.getByTestId('runs-table').locator('[data-testid="run-row"][data-pipeline="quick"] a.mono');
    await ids.nth(1).waitFor();
    const shown = await ids.allInnerTexts();
    assert.deepEqual(new Set(shown), new Set([first.run_id, second.run_id]));
  });

  it('says a secret from an unset environment variable is not set (bug 8)', async () => {
    await page.getByTestId('nav-connections').click();
    await page.getByTestId('connection-row-pg').getByRole('button', { name: 'Edit' }).click();
    await revealSetting(page, 'connection-field', 'password');
    const placeholder = (await page.getByTestId('connection-field-password').getAttribute('placeholder')) ?? '';
    assert.doesNotMatch(placeholder, /\(set/);
    assert.match(placeholder, /not set/);
    assert.match(placeholder, /SLUICE_UI_UNSET_PASSWORD/, 'and names the variable to set');
    await screenshot(page, '22-connection-unset-secret');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('refuses a connection named like the built-in warehouse (bug 9)', async () => {
    await closeDialogs(page);
    await page.getByTestId('add-connection').click();
    await page.getByTestId('connection-name').fill('warehouse');
    await page.getByTestId('connection-connector').selectOption('postgres');
    await page.getByTestId('connection-field-host').fill('127.0.0.1');
    await page.getByTestId('connection-save').click();
    const error = page.getByTestId('connection-dialog').getByTestId('error');
    await error.waitFor();
    assert.match(await error.innerText(), /reserved|built-in/);
    assert.doesNotMatch(read('connections.yaml'), /warehouse/);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('says what catchup will run before saving a schedule, and lets the user choose (bug 11)', async () => {
    await closeDialogs(page);
    await page.getByTestId('nav-triggers').click();
    await page.getByTestId('schedule-input-daily').fill('0 6 * * *');
    await page.getByTestId('schedule-save-daily').click();
    const preview = page.getByTestId('catchup-preview-daily');
    await preview.waitFor();
    const text = await preview.innerText();
    assert.match(text, /\d{4}-\d{2}-\d{2}/, 'names the logical date it would run');
    await screenshot(page, '23-schedule-catchup');
    await page.getByTestId('catchup-skip-daily').click();
    await preview.waitFor({ state: 'detached' });
    // Saved once the row reads the schedule back from the file.
    await page.locator('[data-testid="schedule-enabled-daily"]:checked').waitFor({ state: 'attached' });
    assert.match(read('pipelines/daily.yaml'), /cron: 0 6 \* \* \*/);
    assert.match(read('pipelines/daily.yaml'), /start_date:/);

    await page.getByTestId('schedule-input-nightly').fill('0 6 * * *');
    await page.getByTestId('schedule-save-nightly').click();
    const dueDate = /(\d{4}-\d{2}-\d{2})/.exec(await page.getByTestId('catchup-preview-nightly').innerText())![1]!;
    await page.getByTestId('catchup-run-nightly').click();
    await page.getByTestId('catchup-preview-nightly').waitFor({ state: 'detached' });
    const deadline = Date.now() + 30_000;
    let fired: Run[] = [];
    while (!fired.length && Date.now() < deadline) {
      fired = (await runsOf('nightly')).filter((r) => r.trigger === 'schedule');
      await sleep(100);
    }
    assert.equal(fired[0]?.logicalDate, dueDate, 'the chosen catchup ran the interval the preview named');
    assert.deepEqual((await runsOf('daily')).filter((r) => r.trigger === 'schedule'), [], 'the skipped one did not run');
  });

  it('shows a sentence, not an internal code, when a name is refused (bug 12)', async () => {
    await closeDialogs(page);
    await page.getByTestId('nav-pipelines').click();
    await page.getByRole('button', { name: 'New pipeline' }).click();
    await page.getByTestId('new-pipeline-name').fill('my pipeline');
    await page.getByTestId('new-pipeline-submit').click();
    const error = page.getByTestId('new-pipeline-dialog').getByTestId('error');
    await error.waitFor();
    const text = await error.innerText();
    assert.doesNotMatch(text, /pipeline\.bad_name/);
    assert.match(text, /letters, digits/);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('ran under the Content-Security-Policy without a violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
