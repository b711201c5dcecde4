import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { Redis } from 'ioredis';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { repoRoot, stop, tempDir, writeProject } from './cli-helpers.ts';
import { startWorkerProcess, type WorkerHost, type WorkerProcess } from './worker-process.ts';

export type { WorkerHost, WorkerProcess } from './worker-process.ts';

/** A project whose block runs go through a Redis queue to `sluice worker` processes, on its own schema and key prefix. */
export interface QueueProject {
  readonly dir: string;
  readonly schema: string;
  readonly prefix: string;
  readonly env: NodeJS.ProcessEnv;
  readonly db: pg.Pool;
  readonly redis: Redis;
  /**
   * Starts `sluice worker` in `cwd` (the project by default) and resolves once it takes block runs;
   * on `host`, through its command and with its environment (how it reaches the services).
   */
  startWorker(args?: string[], cwd?: string, host?: WorkerHost): Promise<WorkerProcess>;
  /** Removes every key of the project's queue from Redis: a FLUSHALL, for this project only (the server is shared). */
  flushQueue(): Promise<number>;
  cleanup(): Promise<void>;
}

/** `settings`: more lines of sluice.yaml (the output store, say). */
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
    async startWorker(args = [], cwd = dir, host) {
      return startWorkerProcess(cwd, env, args, host, (child) => workers.push(child));
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

/** `sluice serve` (API and a scheduler) in `cwd`, with a short lease so a killed one is noticed fast. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  api(route: string, init?: RequestInit): Promise<Response>;
}

export async function startServer(cwd: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const token = 'queue-fault-token-0123456789abcdef';
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1', SLUICE_API_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const url = await waitFor(() => /API on (http:\/\/\S+)/.exec(text)?.[1], {
    what: 'the server to start',
    giveUpWhen: () => (child.exitCode !== null ? text : undefined),
  });
  return {
    child,
    pid: child.pid!,
    output: () => text,
    api: (route, init = {}) => fetch(`${url}${route}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }),
  };
}

/**
 * A pipeline `daily` whose block makes `base` + day-of-month rows for its
 * logical date, after `delayMs` (and `gate`), with amounts that differ from day to day,
 * and lands them in `TARGET_SCHEMA.daily`, one partition per day.
 */
export function dailyPartitionFiles(options: {
  readonly base: number;
  readonly delayMs: number;
  readonly pipelineLines?: readonly string[];
  /** The block also waits until a file of this name is in its working folder: a gate the test opens. */
  readonly gate?: string;
}): Record<string, string> {
  return {
    'connections.yaml': "connections:\n  pg:\n    connector: postgres\n    url: '${SLUICE_METADATA_URL}'\n    schema: '${TARGET_SCHEMA}'\n",
    'pipelines/daily.yaml': [
      ...(options.pipelineLines ?? []),
      'blocks:',
      '  - { name: day, file: blocks/day.ts }',
      '  - { name: land, connection: pg, upstream: [day], settings: { table: daily, mode: partition, partition_column: day } }',
      '',
    ].join('\n'),
    'blocks/day.ts': `import { existsSync } from 'node:fs';
export default async (_inputs: unknown, ctx: { logicalDate: string }) => {
  await new Promise((resolve) => setTimeout(resolve, ${options.delayMs}));
  while (${JSON.stringify(options.gate ?? '')} && !existsSync(${JSON.stringify(options.gate ?? '')})) await new Promise((resolve) => setTimeout(resolve, 50));
  const day = String(ctx.logicalDate).slice(0, 10);
  const d = Number(day.slice(8, 10));
  return Array.from({ length: ${options.base} + d }, (_, i) => ({ day, i, amount: (i * 100 + d) / 100 }));
};
`,
  };
}

/** The rows a day's partition of `dailyPartitionFiles` must hold: how many, and their amounts summed. */
export function expectedDailyPartition(day: string, base: number): { n: number; amount: string } {
  const d = Number(day.slice(8, 10));
  const n = base + d;
  let cents = 0;
  for (let i = 0; i < n; i++) cents += i * 100 + d;
  return { n, amount: (cents / 100).toFixed(2) };
}

/** Each day's partition in `SCHEMA.daily` as [day, rows, amount summed, distinct row numbers], by day. */
export async function dailyPartitions(db: pg.Pool, schema: string): Promise<[string, number, string, number][]> {
  const { rows } = await db.query(
    `SELECT day, count(*)::int AS n, sum(amount)::numeric(12,2)::text AS amount, count(DISTINCT i)::int AS distinct_i FROM ${schema}.daily GROUP BY day ORDER BY day`,
  );
  return rows.map((p) => [String(p.day).slice(0, 10), p.n, p.amount, p.distinct_i]);
}
