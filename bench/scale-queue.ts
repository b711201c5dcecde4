/**
 * The queue's cost, measured beside the in-process executor in one run (see bench/scale.ts):
 * N trivial blocks, once in the run's process and once through Redis to `sluice worker`
 * processes, at the same number of block runs at once, on the same PostgreSQL run store.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'bin', 'sluice.js');
const TARGET_OVERHEAD_MS = 15;
const pgUrl = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

export async function benchQueue(blocks: number, workers: number, slotsPerWorker = 2): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const schema = `bench_queue_${suffix}`;
  const prefix = `bench-queue-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-queue-'));
  const atOnce = workers * slotsPerWorker;
  const metadata = `metadata: { type: postgres, url: '${pgUrl}', schema: ${schema} }`;
  const write = (file: string, content: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  };
  write('pipelines/trivial.yaml', ['blocks:', ...Array.from({ length: blocks }, (_, i) => `  - { name: b${i}, file: blocks/one.sql }`), ''].join('\n'));
  write('blocks/one.sql', 'SELECT 1 AS n\n');
  const env = { ...process.env, CI: '1', NO_COLOR: '1' };
  const db = new pg.Client(pgUrl);
  await db.connect();
  /** Runs the pipeline through the CLI and returns the run's own time, from its record. */
  const run = async (): Promise<number> => {
    const stdout = execFileSync(process.execPath, [BIN, 'run', 'trivial', '--concurrency', String(atOnce)], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const id = /Run succeeded (\S+):/.exec(stdout)?.[1];
    if (!id) throw new Error(`the run did not succeed:\n${stdout.slice(-2000)}`);
    const { rows } = await db.query<{ ms: number }>(`SELECT extract(epoch FROM ended_at - started_at) * 1000 AS ms FROM ${schema}.runs WHERE id = $1`, [id]);
    return Number(rows[0]!.ms);
  };
  const children: ChildProcess[] = [];
  try {
    console.log(`\n${blocks} trivial blocks, ${atOnce} at once: in-process executor, then a Redis queue to ${workers} workers of ${slotsPerWorker} slots (load average before: ${load()})`);
    write('sluice.yaml', `name: bench_queue\n${metadata}\n`);
    await run(); // warms the caches both measured runs share (module compile, DuckDB load, the run store's tables)
    const inProcessMs = await run();
    write('sluice.yaml', `name: bench_queue\n${metadata}\nqueue: { type: redis, url: '${redisUrl}', prefix: ${prefix} }\n`);
    for (let i = 0; i < workers; i++) {
      const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', String(slotsPerWorker)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise<void>((started, failed) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('takes block runs') && started());
        child.once('exit', (code) => failed(new Error(`a worker exited (${code}) before it took block runs`)));
      });
      child.stdout!.resume();
    }
    const queuedMs = await run();
    const perSecond = (ms: number): string => (blocks / (ms / 1000)).toFixed(0);
    const overhead = (queuedMs - inProcessMs) / blocks;
    console.log(`  in-process: ${(inProcessMs / 1000).toFixed(2)} s, ${perSecond(inProcessMs)} blocks/s`);
    console.log(`  queue     : ${(queuedMs / 1000).toFixed(2)} s, ${perSecond(queuedMs)} blocks/s`);
    console.log(`  overhead per block: ${overhead.toFixed(1)} ms of run time (${(overhead * atOnce).toFixed(1)} ms of each block run's latency, ${atOnce} at once); target under ${TARGET_OVERHEAD_MS} ms: ${overhead < TARGET_OVERHEAD_MS ? 'met' : 'missed'}`);
    console.log(`load average after: ${load()}`);
  } finally {
    for (const child of children) {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)));
    }
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
