import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { threadsForShare } from '../../src/executor/block-run-worker.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { serveProject } from './api-server.ts';
import { chattyProject, sluice, stop, tempDir, writeProject } from './cli-helpers.ts';
import { createQueueProject, readOutput, type QueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');

const pipeline = {
  'pipelines/fan.yaml': [
    'blocks:',
    '  - { name: numbers, file: blocks/numbers.sql }',
    '  - { name: doubled, file: blocks/doubled.ts, upstream: [numbers] }',
    '  - { name: total, file: blocks/total.sql, upstream: [numbers] }',
    '',
  ].join('\n'),
  'blocks/numbers.sql': 'SELECT range AS n FROM range(100)\n',
  'blocks/doubled.ts': 'export default async ({ numbers }: any) => (await numbers.collect()).map((r: any) => ({ n: Number(r.n) * 2, pid: process.pid }));\n',
  'blocks/total.sql': 'SELECT sum(n) AS total, count(*) AS rows FROM numbers\n',
};

describe('block runs through a queue to sluice worker processes', { skip }, () => {
  let project: QueueProject;
  before(async () => {
    if (skip) return;
    project = await createQueueProject(pipeline);
  });
  after(async () => {
    if (skip) return;
    await project.cleanup();
  });

  it('runs a pipeline on two workers, each block run once, and sluice workers lists them', async () => {
    const [one, two] = await Promise.all([project.startWorker(['--concurrency', '2']), project.startWorker(['--concurrency', '2'])]);
    // Each sizes its data plane to its share of the machine once it sees the other's slots (a heartbeat apart).
    const cores = os.availableParallelism();
    const share = new RegExp(`data plane: ${threadsForShare(cores, 4)} threads? \\(${cores} cores for 4 worker slots on this host\\)`);
    for (const worker of [one, two]) await waitFor(() => share.test(worker.output()), { what: `worker ${worker.pid} to take its share of the cores`, timeout: 30_000 });
    const run = await sluice(project.dir, ['run', 'fan'], project.env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(run.stdout)![1]!;
    const { rows: blockRuns } = await project.db.query(`SELECT block, status, output FROM ${project.schema}.block_runs WHERE run_id = $1 ORDER BY block`, [runId]);
    assert.deepEqual(blockRuns.map((b) => [b.block, b.status]), [['doubled', 'succeeded'], ['numbers', 'succeeded'], ['total', 'succeeded']]);
    const { rows: ledger } = await project.db.query(`SELECT block, state, attempt, fencing_token FROM ${project.schema}.queued_block_runs WHERE run_id = $1 ORDER BY block`, [runId]);
    assert.deepEqual(ledger.map((l) => [l.block, l.state, l.attempt]), [['doubled', 'done', 1], ['numbers', 'done', 1], ['total', 'done', 1]]);
    const total = await readOutput(blockRuns.find((b) => b.block === 'total')!.output);
    assert.deepEqual(total.map((r) => [Number(r.total), Number(r.rows)]), [[4950, 100]]);
    const doubled = await readOutput(blockRuns.find((b) => b.block === 'doubled')!.output);
    assert.equal(doubled.length, 100);
    assert.ok([one.pid, two.pid].includes(Number(doubled[0]!.pid)), 'a worker, not the run process, ran the block');

    const listed = await sluice(project.dir, ['workers', '--json'], project.env);
    assert.equal(listed.code, 0, listed.stderr);
    const fleet = JSON.parse(listed.stdout) as { workers: { pid: number; concurrency: number }[]; queue: { queued: number } };
    assert.deepEqual(fleet.workers.map((w) => w.pid).sort(), [one.pid, two.pid].sort());
    assert.equal(fleet.queue.queued, 0);
    const table = await sluice(project.dir, ['workers'], project.env);
    assert.match(table.stdout, new RegExp(`${one.pid}.*taking`));

    // SIGTERM drains: the worker says goodbye and leaves the list.
    one.child.kill('SIGTERM');
    await one.until(/stopped/, 'it stopped');
    const after = JSON.parse((await sluice(project.dir, ['workers', '--json'], project.env)).stdout) as { workers: { pid: number }[] };
    assert.deepEqual(after.workers.map((w) => w.pid), [two.pid]);
    two.child.kill('SIGTERM');
    await two.until(/stopped/, 'it stopped');
  });

  it('sends a block run only to a worker whose checkout has the version the run planned', async () => {
    // A second checkout of the project whose block differs: its worker must refuse the run's block runs.
    const { dir: other, cleanup } = tempDir('sluice-queue-other-');
    const started: ChildProcess[] = [];
    try {
      cpSync(project.dir, other, { recursive: true, filter: (file) => !file.includes(`${path.sep}.sluice`) });
      writeFileSync(path.join(other, 'blocks/total.sql'), 'SELECT -1 AS total, 0 AS rows\n');
      const stale = await project.startWorker([], other);
      started.push(stale.child);
      const running = sluice(project.dir, ['run', 'fan', '--block', 'total'], project.env);
      await stale.until(/refused .* total: .*planned with version/, 'the worker on the other checkout refused the block run');
      const matching = await project.startWorker();
      started.push(matching.child);
      const run = await running;
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(run.stdout)![1]!;
      const { rows } = await project.db.query(`SELECT output FROM ${project.schema}.block_runs WHERE run_id = $1 AND block = 'total'`, [runId]);
      assert.deepEqual((await readOutput(rows[0].output)).map((r) => [Number(r.total), Number(r.rows)]), [[4950, 100]]);
      assert.doesNotMatch(stale.output(), new RegExp(`▶ ${runId}`), 'the worker on the other checkout never ran it');
      const logs = await sluice(project.dir, ['logs', runId], project.env);
      assert.match(logs.stdout, /planned with version/, "the run's log says why its block waited");
      await waitFor(() => matching.output().includes(`✓ ${runId} total succeeded`), { what: 'the matching worker to report the block run' });
    } finally {
      // Workers left running would take the next test's block runs from the shared queue.
      await Promise.all(started.map((child) => stop(child, 'SIGKILL')));
      cleanup();
    }
  });

  it('runs a pipeline the API starts on a worker, and GET /api/workers shows the fleet', async () => {
    const served = await serveProject({ 'sluice.yaml': readFileSync(path.join(project.dir, 'sluice.yaml'), 'utf8'), ...pipeline }, { env: project.env });
    try {
      const worker = await project.startWorker([], served.dir);
      const { body: fleet } = await served.json<{ configured: boolean; workers: { pid: number }[]; queue: { queued: number } }>('/api/workers');
      assert.equal(fleet.configured, true);
      assert.ok(fleet.workers.some((w) => w.pid === worker.pid));
      const { body: started } = await served.json<{ run_id: string }>('/api/pipelines/fan/runs', { method: 'POST', body: '{}' });
      assert.equal((await served.waitForRun(started.run_id)).status, 'succeeded');
      await worker.until(new RegExp(`✓ ${started.run_id} total succeeded`), 'the worker ran the API run');
    } finally {
      await served.close();
    }
  });

  it('streams a worker\'s log lines to the run page as they happen (GET /api/runs/:id/events)', async () => {
    const served = await serveProject({ 'sluice.yaml': readFileSync(path.join(project.dir, 'sluice.yaml'), 'utf8'), ...chattyProject }, { env: project.env });
    const worker = await project.startWorker([], served.dir);
    try {
      const { body: started } = await served.json<{ run_id: string }>('/api/pipelines/chatty/runs', { method: 'POST', body: '{}' });
      const events = await served.api(`/api/runs/${started.run_id}/events`);
      const reader = events.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp): Promise<void> => {
        while (!pattern.test(text)) {
          const { done, value } = await reader.read();
          if (done) assert.fail(`the stream ended before ${pattern}:\n${text}`);
          text += new TextDecoder().decode(value);
        }
      };
      await readUntil(/event: log\ndata: .*waiting for go\.flag/);
      // The block still waits on the worker: the line came while it ran, not with its outcome.
      const { body: during } = await served.json<{ run: { status: string } }>(`/api/runs/${started.run_id}`);
      assert.equal(during.run.status, 'running');
      writeFileSync(path.join(served.dir, 'go.flag'), '');
      await readUntil(/event: log\ndata: .*saw go\.flag/);
      await reader.cancel();
      assert.equal((await served.waitForRun(started.run_id)).status, 'succeeded');
      await worker.until(new RegExp(`✓ ${started.run_id} chatty succeeded`), 'the worker ran the block');
    } finally {
      await stop(worker.child, 'SIGKILL');
      await served.close();
    }
  });

  it('refuses a queue without PostgreSQL metadata, saying why', async () => {
    const { dir, cleanup } = tempDir('sluice-queue-sqlite-');
    try {
      writeProject(dir, { 'sluice.yaml': "name: solo\nqueue: { type: redis, url: 'redis://127.0.0.1:6379' }\n", ...pipeline });
      const run = await sluice(dir, ['run', 'fan']);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /sluice\.yaml.*queue:.*needs PostgreSQL metadata/);
      const worker = await sluice(dir, ['worker']);
      assert.equal(worker.code, 2);
      assert.match(worker.stderr, /needs PostgreSQL metadata/);
    } finally {
      cleanup();
    }
  });
});
