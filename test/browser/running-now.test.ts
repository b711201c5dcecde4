import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium');

// Yields a row every 100 ms for a minute: long enough to watch and cancel.
const slowLoader = `import { defineLoader } from 'sluice';
export default defineLoader(async function* () {
  for (let i = 0; i < 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    yield [{ i }];
  }
});
`;

describe('the running-now page', { skip }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const runs: Record<string, string> = {};

  before(async () => {
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': 'name: running_now\n',
      'pipelines/slow_a.yaml': 'blocks:\n  - { name: trickle, file: blocks/trickle.ts }\n',
      'pipelines/slow_b.yaml': 'blocks:\n  - { name: drip, file: blocks/drip.ts }\n',
      'blocks/trickle.ts': slowLoader,
      'blocks/drip.ts': slowLoader,
    });
    const client = apiClient(served);
    for (const pipeline of ['slow_a', 'slow_b']) runs[pipeline] = (await client.json<{ run_id: string }>(`/api/pipelines/${pipeline}/runs`, {})).run_id;
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    const client = apiClient(served);
    for (const id of Object.values(runs)) await client.json(`/api/runs/${id}/cancel`, {}).catch(() => undefined);
    await browser?.close();
    await served?.close();
  });

  it('lists every run and block run under way across pipelines, with the process that runs it', async () => {
    await page.getByTestId('nav-running-now').click();
    await waitFor(async () => (await page.getByTestId('running-block').count()) === 2, { what: 'both running blocks' });
    const row = page.locator(`[data-testid="running-row"][data-run-id="${runs.slow_a}"]`);
    assert.equal(await row.getAttribute('data-pipeline'), 'slow_a');
    assert.equal(await row.getByTestId('running-block').getAttribute('data-block'), 'trickle');
    const process = row.getByTestId('running-process');
    const owner = (await process.getAttribute('title'))!;
    assert.match(owner, new RegExp(`^serve:${hostname()}:\\d+$`));
    assert.match(await process.innerText(), new RegExp(`serve on ${hostname()}, pid \\d+`));
    const { running } = await apiClient(served).json<{ running: { run: { id: string; leaseOwner: string } }[] }>('/api/running-now');
    assert.equal(running.find((r) => r.run.id === runs.slow_a)?.run.leaseOwner, owner);
    await screenshot(page, 'running-now');
  });

  it('counts the elapsed time up while it watches', async () => {
    const elapsed = page.locator(`[data-testid="running-row"][data-run-id="${runs.slow_b}"]`).getByTestId('running-elapsed');
    const first = await elapsed.innerText();
    await waitFor(async () => (await elapsed.innerText()) !== first, { what: 'the elapsed time to change' });
  });

  it('cancels a run, which then leaves the page', async () => {
    const row = page.locator(`[data-testid="running-row"][data-run-id="${runs.slow_a}"]`);
    await row.getByTestId('running-cancel').click();
    await row.waitFor({ state: 'detached' });
    const status = await apiClient(served).waitForRun(runs.slow_a!);
    assert.equal(status, 'cancelled');
    assert.equal(await page.locator(`[data-testid="running-row"][data-run-id="${runs.slow_b}"]`).count(), 1);
    assert.deepEqual(problems, []);
  });
});
