import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../src/testing/wait-for.ts';
import { repoRoot, sluice, type CliResult } from './cli-helpers.ts';
import { createQueueProject, dailyPartitionFiles, dailyPartitions, expectedDailyPartition, type QueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');
const days = Array.from({ length: 20 }, (_, i) => `2025-02-${String(i + 1).padStart(2, '0')}`);

const base = 5;
// Dates wait for the gate, so both submitters are at work before any date ends, however slowly each starts.
const gate = 'open';
const files = dailyPartitionFiles({ base, delayMs: 200, gate });

/** `sluice ARGS` in `cwd`, its output followed as it comes. */
function submit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): { output: () => string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { output: () => stdout, done };
}

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
    const submitters = [submit(project.dir, ['run', 'daily', '--backfill', range], project.env), submit(project.dir, ['run', 'daily', '--backfill', range], project.env)];
    // Side by side: one holds dates the other found taken, while no date can end yet.
    await waitFor(() => submitters.some((s) => /already running for another submitter/.test(s.output())), {
      what: 'a submitter to find dates the other holds',
      timeout: 180_000,
    });
    writeFileSync(path.join(project.dir, gate), '');
    const [a, b] = await Promise.all([submitters[0]!.done, submitters[1]!.done]);
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
    // The summary names dates run by the other only when there were some.
    const summary = (ran: number, other: number) => new RegExp(`Backfill complete: ${ran} succeeded, 0 already done, ${other ? `${other} run by another submitter, ` : ''}0 failed`);
    assert.match(a.stdout, summary(ranA.length, ranB.length));
    assert.match(b.stdout, summary(ranB.length, ranA.length));

    assert.deepEqual(
      await dailyPartitions(project.db, project.schema),
      days.map((day) => [day, expectedDailyPartition(day, base).n, expectedDailyPartition(day, base).amount, expectedDailyPartition(day, base).n]),
    );

    // Asked again, every date is done: nothing runs a second time.
    const again = await sluice(project.dir, ['run', 'daily', '--backfill', range], project.env);
    assert.match(again.stdout, /Backfill complete: 0 succeeded, 20 already done, 0 failed/);
  });
});
