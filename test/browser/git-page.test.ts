import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Dialog, Page } from 'playwright-core';
import { browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the git page: history with diffs, and discarding a change', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const git = (...args: string[]) => execFileSync('git', args, { cwd: served.dir, encoding: 'utf8' });
  const file = (name: string) => path.join(served.dir, name);
  /** Answers the next dialog the page opens, and tells what it said. */
  const nextDialog = (answer: 'accept' | 'dismiss'): Promise<Dialog> =>
    new Promise((resolve) => {
      page.once('dialog', (dialog) => {
        resolve(dialog);
        void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
      });
    });
  const changeRow = (name: string) => page.getByTestId('git-changes').locator('li', { has: page.getByText(name, { exact: true }) });

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: git_page\n',
      'pipelines/p.yaml': 'blocks:\n  - { name: a, file: blocks/a.sql }\n',
      'blocks/a.sql': 'SELECT 1 AS one\n',
    });
    writeFileSync(file('blocks/a.sql'), 'SELECT 2 AS two\n');
    git('-c', 'user.name=Ada Analyst', '-c', 'user.email=ada@example.com', 'commit', '-qam', 'Count to two');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows the history, newest first, and the diff of the commit clicked', async () => {
    await page.getByTestId('nav-git').click();
    await page.getByTestId('git-tab-history').click();
    const commits = page.getByTestId('git-commit');
    await commits.first().waitFor();
    assert.deepEqual(await page.locator('[data-testid=git-commit] .commit-subject').allInnerTexts(), ['Count to two', 'start']);
    assert.match(await commits.first().innerText(), /Ada Analyst/);
    await commits.first().click();
    const diff = page.getByTestId('diff-view');
    await diff.getByText('+SELECT 2 AS two', { exact: true }).waitFor();
    assert.match(await diff.innerText(), /-SELECT 1 AS one/);
    await screenshot(page, 'git-history');
  });

  it('discards the change to one file after a confirmation, leaving the other changes', async () => {
    writeFileSync(file('blocks/a.sql'), 'SELECT 3 AS three\n');
    writeFileSync(file('blocks/scratch.sql'), 'SELECT 4\n');
    await page.getByTestId('git-tab-changes').click();
    await changeRow('blocks/a.sql').waitFor();
    await changeRow('blocks/scratch.sql').waitFor();

    // Cancelling keeps the change.
    const cancelled = nextDialog('dismiss');
    await changeRow('blocks/a.sql').getByTestId('git-discard').click();
    assert.match((await cancelled).message(), /Discard your changes to blocks\/a\.sql/);
    assert.equal(readFileSync(file('blocks/a.sql'), 'utf8'), 'SELECT 3 AS three\n');

    const confirmed = nextDialog('accept');
    await changeRow('blocks/a.sql').getByTestId('git-discard').click();
    await confirmed;
    await page.getByTestId('git-notice').getByText('Discarded the changes to blocks/a.sql.').waitFor();
    await changeRow('blocks/a.sql').waitFor({ state: 'detached' });
    assert.equal(readFileSync(file('blocks/a.sql'), 'utf8'), 'SELECT 2 AS two\n');

    // A new file is deleted, and the dialog says so.
    const newFile = nextDialog('accept');
    await changeRow('blocks/scratch.sql').getByTestId('git-discard').click();
    assert.match((await newFile).message(), /a new file is deleted/);
    await changeRow('blocks/scratch.sql').waitFor({ state: 'detached' });
    assert.equal(existsSync(file('blocks/scratch.sql')), false);
    assert.equal(git('status', '--porcelain'), '');
    assert.deepEqual(problems, []);
  });
});
