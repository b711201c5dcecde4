/**
 * The fleet's two other figures (see bench/scale.ts), each measured in one run:
 *
 * - A partitioned backfill: the sales example's `sales_by_day` over N daily files, one run per
 *   date, through the queue to one `sluice worker`, then to two, on a fresh run store each time.
 *   Reports rows per second of each and their ratio (target: two workers at least 1.6x one).
 * - Recovery after a worker is killed: a block run that takes a few seconds is started, the worker
 *   holding it is killed (SIGKILL), and the time until another worker claims it is measured, N
 *   times; reports the median beside the lease, which bounds it from below.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BIN, REPO, benchEnv, cpuMsOf, endedChildrenCpuMs, fleetPlace, followQueueAndIdle, followSchemaSessions, load, pgUrl, sluiceNodeArgs, startWorker, stopWorker, writeFiles, type FleetPlace } from './fleet.ts';

const TARGET_RATIO = 1.6;

/** A backfill pass: its time, its rows, and CPU milliseconds per date in each kind of process. */
interface Pass {
  readonly ms: number;
  readonly rows: number;
  readonly cpuPerDate: { readonly workers: number; readonly submitter: number; readonly postgres: number };
  /** The machine's CPU left idle, and the wake-ups waiting in Redis, over the same dates. */
  readonly queue: { readonly idle: number; readonly waitingMedian: number; readonly emptyShare: number };
}

/** The date `days - 1` days after 2025-01-01. */
const lastDate = (days: number): string => new Date(Date.UTC(2025, 0, 1) + (days - 1) * 86_400_000).toISOString().slice(0, 10);

export async function benchBackfill(days: number, parallel: number, workerCounts: readonly number[] = [1, 2]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-backfill-'));
  cpSync(join(REPO, 'examples', 'sales'), dir, { recursive: true, filter: (file) => !file.includes('.sluice') && !file.includes(join('data', 'days')) });
  execFileSync(process.execPath, ['scripts/generate-sales-by-day.mjs', '--days', String(days)], { cwd: dir, stdio: 'ignore' });
  const settings = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
  const db = new pg.Client(pgUrl);
  await db.connect();
  const places: FleetPlace[] = [];
  const workers: ChildProcess[] = [];
  /** The CPU milliseconds so far of the workers, the submitting process and the schema's PostgreSQL sessions. */
  const workerCpu = (): number => workers.reduce((sum, w) => sum + cpuMsOf(w.pid!), 0);
  const cpuNow = (submitter: ChildProcess, sessions: { total(): number }) => ({
    workers: workerCpu(),
    submitter: cpuMsOf(submitter.pid!),
    postgres: sessions.total(),
  });
  /**
   * Backfills `count` days on a fresh run store through `workerCount` workers of one slot: its time,
   * its rows, and the CPU spent per date by the workers, the submitting process and PostgreSQL. The
   * CPU is counted from when a tenth of the dates are done, so neither process start-up nor the
   * first block run's module loading is spread over the dates.
   */
  const pass = async (workerCount: number, count: number): Promise<Pass> => {
    const place = fleetPlace('backfill');
    places.push(place);
    writeFiles(dir, { 'sluice.yaml': `${settings}\n${place.metadata}\n${place.queue}\n` });
    rmSync(join(dir, '.sluice'), { recursive: true, force: true });
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker(dir, ['--concurrency', '1']));
    const childrenBefore = endedChildrenCpuMs();
    const sessions = followSchemaSessions(db, place.schema);
    const started = process.hrtime.bigint();
    // Not execFileSync: the dates done and the sessions are followed while the backfill runs.
    let ended = false;
    const submitter = execFile(process.execPath, [...sluiceNodeArgs, BIN, 'run', 'sales_by_day', '--backfill', `2025-01-01..${lastDate(count)}`, '--parallel', String(parallel)], {
      cwd: dir,
      env: benchEnv,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    let stdout = '';
    submitter.stdout!.on('data', (d: string) => (stdout += d));
    const exited = new Promise<void>((done) => submitter.once('exit', () => done()));
    let window: { done: number; cpu: ReturnType<typeof cpuNow>; queue: ReturnType<typeof followQueueAndIdle> } | undefined;
    const from = Math.max(1, Math.floor(count / 10));
    while (!window && !ended) {
      const done = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${place.schema}.runs WHERE status = 'succeeded'`).then((r) => Number(r.rows[0]!.n), () => 0);
      if (done >= from) window = { done, cpu: cpuNow(submitter, sessions), queue: followQueueAndIdle(place.prefix) };
      else await Promise.race([sleep(100), exited.then(() => (ended = true))]);
    }
    await exited;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const queue = await window?.queue.stop();
    const end = { workers: workerCpu(), submitter: endedChildrenCpuMs() - childrenBefore, postgres: await sessions.stop() };
    if (!window || !queue) throw new Error(`the backfill ended before ${from} dates were done:\n${stdout.slice(-2000)}`);
    const dates = count - window.done;
    if (!new RegExp(`Backfill complete: ${count} succeeded`).test(stdout)) throw new Error(`the backfill did not complete:\n${stdout.slice(-2000)}`);
    const { rows } = await db.query<{ rows: string }>(`SELECT sum(rows_out) AS rows FROM ${place.schema}.block_runs WHERE status = 'succeeded'`);
    for (const worker of workers.splice(0)) await stopWorker(worker);
    return {
      ms,
      rows: Number(rows[0]!.rows),
      cpuPerDate: {
        workers: (end.workers - window.cpu.workers) / dates,
        submitter: (end.submitter - window.cpu.submitter) / dates,
        postgres: (end.postgres - window.cpu.postgres) / dates,
      },
      queue,
    };
  };
  try {
    console.log(`\npartitioned backfill: sales_by_day over ${days} daily files, ${parallel} dates at once, through the queue to 1 worker, then 2 (one slot each; load average before: ${load()})`);
    await pass(1, Math.min(days, 5)); // warms the caches both measured passes share (module compile, DuckDB load)
    const passes = new Map<number, Pass>();
    for (const n of workerCounts) passes.set(n, await pass(n, days));
    const rate = (p: Pass): number => p.rows / (p.ms / 1000);
    for (const [n, p] of passes) {
      const cpu = p.cpuPerDate;
      console.log(`  ${n} worker${n === 1 ? ' ' : 's'}: ${(p.ms / 1000).toFixed(1)} s, ${p.rows} rows, ${rate(p).toFixed(0)} rows/s, ${(days / (p.ms / 1000)).toFixed(1)} dates/s`);
      console.log(
        `    CPU per date: worker${n === 1 ? '' : 's'} ${cpu.workers.toFixed(1)} ms, submitter ${cpu.submitter.toFixed(1)} ms, PostgreSQL ${cpu.postgres.toFixed(1)} ms (${((cpu.submitter + cpu.postgres) / cpu.workers).toFixed(2)} of the workers')`,
      );
      console.log(
        `    the machine's CPU idle ${(p.queue.idle * 100).toFixed(0)}%; wake-ups waiting in Redis: median ${p.queue.waitingMedian}, none in ${(p.queue.emptyShare * 100).toFixed(0)}% of looks`,
      );
    }
    const one = passes.get(1);
    const two = passes.get(2);
    if (one && two) {
      const ratio = rate(two) / rate(one);
      console.log(`  2 workers / 1 worker: ${ratio.toFixed(2)}x; target at least ${TARGET_RATIO}x: ${ratio >= TARGET_RATIO ? 'met' : 'missed'}`);
    }
    console.log(`load average after: ${load()}`);
  } finally {
    for (const worker of workers) await stopWorker(worker, 'SIGKILL');
    for (const place of places) await place.drop(db);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRecovery(kills: number, leaseMs: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-recovery-'));
  const place = fleetPlace('recovery');
  writeFiles(dir, {
    'sluice.yaml': `name: bench_recovery\n${place.metadata}\n${place.queue}\n`,
    'pipelines/slow.yaml': 'blocks:\n  - { name: slow, file: blocks/slow.ts }\n',
    'blocks/slow.ts': 'export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, 3000));\n  return [{ done: 1 }];\n};\n',
  });
  const db = new pg.Client(pgUrl);
  await db.connect();
  const workerArgs = ['--concurrency', '1', '--lease', String(leaseMs)];
  const workers: ChildProcess[] = [];
  const runs: ChildProcess[] = [];
  const ledger = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
  try {
    console.log(`\nrecovery after a worker is killed: ${kills} kills, 2 workers of one slot, lease ${leaseMs} ms (load average before: ${load()})`);
    workers.push(await startWorker(dir, workerArgs), await startWorker(dir, workerArgs));
    const recoveries: number[] = [];
    const seen = new Set<string>();
    for (let kill = 0; kill < kills; kill++) {
      const run = spawn(process.execPath, [BIN, 'run', 'slow'], { cwd: dir, env: benchEnv, stdio: 'ignore' });
      runs.push(run);
      let held: { run_id: string; worker: string; attempt: number } | undefined;
      while (!held) {
        [held] = (await ledger(`SELECT run_id, worker, attempt FROM ${place.schema}.queued_block_runs WHERE state = 'running' AND worker IS NOT NULL`)).filter(
          (row) => !seen.has(row.run_id),
        );
        if (!held) await sleep(20);
      }
      seen.add(held.run_id);
      const victim = workers.find((w) => held.worker.split(':')[1] === String(w.pid))!;
      const killedAt = performance.now();
      await stopWorker(victim, 'SIGKILL');
      workers.splice(workers.indexOf(victim), 1);
      for (;;) {
        const [row] = await ledger(`SELECT attempt FROM ${place.schema}.queued_block_runs WHERE run_id = $1 AND block = 'slow'`, [held.run_id]);
        if (row && row.attempt > held.attempt) break;
        await sleep(20);
      }
      recoveries.push(performance.now() - killedAt);
      workers.push(await startWorker(dir, workerArgs));
      const code = await new Promise((done) => (run.exitCode !== null ? done(run.exitCode) : run.once('exit', done)));
      if (code !== 0) throw new Error(`run ${held.run_id} did not succeed after its worker was killed (exit ${String(code)})`);
    }
    const sorted = [...recoveries].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    console.log(`  taken over by the other worker after: median ${(median / 1000).toFixed(2)} s (lease ${(leaseMs / 1000).toFixed(1)} s + ${((median - leaseMs) / 1000).toFixed(2)} s), min ${(sorted[0]! / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s`);
    console.log(`load average after: ${load()}`);
  } finally {
    for (const run of runs) await stopWorker(run, 'SIGKILL');
    for (const worker of workers) await stopWorker(worker, 'SIGKILL');
    await place.drop(db);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
