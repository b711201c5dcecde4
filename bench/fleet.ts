/**
 * What the scale-out benchmarks share: a project folder whose run store and
 * queue are on a schema and a Redis prefix of its own, and `sluice worker`
 * processes started in it and stopped again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(REPO, 'bin', 'sluice.js');
export const pgUrl = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const benchEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
export const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
}

/** A fresh PostgreSQL schema and Redis prefix; `settings` are the sluice.yaml lines that use them. */
export interface FleetPlace {
  readonly schema: string;
  readonly prefix: string;
  readonly metadata: string;
  readonly queue: string;
  /** Removes the queue's keys and the schema. */
  drop(db: pg.Client): Promise<void>;
}

export function fleetPlace(name: string): FleetPlace {
  const suffix = randomBytes(4).toString('hex');
  const schema = `bench_${name}_${suffix}`;
  const prefix = `bench-${name}-${suffix}`;
  return {
    schema,
    prefix,
    metadata: `metadata: { type: postgres, url: '${pgUrl}', schema: ${schema} }`,
    queue: `queue: { type: redis, url: '${redisUrl}', prefix: ${prefix} }`,
    async drop(db) {
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/** Node options for the `sluice` processes the benchmarks start: `--cpu-prof` and its folder with `--profile DIR`. */
export const sluiceNodeArgs: string[] = [];

/** Starts `sluice worker` in `dir` and resolves once it takes block runs. */
export async function startWorker(dir: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...sluiceNodeArgs, BIN, 'worker', ...args], { cwd: dir, env: benchEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((started, failed) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('takes block runs') && started());
    child.once('exit', (code) => failed(new Error(`a worker exited (${code}) before it took block runs`)));
  });
  child.stdout!.resume();
  return child;
}

export async function stopWorker(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  await exited;
}

/** Milliseconds of CPU (user and system, all threads) a live process has used, from /proc; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Milliseconds of CPU used by this process's children that ended and were waited for (cutime and cstime). */
export function endedChildrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/**
 * Follows the CPU of the PostgreSQL sessions that work on one schema: every
 * `everyMs` it looks for server processes whose statement names the schema
 * and keeps the last CPU reading of each; `total()` sums them. A session
 * ending between two looks loses at most that interval's CPU. Needs the
 * server on this machine.
 */
export function followSchemaSessions(db: pg.Client, schema: string, everyMs = 200): { total(): number; stop(): Promise<number> } {
  const seen = new Map<number, number>();
  let stopped = false;
  const look = async (): Promise<void> => {
    const { rows } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND position($1 in query) > 0`, [schema]);
    for (const { pid } of rows) if (!seen.has(pid)) seen.set(pid, 0);
    for (const pid of seen.keys()) {
      const now = cpuMsOf(pid);
      if (now) seen.set(pid, now);
    }
  };
  const total = (): number => [...seen.values()].reduce((sum, cpu) => sum + cpu, 0);
  const loop = (async () => {
    while (!stopped) {
      await look().catch(() => undefined);
      await new Promise((done) => setTimeout(done, everyMs));
    }
  })();
  return {
    total,
    async stop() {
      stopped = true;
      await loop;
      await look().catch(() => undefined);
      return total();
    },
  };
}

/** Clock ticks of the whole machine so far, and how many of them were idle (idle and iowait), from /proc/stat. */
function machineTicks(): { idle: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((sum, n) => sum + n, 0) };
}

/**
 * Follows, from `start()` to `stop()`, the share of the machine's CPU left idle and, every
 * `everyMs`, the wake-ups waiting in the queue under `prefix` (BullMQ's wait list): whether the
 * workers ever ran out of work, and whether CPU went unused while they had it.
 */
export function followQueueAndIdle(prefix: string, everyMs = 100): { stop(): Promise<{ idle: number; waitingMedian: number; emptyShare: number }> } {
  const redis = new Redis(redisUrl);
  const before = machineTicks();
  const waiting: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      waiting.push(await redis.llen(`${prefix}:block-runs:wait`).catch(() => 0));
      await new Promise((done) => setTimeout(done, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      redis.disconnect();
      const after = machineTicks();
      const sorted = [...waiting].sort((a, b) => a - b);
      return {
        idle: (after.idle - before.idle) / Math.max(1, after.total - before.total),
        waitingMedian: sorted[Math.floor(sorted.length / 2)] ?? 0,
        emptyShare: waiting.filter((n) => n === 0).length / Math.max(1, waiting.length),
      };
    },
  };
}
