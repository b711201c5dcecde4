/**
 * What the scale-out benchmarks share: a project folder whose run store and
 * queue are on a schema and a Redis prefix of its own, and `sluice worker`
 * processes started in it and stopped again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
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

/** Starts `sluice worker` in `dir` and resolves once it takes block runs. */
export async function startWorker(dir: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', ...args], { cwd: dir, env: benchEnv, stdio: ['ignore', 'pipe', 'inherit'] });
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
