import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

interface RunDetail {
  run: { id: string; status: string; startedAt: string; endedAt: string };
  blocks: { block: string; rowsOut?: number }[];
}

describe('the charts on the pipeline page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const details: RunDetail[] = [];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: charts\n',
      'pipelines/sized.yaml': [
        'variables: { n: 3 }',
        'blocks:',
        '  - { name: raw, file: blocks/raw.sql }',
        '  - { name: evens, file: blocks/evens.sql, upstream: [raw] }',
        '  - { name: nonempty, file: blocks/nonempty.sql, upstream: [raw] }',
        '',
      ].join('\n'),
      'blocks/raw.sql': "SELECT i FROM range(100) t(i) WHERE i < CAST(getvariable('n') AS INTEGER)\n",
      'blocks/evens.sql': 'SELECT i FROM raw WHERE i % 2 = 0\n',
      'blocks/nonempty.sql': "SELECT count(*) AS c, CASE WHEN count(*) = 0 THEN error('raw is empty') END AS checked FROM raw\n",
    });
    const client = apiClient(served);
    for (const n of [3, 8, 0, 20]) {
      const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/sized/runs', { variables: { n } });
      await client.waitForRun(run_id);
      details.push(await client.json<RunDetail>(`/api/runs/${run_id}`));
    }
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws one bar per run, oldest first, as long as the run took and coloured by how it ended', async () => {
    await page.goto(`${served.base}/#/pipelines/sized`);
    await page.getByTestId('chart-duration').waitFor();
    const bars = page.getByTestId('chart-duration-bar');
    assert.equal(await bars.count(), 4);
    for (let i = 0; i < 4; i++) {
      const { run } = details[i]!;
      const bar = bars.nth(i);
      assert.equal(await bar.getAttribute('data-run-id'), run.id);
      assert.equal(Number(await bar.getAttribute('data-duration')), Date.parse(run.endedAt) - Date.parse(run.startedAt));
      assert.match((await bar.getAttribute('class'))!, new RegExp(`pc-bar-${run.status}`));
    }
    assert.deepEqual(details.map((d) => d.run.status), ['succeeded', 'succeeded', 'failed', 'succeeded']);
    // Taller is longer: the heights follow the durations.
    const heights = await Promise.all([0, 1, 2, 3].map(async (i) => Number(await bars.nth(i).getAttribute('height'))));
    const durations = details.map((d) => Date.parse(d.run.endedAt) - Date.parse(d.run.startedAt));
    const longest = durations.indexOf(Math.max(...durations));
    assert.equal(heights.indexOf(Math.max(...heights)), longest);
  });

  it('draws the rows each block wrote in each run, one line per block', async () => {
    const series = page.getByTestId('chart-rows-series');
    assert.deepEqual(await series.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-block'))), ['evens', 'nonempty', 'raw']);
    const raw = page.locator('[data-testid="chart-rows-series"][data-block="raw"] circle');
    assert.deepEqual(await raw.evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-rows')))), [3, 8, 0, 20]);
    const evens = page.locator('[data-testid="chart-rows-series"][data-block="evens"] circle');
    assert.deepEqual(await evens.evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-rows')))), [2, 4, 0, 10]);
    await screenshot(page, 'pipeline-charts');
  });

  it('opens a run from its bar', async () => {
    await page.getByTestId('chart-duration-bar').nth(2).click();
    await page.getByTestId('block-error').or(page.locator('.gantt')).first().waitFor();
    assert.match(page.url(), new RegExp(`#/runs/${details[2]!.run.id}$`));
    assert.deepEqual(problems, []);
  });
});
