import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: logs filtered by level and downloaded as text', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let runId: string;

  const shown = async (testId: string): Promise<string[]> => page.getByTestId(testId).locator('.log-line').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-level') ?? ''));
  const downloaded = async (testId: string): Promise<{ name: string; text: string }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
  };

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: logs_ui\n',
      'pipelines/shop.yaml': 'blocks:\n  - { name: noisy, role: loader, file: blocks/noisy.ts }\n  - { name: quiet, role: loader, file: blocks/quiet.ts }\n',
      'blocks/noisy.ts':
        "import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n" +
        "  ctx.log.debug('noisy debug line');\n  ctx.log.info('noisy info line');\n  ctx.log.warn('noisy warn line');\n  ctx.log.error('noisy error line');\n  yield [{ id: 1 }];\n});\n",
      'blocks/quiet.ts': "import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n  ctx.log.warn('quiet warn line');\n  yield [{ id: 2 }];\n});\n",
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

  it('filters the run page logs by level, for the run and for a block', async () => {
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-logs').getByText('quiet warn line').waitFor();
    await page.getByTestId('run-logs').getByText('noisy error line').waitFor();
    await page.getByTestId('run-logs-level').selectOption('warn');
    await page.getByTestId('run-logs').getByText('noisy info line').waitFor({ state: 'detached' });
    assert.deepEqual((await shown('run-logs')).sort(), ['error', 'warn', 'warn']);
    await page.getByTestId('run-logs-level').selectOption('error');
    assert.deepEqual(await shown('run-logs'), ['error']);
    await page.getByTestId('gantt-row-quiet').click();
    await page.getByTestId('run-logs').getByText('No lines at this level.').waitFor();
    await page.getByTestId('run-logs-level').selectOption('');
    assert.deepEqual(await shown('run-logs'), ['warn']);
    await screenshot(page, '31-run-logs-level');
  });

  it('downloads the run\'s logs, and a block\'s logs at a level, as text files', async () => {
    await page.goto(`${served.base}/#/runs`);
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('run-logs').getByText('quiet warn line').waitFor();
    const run = await downloaded('run-logs-download');
    assert.equal(run.name, `shop-${runId}.log`);
    for (const line of ['DEBUG [noisy] noisy debug line', 'INFO  [noisy] noisy info line', 'WARN  [noisy] noisy warn line', 'ERROR [noisy] noisy error line', 'WARN  [quiet] quiet warn line']) {
      assert.match(run.text, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${line.replace(/[[\]]/g, '\\$&')}$`, 'm'), `the run's file has '${line}'`);
    }
    await page.getByTestId('gantt-row-noisy').click();
    await page.getByTestId('run-logs-level').selectOption('warn');
    const block = await downloaded('run-logs-download');
    assert.equal(block.name, `shop-${runId}-noisy.log`);
    assert.deepEqual(block.text.trim().split('\n').map((l) => / (\w+) +\[(\w+)\] /.exec(l)?.slice(1, 3).join(' ')), ['WARN noisy', 'ERROR noisy']);
  });

  it('filters and downloads in the editor\'s Logs tab', async () => {
    await page.goto(`${served.base}/#/pipelines/shop?block=noisy&tab=logs`);
    await page.getByTestId('block-logs').getByText('noisy debug line').waitFor();
    await page.getByTestId('block-logs-level').selectOption('info');
    await page.getByTestId('block-logs').getByText('noisy debug line').waitFor({ state: 'detached' });
    assert.deepEqual(await shown('block-logs'), ['info', 'warn', 'error']);
    const file = await downloaded('block-logs-download');
    assert.equal(file.name, `shop-${runId}-noisy.log`);
    assert.equal(file.text.trim().split('\n').length, 3);
    assert.doesNotMatch(file.text, /debug line/);
    await screenshot(page, '32-editor-logs-level');
  });

  it('answers a level it does not know with a 400', async () => {
    const response = await fetch(`${served.base}/api/runs/${runId}/logs?level=loud`, { headers: { authorization: `Bearer ${served.token}` } });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'api.bad_query');
  });

  it('ran without a CSP violation or an uncaught error', () => {
    assert.deepEqual(problems, []);
  });
});
