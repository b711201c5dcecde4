import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { sluice } from './cli-helpers.ts';
import { createQueueProject, type QueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const days = Array.from({ length: 20 }, (_, i) => `2025-02-${String(i + 1).padStart(2, '0')}`);

/** The rows a day's partition must hold: 5 + its day of the month, amounts that differ from day to day. */
function expectedPartition(day: string): { n: number; amount: string } {
  const d = Number(day.slice(8, 10));
  const n = 5 + d;
  let cents = 0;
  for (let i = 0; i < n; i++) cents += i * 100 + d;
  return { n, amount: (cents / 100).toFixed(2) };
}

const files = {
  'connections.yaml': "connections:\n  pg:\n    connector: postgres\n    url: '${SLUICE_METADATA_URL}'\n    schema: '${TARGET_SCHEMA}'\n",
  'pipelines/daily.yaml': [
    'blocks:',
    '  - { name: day, file: blocks/day.ts }',
    '  - { name: land, connection: pg, upstream: [day], settings: { table: daily, mode: partition, partition_column: day } }',
    '',
  ].join('\n'),
  // Takes a moment, so the two submitters' first dates overlap; its rows depend only on the date.
  'blocks/day.ts': `export default async (_inputs: unknown, ctx: { logicalDate: string }) => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const day = String(ctx.logicalDate).slice(0, 10);
  const d = Number(day.slice(8, 10));
  return Array.from({ length: 5 + d }, (_, i) => ({ day, i, amount: (i * 100 + d) / 100 }));
};
`,
};

describe('two `sluice run --backfill` submitters of the same dates', { skip }, () => {
  let project: QueueProject;
  before(async () => {
    if (skip) return;
    project = await createQueueProject(files, 'so-submitters');
    Object.assign(project.env, { TARGET_SCHEMA: project.schema });
    await project.db.query(`CREATE SCHEMA IF NOT EXISTS ${project.schema}`);
  });
  after(async () => {
    if (skip) return;
    await project.cleanup();
  });

  it('run each date exactly once, and each reports the dates the other holds', async () => {
    await project.startWorker(['--concurrency', '2']);
    await project.startWorker(['--concurrency', '2']);
    const range = `${days[0]}..${days.at(-1)}`;
    const [a, b] = await Promise.all([
      sluice(project.dir, ['run', 'daily', '--backfill', range], project.env),
      sluice(project.dir, ['run', 'daily', '--backfill', range], project.env),
    ]);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);

    const { rows: runs } = await project.db.query(`SELECT id, logical_date, status, attempt FROM ${project.schema}.runs WHERE pipeline = 'daily' ORDER BY logical_date`);
    assert.deepEqual(
      runs.map((r) => [String(r.logical_date).slice(0, 10), r.status, r.attempt]),
      days.map((day) => [day, 'succeeded', 1]),
      'one run per date, succeeded at its first attempt',
    );
    // Every block run of every date was claimed and finished once in the ledger.
    const { rows: ledger } = await project.db.query(`SELECT state, attempt, count(*)::int AS n FROM ${project.schema}.queued_block_runs GROUP BY state, attempt`);
    assert.deepEqual(ledger.map((r) => [r.state, r.attempt, r.n]), [['done', 1, 40]]);

    // Each submitter ran some dates and reported the rest as the other's; together, every date once.
    const ranBy = (out: string): string[] => [...out.matchAll(/✓ (\d{4}-\d\d-\d\d) \S+\n/g)].map((m) => m[1]!);
    const heldElsewhere = (out: string): string[] => [...out.matchAll(/= (\d{4}-\d\d-\d\d) \S+ {2}already (?:running for|submitted \(queued\) by|done by) another submitter/g)].map((m) => m[1]!);
    const [ranA, ranB] = [ranBy(a.stdout), ranBy(b.stdout)];
    assert.deepEqual([...ranA, ...ranB].sort(), days, `each date run by exactly one submitter\n--- a\n${a.stdout}\n--- b\n${b.stdout}`);
    assert.deepEqual(heldElsewhere(a.stdout).sort(), ranB.sort(), 'the first reports what the second ran');
    assert.deepEqual(heldElsewhere(b.stdout).sort(), ranA.sort(), 'the second reports what the first ran');
    assert.ok(ranA.length > 0 && ranB.length > 0, 'both submitters took dates: they ran side by side');
    assert.match(a.stdout, new RegExp(`Backfill complete: ${ranA.length} succeeded, 0 already done, ${ranB.length} run by another submitter, 0 failed`));
    assert.match(b.stdout, new RegExp(`Backfill complete: ${ranB.length} succeeded, 0 already done, ${ranA.length} run by another submitter, 0 failed`));

    const { rows: partitions } = await project.db.query(
      `SELECT day, count(*)::int AS n, sum(amount)::numeric(12,2)::text AS amount, count(DISTINCT i)::int AS distinct_i FROM ${project.schema}.daily GROUP BY day ORDER BY day`,
    );
    assert.deepEqual(
      partitions.map((p) => [String(p.day).slice(0, 10), p.n, p.amount, p.distinct_i]),
      days.map((day) => [day, expectedPartition(day).n, expectedPartition(day).amount, expectedPartition(day).n]),
    );

    // Asked again, every date is done: nothing runs a second time.
    const again = await sluice(project.dir, ['run', 'daily', '--backfill', range], project.env);
    assert.match(again.stdout, /Backfill complete: 0 succeeded, 20 already done, 0 failed/);
  });
});
