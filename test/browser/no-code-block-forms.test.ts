import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadPipeline } from '../../src/core/pipeline/load-pipeline.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { noCodeOrdersProject } from '../e2e/no-code-orders-project.ts';

const skip = await requirePrerequisites('chromium');

describe('the dedupe and prepare block forms, generated from their settings\' schemas', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const pipelineFile = () => readFileSync(path.join(served.dir, 'pipelines/orders.yaml'), 'utf8');
  /** The settings as the engine reads them from the file. */
  const settingsOf = (block: string) => (loadPipeline(served.dir, 'orders').blocks.find((b) => b.name === block) as { settings: unknown }).settings;

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(noCodeOrdersProject);
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('shows a dedupe block\'s settings as fields, each compared column as a row', async () => {
    await page.goto(`${served.base}/#/pipelines/orders?block=people`);
    await page.getByTestId('dedupe-form').waitFor();
    assert.equal(await page.getByTestId('dedupe-setting-match').inputValue(), '0.9');
    assert.equal(await page.getByTestId('dedupe-setting-blocking').inputValue(), 'country');
    assert.equal(await page.getByTestId('dedupe-setting-columns-0-name').inputValue(), 'customer');
    assert.equal(await page.getByTestId('dedupe-setting-columns-0-value-similarity').inputValue(), 'jaro_winkler');
    assert.equal(await page.getByTestId('save-dedupe').isDisabled(), true, 'nothing changed yet');
  });

  it('writes what the form says into the pipeline file as the engine reads it, keeping comments', async () => {
    await page.getByTestId('dedupe-setting-match').fill('0.85');
    await page.getByTestId('dedupe-setting-review').fill('0.7');
    await page.getByTestId('dedupe-setting-blocking').fill('country, customer + placed');
    await page.getByTestId('dedupe-setting-columns-add').click();
    await page.getByTestId('dedupe-setting-columns-1-name').fill('country');
    await page.getByTestId('dedupe-setting-columns-1-value-similarity').selectOption('exact');
    await page.getByTestId('dedupe-setting-columns-1-value-weight').fill('0.5');
    await screenshot(page, 'dedupe-form');
    await page.getByTestId('save-dedupe').click();
    await waitFor(() => pipelineFile().includes('review: 0.7'), { what: 'the pipeline file to have the review threshold' });
    assert.deepEqual(settingsOf('people'), {
      columns: { customer: 'jaro_winkler', country: { similarity: 'exact', weight: 0.5 } },
      blocking: ['country', ['customer', 'placed']],
      match: 0.85,
      review: 0.7,
    });
    assert.match(pipelineFile(), /customer: jaro_winkler # names are typed by hand/);
    assert.match(pipelineFile(), /^# Orders, deduplicated and split for a model\./);
  });

  it('edits a review block\'s settings through the block it comes from', async () => {
    await page.goto(`${served.base}/#/pipelines/orders?block=people__review`);
    await page.getByTestId('dedupe-form-note').waitFor();
    assert.match(await page.getByTestId('dedupe-form-note').innerText(), /pairs of people .*settings of people/);
    assert.equal(await page.getByTestId('dedupe-setting-review').inputValue(), '0.7');
  });

  it('picks how a prepare block splits, keeping the settings the new split also takes, and adds scalers and encoders', async () => {
    await page.goto(`${served.base}/#/pipelines/orders?block=features`);
    await page.getByTestId('prepare-form').waitFor();
    assert.equal(await page.getByTestId('prepare-setting-split-by').inputValue(), 'time');
    assert.equal(await page.getByTestId('prepare-setting-split-cutoff').inputValue(), '2024-03-01');
    await page.getByTestId('prepare-setting-split-by').selectOption('group');
    assert.equal(await page.getByTestId('prepare-setting-split-column').inputValue(), 'placed', 'the column carries over');
    assert.equal(await page.getByTestId('prepare-setting-split-cutoff').count(), 0, 'a group split takes no cutoff');
    await page.getByTestId('prepare-setting-split-column').fill('customer');
    await page.getByTestId('prepare-setting-split-test_fraction').fill('0.5');
    await page.getByTestId('prepare-setting-split-seed').fill('7');
    await page.getByTestId('prepare-setting-transform-add').click();
    await page.getByTestId('prepare-setting-transform-0-name').fill('amount');
    await page.getByTestId('prepare-setting-transform-0-value-kind').selectOption('scale');
    await page.getByTestId('prepare-setting-transform-0-value-scale').selectOption('standard');
    await page.getByTestId('prepare-setting-transform-add').click();
    await page.getByTestId('prepare-setting-transform-1-name').fill('country');
    await page.getByTestId('prepare-setting-transform-1-value-kind').selectOption('encode');
    await page.getByTestId('prepare-setting-transform-1-value-encode').selectOption('one_hot');
    await page.getByTestId('prepare-setting-transform-1-value-unseen').selectOption('ignore');
    await screenshot(page, 'prepare-form');
    await page.getByTestId('save-prepare').click();
    await waitFor(() => pipelineFile().includes('by: group'), { what: 'the pipeline file to have the group split' });
    assert.deepEqual(settingsOf('features'), {
      split: { by: 'group', column: 'customer', test_fraction: 0.5, seed: 7 },
      transform: { amount: { scale: 'standard' }, country: { encode: 'one_hot', unseen: 'ignore' } },
    });
    assert.match(pipelineFile(), /split: \{ by: group, column: customer, test_fraction: 0\.5, seed: 7 \}/);
  });

  it('shows a refused setting with the server\'s reason and leaves the file alone', async () => {
    const before = pipelineFile();
    // A fresh page: the last save's reload of the pipeline may otherwise redraw the form under the typing.
    await page.reload();
    await page.getByTestId('prepare-form').waitFor();
    assert.equal(await page.getByTestId('prepare-setting-split-by').inputValue(), 'group');
    await page.getByTestId('prepare-setting-split-test_fraction').fill('2');
    await page.getByTestId('save-prepare').click();
    await page.getByText(/split\.test_fraction/).first().waitFor();
    assert.equal(pipelineFile(), before);
  });

  it('shows on the run page the parameters the prepare block fitted, kept with the run', async () => {
    const client = apiClient(served);
    const { run_id } = await client.json<{ run_id: string }>('/api/pipelines/orders/runs', {});
    assert.equal(await client.waitForRun(run_id), 'succeeded');
    await page.goto(`${served.base}/#/runs/${run_id}`);
    await page.getByTestId('gantt-row-features').click();
    await page.getByTestId('run-file-fitted-transforms.json').locator('summary').click();
    const shown = JSON.parse(await page.getByTestId('run-file-fitted-transforms.json').locator('pre').innerText()) as { fittedOnRows: number; columns: Record<string, { kind: string }> };
    const { blocks } = await client.json<{ blocks: { block: string; rowsOut: number }[] }>(`/api/runs/${run_id}`);
    assert.equal(shown.fittedOnRows, blocks.find((b) => b.block === 'features__train')!.rowsOut);
    assert.deepEqual(Object.values(shown.columns).map((c) => c.kind), ['standard', 'one_hot']);
    await page.getByTestId('gantt-row-raw_orders').click();
    assert.equal(await page.getByTestId('run-files').count(), 0, 'a block that kept no file shows none');
    assert.deepEqual(problems.filter((p) => !/status of 400/.test(p)), []);
  });
});
