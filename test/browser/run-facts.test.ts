import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the run page shows everything about the run', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let runId: string;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: run_facts\n',
      'pipelines/facts.yaml': [
        'variables: { region: eu }',
        'schedule: { cron: "0 6 * * *" }',
        'blocks:',
        '  - { name: src, role: loader, file: blocks/src.sql }',
        '  - name: out',
        '    role: exporter',
        '    connector: file',
        '    upstream: [src]',
        '    settings: { path: out/src.csv }',
        '  - { name: broken, role: transformer, file: blocks/broken.sql, upstream: [src] }',
        '',
      ].join('\n'),
      'blocks/src.sql': "SELECT i AS id, getvariable('region') AS region FROM range(3) t(i)\n",
      'blocks/broken.sql': '-- reads src\nSELECT *\nFROM src WHERE no_such_column = 1\n',
      'pipelines/throws.yaml': 'blocks:\n  - { name: thrower, role: loader, file: blocks/thrower.ts }\n',
      'blocks/thrower.ts': "import { defineLoader } from 'sluice';\n\nfunction parseRow(): never {\n  throw new Error('bad row 7');\n}\n\nexport default defineLoader(async () => {\n  parseRow();\n  return [];\n});\n",
    });
    const client = apiClient(served);
    ({ run_id: runId } = await client.json<{ run_id: string }>('/api/pipelines/facts/runs', { variables: { region: 'us' }, logical_date: '2025-08-08' }));
    assert.equal(await client.waitForRun(runId), 'failed');
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows the variables, the logical date and data interval, where the exporter landed its rows, and that the pipeline is unchanged', async () => {
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-facts').waitFor();
    assert.match(await page.getByTestId('run-variables').innerText(), /region = "us"/);
    const dates = await page.getByTestId('run-logical-date').innerText();
    assert.match(dates, /2025-08-08/);
    assert.match(dates, /data interval .*2025-08-08.* to .*2025-08-09/);
    assert.match(await page.getByTestId('run-export-out').innerText(), /out: wrote 3 rows to out\/src\.csv/);
    assert.match(await page.getByTestId('run-pipeline-changed').innerText(), /unchanged since this run/);
    await screenshot(page, 'run-facts');
  });

  it('says when the pipeline changed since the run', async () => {
    writeFileSync(path.join(served.dir, 'blocks/src.sql'), 'SELECT 1 AS id\n');
    await page.reload();
    await page.getByTestId('run-pipeline-changed').getByText(/changed since this run/).waitFor();
  });

  it("links a block's error to its file and line in the editor, with the line marked", async () => {
    await page.getByTestId('gantt-row-broken').click();
    const link = page.getByTestId('block-error').getByTestId('error-file-link');
    assert.match(await link.innerText(), /blocks\/broken\.sql:3/);
    await link.click();
    await page.getByTestId('block-title').getByText('broken', { exact: true }).waitFor();
    assert.match(page.url(), /#\/pipelines\/facts\?block=broken&line=3$/);
    const marked = page.getByTestId('marked-line');
    await marked.waitFor();
    assert.match(await marked.innerText(), /no_such_column/);
    await screenshot(page, 'error-line-marked');
  });

  it("shows the user's own stack with a code block's error, with project-relative paths", async () => {
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/throws/runs', {});
    assert.equal(await client.waitForRun(run_id), 'failed');
    await page.goto(`${served.base}/#/runs/${run_id}`);
    await page.getByTestId('gantt-row-thrower').click();
    const stack = await page.getByTestId('block-error').getByTestId('error-stack').innerText();
    assert.match(stack, /parseRow/);
    assert.match(stack, /blocks\/thrower\.ts:4/);
    assert.ok(!stack.includes(served.dir), `the stack names the project's files, not the machine's: ${stack}`);
    assert.deepEqual(problems, []);
  });
});
