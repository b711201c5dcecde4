import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { sluice, stop } from './cli-helpers.ts';
import { createQueueProject, readOutput, type QueueProject, type WorkerProcess } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');
/** A claim lapses this long after its worker stops renewing it (30 s by default; short here so the tests are quick). */
const leaseMs = 1500;
/** Block runs queued when Redis loses the queue: a few by default, many with SLUICE_HEAVY=1. */
const queuedBlocks = process.env.SLUICE_HEAVY === '1' ? 120 : 6;
/** Each case takes 10 to 20 s; a case that hangs fails by its own name long before the file's limit. */
const timeout = 240_000;

const files = {
  'pipelines/slow.yaml': ['blocks:', '  - { name: slow, file: blocks/slow.ts }', '  - { name: target, file: blocks/target.sql, upstream: [slow] }', ''].join('\n'),
  // Leaves a mark naming the worker that runs it, then takes long enough to be killed or paused mid-block.
  'blocks/slow.ts': `import { mkdirSync, writeFileSync } from 'node:fs';
export default async (_inputs: unknown, ctx: { runId: string }) => {
  mkdirSync('marks/' + ctx.runId, { recursive: true });
  writeFileSync('marks/' + ctx.runId + '/' + process.pid, '');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return Array.from({ length: 50 }, (_, i) => ({ i, pid: process.pid }));
};
`,
  'blocks/target.sql': 'SELECT * FROM slow\n',
  'pipelines/many.yaml': [`concurrency: ${queuedBlocks}`, 'blocks:', ...Array.from({ length: queuedBlocks }, (_, i) => `  - { name: b${i}, file: blocks/one.sql }`), ''].join('\n'),
  'blocks/one.sql': 'SELECT 1 AS n\n',
};

describe('queued block runs survive their faults', { skip }, () => {
  let project: QueueProject;
  const workers: WorkerProcess[] = [];
  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = await project.startWorker(['--concurrency', '1', '--lease', String(leaseMs)]);
    workers.push(worker);
    return worker;
  };
  before(async () => {
    if (skip) return;
    project = await createQueueProject(files);
  });
  after(async () => {
    if (skip) return;
    await project.cleanup();
  });

  const runIdOf = (stdout: string): string => /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(stdout)![1]!;
  /** The pids of the workers that started the slow block of a run, in the order of their marks. */
  const marks = (runId: string): number[] => {
    const folder = path.join(project.dir, 'marks', runId);
    return existsSync(folder) ? readdirSync(folder).map(Number) : [];
  };
  const marksOfAnyRun = (): { runId: string; pid: number } | undefined => {
    const folder = path.join(project.dir, 'marks');
    if (!existsSync(folder)) return undefined;
    for (const runId of readdirSync(folder)) for (const pid of marks(runId)) return { runId, pid };
    return undefined;
  };
  const ledgerRow = async (runId: string, block: string) =>
    (await project.db.query(`SELECT state, attempt, fencing_token, worker FROM ${project.schema}.queued_block_runs WHERE run_id = $1 AND block = $2`, [runId, block])).rows[0];
  const blockRun = async (runId: string, block: string) =>
    (await project.db.query(`SELECT status, output, rows_out FROM ${project.schema}.block_runs WHERE run_id = $1 AND block = $2`, [runId, block])).rows[0];

  it('retries on another worker a block run whose worker was killed mid-block, and the target holds one run of rows', { timeout }, async () => {
    const [one, two] = await Promise.all([startWorker(), startWorker()]);
    const running = sluice(project.dir, ['run', 'slow'], project.env);
    const first = await waitFor(marksOfAnyRun, { what: 'a worker to start the slow block' });
    const killed = first.pid === one.pid ? one : two;
    const survivor = killed === one ? two : one;
    await stop(killed.child, 'SIGKILL');
    // The survivor takes it over once the claim lapses: within the lease and 30 s.
    await waitFor(() => marks(first.runId).includes(survivor.pid), { what: 'the other worker to take the block run over', timeout: leaseMs + 30_000 });
    const run = await running;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(runIdOf(run.stdout), first.runId);
    const slow = await ledgerRow(first.runId, 'slow');
    assert.equal(slow.state, 'done');
    assert.equal(slow.attempt, 2, 'claimed once by the killed worker, once by the survivor');
    const target = await readOutput((await blockRun(first.runId, 'target')).output);
    assert.equal(target.length, 50);
    assert.deepEqual([...new Set(target.map((r) => Number(r.pid)))], [survivor.pid]);
  });

  it('refuses the late writes of a worker paused past its lease, so the target holds the rows of the claim that finished', { timeout }, async () => {
    await startWorker();
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    assert.equal(live.length, 2);
    const running = sluice(project.dir, ['run', 'slow'], project.env);
    const runId = await waitFor(async () => {
      const { rows } = await project.db.query(`SELECT run_id FROM ${project.schema}.queued_block_runs WHERE block = 'slow' AND state = 'running' ORDER BY enqueued_at DESC LIMIT 1`);
      return rows[0] && marks(rows[0].run_id).length ? (rows[0].run_id as string) : undefined;
    }, { what: 'a worker to start the slow block of a new run' });
    const pausedPid = marks(runId)[0]!;
    const paused = live.find((w) => w.pid === pausedPid)!;
    const other = live.find((w) => w !== paused)!;
    paused.child.kill('SIGSTOP');
    const run = await running;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const before = await blockRun(runId, 'slow');
    paused.child.kill('SIGCONT');
    await paused.until(new RegExp(`fenced off ${runId} slow`), 'the resumed worker to be fenced off');
    const slow = await ledgerRow(runId, 'slow');
    assert.equal(slow.state, 'done');
    assert.equal(Number(slow.fencing_token), 2);
    assert.deepEqual(await blockRun(runId, 'slow'), before, "the paused worker's late status write was refused");
    assert.equal(path.basename(before.output), 'slow.token-2.parquet', 'the claim that took over kept its output apart from the planned location');
    for (const block of ['slow', 'target']) {
      const rows = await readOutput((await blockRun(runId, block)).output);
      assert.equal(rows.length, 50);
      assert.deepEqual([...new Set(rows.map((r) => Number(r.pid)))], [other.pid], `${block} holds the rows of the claim that finished`);
    }
    const outputs = readdirSync(path.dirname(before.output));
    assert.deepEqual(outputs.filter((f) => f.includes('.claim-')), [], 'no staged file of the refused claim is left');
  });

  /** Runs `many` with no worker up, does `lose` to Redis once its block runs are queued, starts two workers, and checks each block run ended once. */
  const loseQueuedBlockRuns = async (lose: () => Promise<void>): Promise<void> => {
    for (const worker of workers) await stop(worker.child, 'SIGTERM');
    const running = sluice(project.dir, ['run', 'many'], project.env);
    const queued = async (): Promise<string | undefined> => {
      const { rows } = await project.db.query(
        `SELECT run_id, count(*) AS n FROM ${project.schema}.queued_block_runs WHERE job->>'pipeline' = 'many' AND state = 'queued' GROUP BY run_id`,
      );
      return rows.find((r) => Number(r.n) === queuedBlocks)?.run_id;
    };
    const runId = await waitFor(queued, { what: `all ${queuedBlocks} block runs to be queued` });
    await lose();
    await Promise.all([startWorker(), startWorker()]);
    const run = await running;
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(runIdOf(run.stdout), runId);
    const { rows } = await project.db.query(`SELECT block, state, attempt FROM ${project.schema}.queued_block_runs WHERE run_id = $1`, [runId]);
    assert.equal(rows.length, queuedBlocks);
    for (const row of rows) assert.deepEqual([row.state, row.attempt], ['done', 1], `${row.block} ran exactly once`);
    const { rows: blockRuns } = await project.db.query(`SELECT status, count(*) AS n FROM ${project.schema}.block_runs WHERE run_id = $1 GROUP BY status`, [runId]);
    assert.deepEqual(blockRuns.map((r) => [r.status, Number(r.n)]), [['succeeded', queuedBlocks]]);
  };

  it(`ends every one of ${queuedBlocks} queued block runs exactly once when Redis loses the queue`, { timeout }, async () => {
    await loseQueuedBlockRuns(async () => assert.ok((await project.flushQueue()) > 0, 'the queue had keys in Redis to lose'));
  });

  it(`ends every one of ${queuedBlocks} queued block runs exactly once when Redis loses the queue's lists but keeps its jobs`, { timeout }, async () => {
    // What an eviction, or a flush racing a put, leaves: jobs that exist, in no list a worker takes from.
    await loseQueuedBlockRuns(async () => {
      const isJob = (key: string): boolean => key.split(':').at(-1)!.includes('|');
      const keys = await waitFor(async () => {
        const found = await project.redis.keys(`${project.prefix}:*`);
        return found.filter(isJob).length === queuedBlocks ? found : undefined;
      }, { what: 'one job in Redis for each queued block run' });
      await project.redis.del(...keys.filter((key) => !isJob(key)));
    });
  });
});
