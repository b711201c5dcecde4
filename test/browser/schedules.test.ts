import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { scheduleSchema } from '../../src/core/pipeline/schedule.ts';
import { nextRunTimes } from '../../src/scheduler/next-run-times.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

describe('the triggers page: schedules in plain words, their next times, and every trigger setting', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const read = (file: string) => readFileSync(path.join(served.dir, file), 'utf8');
  const nextShown = (pipeline: string) => page.getByTestId(`schedule-next-${pipeline}`).locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('title')));

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(
      {
        'sluice.yaml': 'name: schedules_page\n',
        'pipelines/berlin.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'pipelines/landing.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
        'blocks/one.sql': 'SELECT 1 AS one\n',
      },
      // The scheduler runs, so a file trigger set here is seen to fire.
      [],
    );
    ({ browser, page, problems } = await browseSignedIn(served));
    await page.getByTestId('nav-triggers').click();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('reads a cron in plain words as it is typed, with the next five times the scheduler computes', async () => {
    await page.getByTestId('schedule-timezone-berlin').fill('Europe/Berlin');
    await page.getByTestId('schedule-input-berlin').fill('30 9 * * 1,5');
    await waitFor(async () => (await page.getByTestId('schedule-words-berlin').innerText()) === 'at 09:30 Europe/Berlin on Monday and Friday', { what: 'the plain words' });
    await page.getByTestId('schedule-next-berlin').locator('li').nth(4).waitFor();
    const shown = await nextShown('berlin');
    const schedule = scheduleSchema.parse({ cron: '30 9 * * 1,5', timezone: 'Europe/Berlin' });
    // Computed just before and after reading, so a tick passing in between cannot make the test flaky.
    const expected = [nextRunTimes(schedule, new Date(Date.now() - 60_000)), nextRunTimes(schedule, new Date())].map((times) => times.map((t) => t.toISOString()));
    assert.ok(expected.some((times) => JSON.stringify(times) === JSON.stringify(shown)), `shown ${shown.join(', ')}`);
    // Each time reads in Berlin's clock: 09:30, whatever the UTC offset of that day.
    for (const text of await page.getByTestId('schedule-next-berlin').locator('li').allInnerTexts()) assert.match(text, /09:30/);

    await page.getByTestId('schedule-input-berlin').fill('@daily');
    await waitFor(async () => (await page.getByTestId('schedule-words-berlin').innerText()) === 'every day at 00:00 Europe/Berlin', { what: 'the macro in words' });
    await page.getByTestId('schedule-input-berlin').fill('*/15 * * * *');
    await waitFor(async () => (await page.getByTestId('schedule-words-berlin').innerText()) === 'every 15 minutes', { what: 'the step in words' });
  });

  it('falls back to the cron text for a shape it cannot say, and shows why the server refuses a bad one', async () => {
    await page.getByTestId('schedule-input-berlin').fill('0 0 1 * 1');
    await waitFor(async () => (await page.getByTestId('schedule-words-berlin').innerText()) === '0 0 1 * 1', { what: 'the cron text as written' });
    await page.getByTestId('schedule-input-berlin').fill('61 * * * *');
    await waitFor(async () => /invalid cron expression/.test(await page.getByTestId('schedule-problem-berlin').innerText()), { what: "the server's reason" });
  });

  it('saves time zone, start date, end date and catchup to the pipeline file, and the next times follow them', async () => {
    await page.getByTestId('schedule-input-berlin').fill('0 6 * * *');
    await page.getByTestId('schedule-start-berlin').fill('2030-01-01');
    await page.getByTestId('schedule-end-berlin').fill('2030-01-03');
    await page.getByTestId('schedule-catchup-berlin').check();
    // 06:00 in Berlin in winter is 05:00 UTC; the run of 3 January would start after the end date.
    await waitFor(async () => JSON.stringify(await nextShown('berlin')) === JSON.stringify(['2030-01-01T05:00:00.000Z', '2030-01-02T05:00:00.000Z']), { what: 'the bounded next times' });
    await screenshot(page, 'schedules-editor');
    await page.getByTestId('schedule-save-berlin').click();
    await page.locator('[data-testid="schedule-enabled-berlin"]:checked').waitFor({ state: 'attached' });
    const file = read('pipelines/berlin.yaml');
    for (const line of ['cron: 0 6 * * *', 'timezone: Europe/Berlin', 'start_date: 2030-01-01', 'end_date: 2030-01-03', 'catchup: true']) assert.ok(file.includes(line), `${line} in\n${file}`);
    // Read back from the file, the form shows what was saved and has nothing left to save.
    assert.equal(await page.getByTestId('schedule-timezone-berlin').inputValue(), 'Europe/Berlin');
    assert.equal(await page.getByTestId('schedule-save-berlin').isDisabled(), true);
  });

  it('sets a file-arrival trigger that the scheduler fires on, and removes it', async () => {
    await page.getByTestId('on-file-input-landing').fill('incoming/*.csv');
    await page.getByTestId('on-file-save-landing').click();
    await waitFor(() => /on_file:\s*\n\s+path: incoming\/\*\.csv/.test(read('pipelines/landing.yaml')), { what: 'on_file in the file' });
    mkdirSync(path.join(served.dir, 'incoming'), { recursive: true });
    writeFileSync(path.join(served.dir, 'incoming/orders.csv'), 'id\n1\n');
    const api = apiClient(served);
    const run = await waitFor(async () => (await api.json<{ runs: { id: string; trigger: string }[] }>('/api/runs?pipeline=landing')).runs.find((r) => r.trigger === 'file'), { what: 'a run for the arrived file', timeout: 30_000 });
    assert.equal(await api.waitForRun(run.id), 'succeeded');

    await page.getByTestId('on-file-input-landing').fill('');
    await page.getByTestId('on-file-save-landing').click();
    await waitFor(() => !read('pipelines/landing.yaml').includes('on_file'), { what: 'on_file removed' });
    assert.deepEqual(problems, []);
  });
});
