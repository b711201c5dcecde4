import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, browseSignedIn, ensureWebBuilt, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

describe('the web UI: blocks that ran side by side on the run page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    const wait = 'export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, 600));\n  return [{ done: 1 }];\n};\n';
    served = await serveProject({
      'sluice.yaml': 'name: gantt_overlap\n',
      'pipelines/wide.yaml': [
        'blocks:',
        '  - { name: wait_a, file: blocks/wait.ts }',
        '  - { name: wait_b, file: blocks/wait.ts }',
        '  - { name: wait_c, file: blocks/wait.ts }',
        '  - { name: gather, file: blocks/gather.sql, upstream: [wait_a, wait_b, wait_c] }',
        '',
      ].join('\n'),
      'blocks/wait.ts': wait,
      'blocks/gather.sql': 'SELECT count(*) AS n FROM (SELECT * FROM wait_a UNION ALL SELECT * FROM wait_b UNION ALL SELECT * FROM wait_c)\n',
    });
    ({ browser, page } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws the bars of blocks that ran at once over the same stretch of the time axis, and their downstream after them', async () => {
    const client = apiClient(served);
    const { run_id: runId } = await client.json<{ run_id: string }>('/api/pipelines/wide/runs', {});
    assert.equal(await client.waitForRun(runId), 'succeeded');
    await page.goto(`${served.base}/#/runs/${runId}`);
    await page.getByTestId('gantt-row-gather').locator('.gantt-bar').waitFor();
    const bar = async (block: string): Promise<{ left: number; right: number }> => {
      const box = (await page.getByTestId(`gantt-row-${block}`).locator('.gantt-bar').boundingBox())!;
      return { left: box.x, right: box.x + box.width };
    };
    const waits = await Promise.all(['wait_a', 'wait_b', 'wait_c'].map(bar));
    const gather = await bar('gather');
    assert.ok(Math.max(...waits.map((w) => w.left)) < Math.min(...waits.map((w) => w.right)), `the three bars share no stretch: ${JSON.stringify(waits)}`);
    // A pixel of rounding either way; the downstream bar starts where the last upstream ended, or later.
    assert.ok(gather.left >= Math.max(...waits.map((w) => w.right)) - 1, `gather starts before its upstreams end: ${JSON.stringify({ waits, gather })}`);
  });
});
