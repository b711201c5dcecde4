import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { repoRoot, stop } from '../e2e/cli-helpers.ts';
import { apiClient, browseSignedIn, ensureWebBuilt, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';

const skip = await requirePrerequisites('chromium', 'postgres', 'redis');

// Holds its block run until the test writes `release` into the project: running for as long as the test needs, no longer.
const heldBlock = `import { existsSync } from 'node:fs';
export default async () => {
  while (!existsSync('release')) await new Promise((resolve) => setTimeout(resolve, 50));
  return [{ done: 1 }];
};
`;

describe('the workers page', { skip }, () => {
  const suffix = randomBytes(4).toString('hex');
  const schema = `so_workers_page_${suffix}`;
  const prefix = `so-workers-page-${suffix}`;
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let worker: ChildProcess;
  let workerText = '';

  before(async () => {
    if (skip) return;
    ensureWebBuilt();
    served = await serveProject({
      'sluice.yaml': [
        'name: fleet_page',
        `metadata: { type: postgres, url: '${testPgUrl()}', schema: ${schema} }`,
        `queue: { type: redis, url: '${testRedisUrl()}', prefix: ${prefix} }`,
        '',
      ].join('\n'),
      'pipelines/held.yaml': 'blocks:\n  - { name: wait_here, file: blocks/wait_here.ts }\n',
      'blocks/wait_here.ts': heldBlock,
    });
    worker = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'worker', '--concurrency', '2'], {
      cwd: served.dir,
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (workerText += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (workerText += d.toString()));
    await waitFor(() => /takes block runs/.test(workerText), { what: 'the worker to take block runs', giveUpWhen: () => (worker.exitCode !== null ? workerText : undefined) });
    ({ browser, page, problems } = await browseSignedIn(served));
  });
  after(async () => {
    if (skip) return;
    writeFileSync(path.join(served.dir, 'release'), '');
    await browser?.close();
    if (worker) await stop(worker, 'SIGKILL');
    await served?.close();
    const db = new pg.Pool({ connectionString: testPgUrl(), max: 1 });
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
    const redis = new Redis(testRedisUrl());
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it("shows the worker and the block run it holds, and drains it: it finishes that block run and stops", async () => {
    const client = apiClient(served);
    const runId = (await client.json<{ run_id: string }>('/api/pipelines/held/runs', {})).run_id;
    await page.getByTestId('nav-workers').click();
    const row = page.locator(`[data-testid="worker-row"][data-pid="${worker.pid}"]`);
    await row.waitFor();
    // The block run shows once the worker's next heartbeat lists it.
    const held = row.locator(`[data-testid="worker-block-run"][data-run-id="${runId}"]`);
    await held.waitFor({ timeout: 20_000 });
    assert.equal(await held.getAttribute('data-block'), 'wait_here');
    assert.equal(await row.getByTestId('worker-slots').innerText(), '1 / 2');
    assert.equal(await row.getByTestId('worker-state').innerText(), 'taking');
    assert.equal(await page.getByTestId('queue-running').innerText(), '1');
    assert.equal(await page.getByTestId('queue-waiting').innerText(), '0');
    await screenshot(page, 'workers');

    await row.getByTestId('worker-drain').click();
    // Asked at once; the worker takes it up at its next heartbeat, and still holds its block run.
    await waitFor(async () => (await row.getByTestId('worker-state').innerText()) === 'draining', { what: 'the worker to drain', timeout: 20_000 });
    assert.match(workerText, /an operator asked this worker to drain/);
    assert.equal(worker.exitCode, null, 'a draining worker finishes what it holds before it stops');
    assert.equal(await held.count(), 1);
    const { workers } = await client.json<{ workers: { pid: number; draining: boolean }[] }>('/api/workers');
    assert.deepEqual(workers.map((w) => [w.pid, w.draining]), [[worker.pid, true]]);

    writeFileSync(path.join(served.dir, 'release'), '');
    assert.equal(await client.waitForRun(runId), 'succeeded');
    await waitFor(() => worker.exitCode !== null, { what: 'the drained worker to stop', timeout: 20_000 });
    assert.equal(worker.exitCode, 0);
    await page.getByTestId('workers-empty').waitFor();
    const audit = await client.json<{ entries: { action: string; target: string }[] }>('/api/audit?action=worker.drain');
    assert.ok(audit.entries.some((e) => e.action === 'worker.drain' && e.target.includes(`:${worker.pid}:`)), JSON.stringify(audit));
    assert.deepEqual(problems, []);
  });
});

describe('the workers page without a queue', { skip: await requirePrerequisites('chromium') }, () => {
  let served: ServedProject;
  let browser: Browser;
  let page: Page;
  before(async () => {
    ensureWebBuilt();
    served = await serveProject({ 'sluice.yaml': 'name: no_fleet\n' });
    ({ browser, page } = await browseSignedIn(served));
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it('says plainly that no queue is configured, and what to set in sluice.yaml', async () => {
    await page.getByTestId('nav-workers').click();
    const note = page.getByTestId('workers-no-queue');
    await note.waitFor();
    const text = await note.innerText();
    assert.match(text, /No queue is configured/);
    assert.match(text, /queue: \{ type: redis, url: '\$\{REDIS_URL\}'/);
    assert.match(text, /metadata: \{ type: postgres/);
    assert.equal(await page.getByTestId('workers-table').count(), 0);
  });
});
