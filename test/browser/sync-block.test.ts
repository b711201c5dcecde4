import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browseSignedIn, callApi, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

/** An integration pipeline: its streams are blocks of kind `sync`, with no file. Opening it connects to nothing. */
const project: Record<string, string> = {
  'sluice.yaml': 'name: syncs\n',
  'connections.yaml': 'connections:\n  source_db: { connector: postgres, url: "postgres://nobody@127.0.0.1:1/none" }\n',
  'pipelines/copy_orders.yaml': [
    'kind: integration',
    'source: source_db',
    'destination: warehouse',
    'streams:',
    '  - { table: orders, name: orders, destination_table: orders_copy, cursor: updated_at, mode: incremental_append }',
    '',
  ].join('\n'),
};

describe('a sync block in the pipeline editor', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureWebBuilt();
    served = await serveProject(project);
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('is labelled SYNC on the canvas and shows its stream settings and where to edit them', async () => {
    const { pipeline } = await callApi<{ pipeline: { blocks: { name: string; language: string }[] } }>(served, '/api/pipelines/copy_orders');
    assert.deepEqual(pipeline.blocks.map((b) => [b.name, b.language]), [['orders', 'sync']], 'the server answers the stream as a sync block');

    await page.goto(`${served.base}/#/pipelines/copy_orders`);
    const node = page.getByTestId('dag-node-orders');
    await node.waitFor();
    assert.equal(await node.locator('.kind').innerText(), 'SYNC');

    await node.click();
    const settings = page.getByTestId('sync-settings');
    await settings.waitFor({ timeout: 10_000 });
    const text = await settings.innerText();
    assert.match(text, /orders_copy/, 'the stream spec is shown');
    assert.match(text, /streams:/, 'the panel says where the stream is edited');
    assert.equal(await page.locator('.block-panel .loading').count(), 0, 'the panel waits for no file');
    await screenshot(page, 'sync-block-panel');
    assert.deepEqual(problems, []);
  });
});
