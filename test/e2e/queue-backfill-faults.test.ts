import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { stop } from './cli-helpers.ts';
import { createQueueProject, dailyPartitionFiles, dailyPartitions, expectedDailyPartition, startServer, type QueueProject, type ServerProcess, type WorkerProcess } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');
/** A worker's claim lapses this long after it stops renewing it. */
const workerLeaseMs = 1500;
/** A scheduler's (and its runs') lease. */
const schedulerLeaseMs = 2500;
const days = Array.from({ length: 30 }, (_, i) => `2025-01-${String(i + 1).padStart(2, '0')}`);

const base = 10;
// Takes a second, so the kills land while dates are mid-block.
const files = dailyPartitionFiles({ base, delayMs: 1000, pipelineLines: ['retries: { count: 2, delay: 10ms }'] });

describe('a partitioned backfill through the queue, with a scheduler and a worker killed', { skip }, () => {
  let project: QueueProject;
  const servers: ServerProcess[] = [];
  const workers: WorkerProcess[] = [];
  before(async () => {
    if (skip) return;
    project = await createQueueProject(files, 'so-backfill');
    Object.assign(project.env, { TARGET_SCHEMA: project.schema });
    await project.db.query(`CREATE SCHEMA IF NOT EXISTS ${project.schema}`);
  });
  after(async () => {
    if (skip) return;
    for (const server of servers) await stop(server.child, 'SIGKILL');
    await project.cleanup();
  });

  const runs = async () =>
    (await project.db.query(`SELECT id, logical_date, status, attempt, lease_owner FROM ${project.schema}.runs WHERE pipeline = 'daily' ORDER BY logical_date, id`)).rows as {
      id: string;
      logical_date: string;
      status: string;
      attempt: number;
      lease_owner: string | null;
    }[];
  const succeeded = async () => (await runs()).filter((r) => r.status === 'succeeded').length;

  it('ends with exactly 30 partitions, each succeeded once, holding the right rows', async () => {
    const serverArgs = ['--lease', String(schedulerLeaseMs), '--concurrency', '4'];
    servers.push(await startServer(project.dir, project.env, serverArgs), await startServer(project.dir, project.env, serverArgs));
    for (let i = 0; i < 3; i++) workers.push(await project.startWorker(['--concurrency', '2', '--lease', String(workerLeaseMs)]));

    const response = await servers[0]!.api('/api/pipelines/daily/backfills', { method: 'POST', body: JSON.stringify({ start: days[0], end: days.at(-1) }) });
    assert.equal(response.status, 202, await response.clone().text());
    assert.equal(((await response.json()) as { runs: unknown[] }).runs.length, 30);
    // Asking again (a second submitter, a double click) queues nothing new: one run per pipeline and date.
    const again = (await (await servers[1]!.api('/api/pipelines/daily/backfills', { method: 'POST', body: JSON.stringify({ start: days[0], end: days.at(-1) }) })).json()) as {
      runs: { created: boolean }[];
    };
    assert.deepEqual(again.runs.map((r) => r.created), days.map(() => false));

    // Both schedulers take dates: the standby does not wait for the leader to die.
    const fired = (server: ServerProcess): number => (server.output().match(/→ daily 2025-01-\d\d/g) ?? []).length;
    await waitFor(() => fired(servers[0]!) > 0 && fired(servers[1]!) > 0, { what: 'both schedulers to take dates of the backfill' });
    await waitFor(async () => (await succeeded()) >= 6, { what: 'six dates to succeed', timeout: 180_000 });

    // Mid-way: kill a worker holding a block run, and a scheduler holding runs.
    const held = await waitFor(
      async () =>
        (await project.db.query(`SELECT run_id, block, worker FROM ${project.schema}.queued_block_runs WHERE state = 'running' AND worker IS NOT NULL LIMIT 1`)).rows[0] as
          | { run_id: string; block: string; worker: string }
          | undefined,
      { what: 'a worker to hold a block run', every: 20 },
    );
    const killedWorker = workers.find((w) => held.worker.split(':')[1] === String(w.pid))!;
    assert.ok(killedWorker, `the holder ${held.worker} is one of our workers`);
    await stop(killedWorker.child, 'SIGKILL');

    const inFlight = (await runs()).filter((r) => r.status === 'running' && r.lease_owner);
    const killedServer = servers.find((s) => inFlight.some((r) => r.lease_owner!.includes(`:${s.pid}:`))) ?? servers[0]!;
    const orphaned = inFlight.filter((r) => r.lease_owner!.includes(`:${killedServer.pid}:`)).map((r) => r.id);
    assert.ok(orphaned.length > 0, 'the killed scheduler held runs');
    await stop(killedServer.child, 'SIGKILL');
    assert.ok((await succeeded()) < 30, 'killed before the end');
    const survivor = servers.find((s) => s !== killedServer)!;

    await waitFor(async () => (await succeeded()) >= 30, {
      what: 'all 30 dates to succeed after the kills',
      timeout: 240_000,
      giveUpWhen: () => (survivor.child.exitCode !== null ? survivor.output() : undefined),
    });

    const final = await runs();
    assert.equal(final.length, 30, `exactly one run per date\n${JSON.stringify(final)}`);
    assert.deepEqual(final.map((r) => r.logical_date.slice(0, 10)), days);
    assert.ok(final.every((r) => r.status === 'succeeded'), JSON.stringify(final.filter((r) => r.status !== 'succeeded')));
    for (const id of orphaned) {
      assert.ok(final.find((r) => r.id === id)!.attempt >= 2, `run ${id} of the killed scheduler was carried on as its next attempt`);
    }

    // The block run the killed worker held was finished by another worker.
    const taken = (await project.db.query(`SELECT state, worker, attempt FROM ${project.schema}.queued_block_runs WHERE run_id = $1 AND block = $2`, [held.run_id, held.block]))
      .rows[0] as { state: string; worker: string; attempt: number };
    assert.equal(taken.state, 'done');
    assert.notEqual(taken.worker.split(':')[1], String(killedWorker.pid));
    assert.ok(taken.attempt >= 2);
    // Every date's blocks ended exactly once in the ledger: one finished claim each.
    const { rows: ledger } = await project.db.query(`SELECT state, count(*)::int AS n FROM ${project.schema}.queued_block_runs GROUP BY state`);
    assert.deepEqual(ledger.map((r) => [r.state, r.n]), [['done', 60]]);

    assert.deepEqual(
      await dailyPartitions(project.db, project.schema),
      days.map((day) => [day, expectedDailyPartition(day, base).n, expectedDailyPartition(day, base).amount, expectedDailyPartition(day, base).n]),
    );
  });
});
