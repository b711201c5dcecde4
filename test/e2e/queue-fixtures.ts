import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { Redis } from 'ioredis';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { repoRoot, stop, tempDir, writeProject } from './cli-helpers.ts';

/** A project whose block runs go through a Redis queue to `sluice worker` processes, on its own schema and key prefix. */
export interface QueueProject {
  readonly dir: string;
  readonly schema: string;
  readonly prefix: string;
  readonly env: NodeJS.ProcessEnv;
  readonly db: pg.Pool;
  readonly redis: Redis;
  /** Starts `sluice worker` in `cwd` (the project by default) and resolves once it takes block runs. */
  startWorker(args?: string[], cwd?: string): Promise<WorkerProcess>;
  /** Removes every key of the project's queue from Redis: a FLUSHALL, for this project only (the server is shared). */
  flushQueue(): Promise<number>;
  cleanup(): Promise<void>;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves when the output matches, rejects if the worker exits first. */
  until(pattern: RegExp, what: string): Promise<void>;
}

/** `settings` are more lines of sluice.yaml, after its metadata and queue. */
export async function createQueueProject(files: Record<string, string>, prefixName = 'so-queue', settings: readonly string[] = []): Promise<QueueProject> {
  const suffix = randomBytes(4).toString('hex');
  const schema = `so_queue_${suffix}`;
  const prefix = `${prefixName}-${suffix}`;
  const { dir, cleanup } = tempDir('sluice-queue-');
  const env = { SLUICE_METADATA_URL: testPgUrl(), REDIS_URL: testRedisUrl() };
  writeProject(dir, {
    'sluice.yaml': [
      'name: fleet',
      `metadata: { type: postgres, url: '\${SLUICE_METADATA_URL}', schema: ${schema} }`,
      `queue: { type: redis, url: '\${REDIS_URL}', prefix: ${prefix} }`,
      ...settings,
      '',
    ].join('\n'),
    ...files,
  });
  const db = new pg.Pool({ connectionString: testPgUrl(), max: 2 });
  const redis = new Redis(testRedisUrl(), { lazyConnect: true });
  await redis.connect();
  const workers: ChildProcess[] = [];
  return {
    dir,
    schema,
    prefix,
    env,
    db,
    redis,
    async startWorker(args = [], cwd = dir) {
      let text = '';
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'worker', ...args], {
        cwd,
        env: { ...process.env, CI: '1', NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push(child);
      const listeners = new Set<() => void>();
      const append = (d: Buffer): void => {
        text += d.toString();
        for (const listener of listeners) listener();
      };
      child.stdout!.on('data', append);
      child.stderr!.on('data', append);
      const until = (pattern: RegExp, what: string): Promise<void> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            if (pattern.test(text)) {
              listeners.delete(check);
              resolve();
            }
          };
          listeners.add(check);
          child.once('exit', (code, signal) => reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before ${what}:\n${text}`)));
          check();
        });
      await until(/takes block runs/, 'it took block runs');
      return { child, pid: child.pid!, output: () => text, until };
    },
    async flushQueue() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      return keys.length;
    },
    async cleanup() {
      for (const child of workers) {
        if (child.signalCode === 'SIGSTOP') child.kill('SIGCONT');
        await stop(child, 'SIGKILL');
      }
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.end();
      cleanup();
    },
  };
}

/** The rows of a stored output (a Parquet file), read as a user's tool would. */
export async function readOutput(file: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}
