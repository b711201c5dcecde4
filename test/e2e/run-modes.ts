import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createS3Client } from '../../src/core/output-store/s3-client.ts';
import { testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { startS3TestServer, type S3TestServer } from '../../src/testing/s3-test-server.ts';
import { stop } from './cli-helpers.ts';
import { startWorkerProcess } from './worker-process.ts';

/** Where block runs execute and where their outputs are kept: the two seams a run's e2e tests are run across. */
export interface RunMode {
  readonly executor: 'in-process' | 'queue';
  readonly outputs: 'local' | 's3';
  /** Appended to a describe's name: empty for the default (in-process, local), else e.g. ` [queue, s3]`. */
  readonly label: string;
}

const mode = (executor: RunMode['executor'], outputs: RunMode['outputs']): RunMode => ({
  executor,
  outputs,
  label: executor === 'in-process' && outputs === 'local' ? '' : ` [${executor}, ${outputs}]`,
});

/**
 * The modes a run's e2e tests run in: the default, and block runs through the
 * queue to `sluice worker` with outputs in an S3 bucket (the farthest from
 * it). SLUICE_HEAVY=1 adds the two mixed ones.
 */
export function runModes(env: NodeJS.ProcessEnv = process.env): RunMode[] {
  const modes = [mode('in-process', 'local'), mode('queue', 's3')];
  if (env.SLUICE_HEAVY === '1') modes.push(mode('in-process', 's3'), mode('queue', 'local'));
  return modes;
}

/** Why a mode cannot run here (its services are missing), or false. */
export async function skipMode(runMode: RunMode): Promise<string | false> {
  return runMode.executor === 'queue' ? requirePrerequisites('postgres', 'redis') : false;
}

/** A mode made real for one project: the sluice.yaml lines that choose it, and the workers it needs. */
export interface ModeSetup {
  /** Lines for sluice.yaml (metadata, queue and outputs settings); none for the default mode. */
  readonly settings: readonly string[];
  /** Starts what runs block runs outside the CLI (two workers, for the queue), in the project folder once it is written. */
  start(dir: string): Promise<void>;
  /** The names of the outputs a run stored (`broken.parquet`, …), wherever the mode keeps them; empty when it stored none. */
  outputNames(dir: string, pipeline: string, runId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Sets a mode up with its own PostgreSQL schema, Redis key prefix and S3 bucket prefix, so tests never share them. */
export async function setUpMode(runMode: RunMode, name: string): Promise<ModeSetup> {
  const suffix = `${name}_${randomBytes(4).toString('hex')}`;
  const settings: string[] = [];
  let s3: S3TestServer | undefined;
  if (runMode.outputs === 's3') {
    s3 = await startS3TestServer();
    settings.push(
      `outputs: { store: s3, bucket: ${s3.bucket}, prefix: ${suffix}, endpoint: '${s3.endpoint}', force_path_style: true, access_key_id: ${s3.accessKeyId}, secret_access_key: ${s3.secretAccessKey} }`,
    );
  }
  const schema = `so_mode_${suffix}`;
  const prefix = `so-mode-${suffix}`;
  if (runMode.executor === 'queue') {
    settings.push(`metadata: { type: postgres, url: '${testPgUrl()}', schema: ${schema} }`, `queue: { type: redis, url: '${testRedisUrl()}', prefix: ${prefix} }`);
  }
  const workers: ChildProcess[] = [];
  return {
    settings,
    async start(dir) {
      if (runMode.executor !== 'queue') return;
      await Promise.all([1, 2].map(() => startWorkerProcess(dir, {}, ['--concurrency', '2'], undefined, (child) => workers.push(child))));
    },
    async outputNames(dir, pipeline, runId) {
      if (!s3) {
        const folder = path.join(dir, '.sluice/outputs', pipeline, runId);
        return existsSync(folder) ? readdirSync(folder) : [];
      }
      const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, partSize: 64 * 2 ** 20 });
      const names: string[] = [];
      const under = `${suffix}/${pipeline}/${runId}/`;
      for await (const key of client.list(s3.bucket, under)) names.push(key.slice(under.length));
      return names;
    },
    async close() {
      await Promise.all(workers.map((child) => stop(child, 'SIGKILL')));
      if (runMode.executor === 'queue') {
        const redis = new Redis(testRedisUrl(), { lazyConnect: true });
        await redis.connect();
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
        const db = new pg.Client({ connectionString: testPgUrl() });
        await db.connect();
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.end();
      }
      await s3?.close();
    },
  };
}
