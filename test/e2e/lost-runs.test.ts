import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { repoRoot, sluice, startScheduler, stop, tempDir, writeProject } from './cli-helpers.ts';

// A short lease, so a killed run is lost in about a second (30 s by default).
const leaseMs = Number(process.env.SLUICE_TEST_RUN_LEASE_MS ?? 1000);
const env = { SLUICE_RUN_LEASE_MS: String(leaseMs) };

/** Polls `check` every 100 ms until it returns a value, for at most `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(100)) {
    const value = await check();
    if (value !== undefined) return value;
  }
  return assert.fail(`timed out waiting for ${what}`);
}

/** A `sluice` process we can kill; its output is kept. */
function spawnSluice(cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env, ...extra } });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text };
}

/** The runs `sluice runs` lists (id, pipeline, status), newest first. */
async function listRuns(dir: string, pipeline: string): Promise<{ id: string; status: string }[]> {
  const r = await sluice(dir, ['runs', '--pipeline', pipeline, '--limit', '100'], env);
  return [...r.stdout.matchAll(/^(\d{8}-\d{6}-[0-9a-f]{6})\s+\S+\s+(\w+)/gm)].map((m) => ({ id: m[1]!, status: m[2]! }));
}

describe('runs lost with their process (kill -9)', () => {
  const { dir, cleanup } = tempDir('sluice-lost-');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    cleanup();
  });
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: lost\n',
      'pipelines/daily.yaml': [
        'retries: { count: 1, delay: 10ms }',
        'blocks:',
        '  - { name: first, file: blocks/first.sql }',
        '  - { name: slow, file: blocks/slow.ts, upstream: [first] }',
        '  - name: land',
        '    connection: warehouse',
        '    upstream: [slow]',
        '    settings: { table: landed, mode: partition, partition_column: day }',
        '',
      ].join('\n'),
      'blocks/first.sql': "SELECT getvariable('logical_date') AS day, 1 AS n\n",
      // Marks that it started for its date, then, when told to hang on that date, waits to be killed.
      'blocks/slow.ts': `import { writeFileSync } from 'node:fs';
import { defineTransformer } from 'sluice';
export default defineTransformer(async ({ first }, ctx) => {
  writeFileSync('started-' + ctx.logicalDate, '');
  if (process.env.SLUICE_TEST_HANG_ON === ctx.logicalDate) await new Promise((r) => setTimeout(r, 600_000));
  return first.collect();
});
`,
    }),
  );

  /** Starts a run (or backfill) that hangs on `date`, waits until it is in the slow block, and kills it with SIGKILL; returns the kill time. */
  async function killMidBlock(args: string[], date: string): Promise<number> {
    const run = spawnSluice(dir, args, { SLUICE_TEST_HANG_ON: date });
    children.push(run.child);
    await waitFor(`the slow block of ${date} to start`, () => (existsSync(path.join(dir, `started-${date}`)) ? true : undefined));
    await stop(run.child, 'SIGKILL');
    return Date.now();
  }

  it('is failed as lost by the next command that opens the run store, and sluice retry takes it', async () => {
    const killed = await killMidBlock(['run', 'daily', '--date', '2025-01-01'], '2025-01-01');
    const lost = await waitFor('the run to show as failed', async () => (await listRuns(dir, 'daily')).find((r) => r.status === 'failed'));
    console.log(`# without a scheduler, a killed run showed as failed ${((Date.now() - killed) / 1000).toFixed(1)} s after the kill (lease ${leaseMs / 1000} s)`);
    const logs = await sluice(dir, ['logs', lost.id], env);
    assert.match(logs.stdout, /failed/);
    const retry = await sluice(dir, ['retry', lost.id], env);
    assert.equal(retry.code, 0, retry.stdout + retry.stderr);
    assert.match(retry.stdout, /retrying slow, land; reusing the outputs of first/);
  });

  it('is carried on by a resumed backfill as the same run, not run twice, and a scheduler leaves it alone', async () => {
    const earlier = new Set((await listRuns(dir, 'daily')).map((r) => r.id));
    const killed = await killMidBlock(['run', 'daily', '--backfill', '2025-02-01..2025-02-05'], '2025-02-03');
    await waitFor('the killed date to show as failed', async () => ((await listRuns(dir, 'daily')).some((r) => r.status === 'failed' && Date.now() > killed) ? true : undefined));
    const resumed = await sluice(dir, ['run', 'daily', '--backfill', '2025-02-01..2025-02-05'], env);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /↻ 2025-02-03 \S+\s+carrying on its lost run \(attempt 2\)/);
    assert.match(resumed.stdout, /Backfill complete: 3 succeeded, 2 already done, 0 failed/);
    const scheduler = startScheduler(dir);
    children.push(scheduler.child);
    await waitFor('the scheduler to start', () => (/scheduler \S+ is firing/.test(scheduler.output()) ? true : undefined));
    await stop(scheduler.child);
    assert.doesNotMatch(scheduler.output(), /queued again/);
    // One run per date, all succeeded: the lost one carried on as its attempt 2.
    const backfillRuns = (await listRuns(dir, 'daily')).filter((r) => !earlier.has(r.id));
    assert.deepEqual(backfillRuns.map((r) => r.status), Array(5).fill('succeeded'));
  });

  it('is reaped by a scheduler that is running when the run is killed', async () => {
    const scheduler = startScheduler(dir, ['--lease', String(Math.max(leaseMs, 1000))]);
    children.push(scheduler.child);
    await waitFor('the scheduler to start', () => (/scheduler \S+ is firing/.test(scheduler.output()) ? true : undefined));
    const killed = await killMidBlock(['run', 'daily', '--date', '2025-04-01'], '2025-04-01');
    await waitFor('the scheduler to reap the run', () => (/! daily run \S+ lost/.test(scheduler.output()) ? true : undefined));
    console.log(`# with a scheduler running, a killed run was reaped ${((Date.now() - killed) / 1000).toFixed(1)} s after the kill (lease ${leaseMs / 1000} s)`);
    // Its retry (retries: 1) runs the date once more, to success.
    await waitFor('the retried run to succeed', () => (/✓ daily 2025-04-01 \S+ succeeded/.test(scheduler.output()) ? true : undefined));
    await stop(scheduler.child);
  });

  it('is not retried by a scheduler once a later run of the same date has succeeded', async () => {
    const earlier = new Set((await listRuns(dir, 'daily')).map((r) => r.id));
    const killed = await killMidBlock(['run', 'daily', '--date', '2025-03-01'], '2025-03-01');
    const again = await sluice(dir, ['run', 'daily', '--date', '2025-03-01'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    // The lost run is reaped (by this command or the scheduler), then left alone.
    const scheduler = startScheduler(dir, ['--lease', String(Math.max(leaseMs, 1000))]);
    children.push(scheduler.child);
    const seen = await waitFor('the scheduler to decide on the lost run', () => /lost, not retried: run \S+ of the same date succeeded/.exec(scheduler.output())?.[0]);
    console.log(`# with a scheduler: ${((Date.now() - killed) / 1000).toFixed(1)} s from the kill to its verdict (${seen})`);
    await stop(scheduler.child);
    assert.doesNotMatch(scheduler.output(), /queued again/);
    // The killed run stays failed (lost); the later run is the date's only success.
    const runs = (await listRuns(dir, 'daily')).filter((r) => !earlier.has(r.id));
    assert.deepEqual(runs.map((r) => r.status), ['succeeded', 'failed']);
  });
});
