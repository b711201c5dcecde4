import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { repoRoot, tempDir, writeProject } from './cli-helpers.ts';
import { testNatsUrl, testPgUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';

/** A project whose `pg` connection writes to a PostgreSQL schema of its own (random name). */
export interface StreamWorld {
  readonly dir: string;
  readonly name: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
  pipeline(name: string, yaml: string): void;
  close(): Promise<void>;
}

export async function createStreamWorld(prefix: string): Promise<StreamWorld> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const { dir, cleanup } = tempDir(`sluice-${prefix}-`);
  const client = new pg.Client({ connectionString: testPgUrl() });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`CREATE SCHEMA ${name}`);
  writeProject(dir, {
    'sluice.yaml': `name: ${name}\n`,
    'connections.yaml': ['connections:', '  pg:', '    type: postgres', `    url: "${testPgUrl()}"`, `    schema: ${name}`, ''].join('\n'),
  });
  return {
    dir,
    name,
    query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    pipeline: (pipeline, yaml) => writeProject(dir, { [`pipelines/${pipeline}.yaml`]: yaml }),
    async close() {
      await client.query(`DROP SCHEMA ${name} CASCADE`).catch(() => undefined);
      await client.end();
      cleanup();
    },
  };
}

/** A JetStream stream of its own holding the payloads, published in order; `drop` removes it. */
export async function publishToJetStream(stream: string, subject: string, payloads: readonly string[]): Promise<{ drop(): Promise<void> }> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: testNatsUrl() });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const js = jetstream(nc);
  for (let i = 0; i < payloads.length; i += 500) await Promise.all(payloads.slice(i, i + 500).map((p) => js.publish(subject, p)));
  await nc.close();
  return {
    async drop() {
      const again = await connect({ servers: testNatsUrl() });
      await (await jetstreamManager(again)).streams.delete(stream).catch(() => undefined);
      await again.close();
    },
  };
}

/** A Redis stream of its own holding the payloads in the field `data`; `drop` removes it. */
export async function publishToRedis(key: string, payloads: readonly string[]): Promise<{ drop(): Promise<void> }> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(testRedisUrl());
  for (let i = 0; i < payloads.length; i += 500) {
    const batch = redis.pipeline();
    for (const p of payloads.slice(i, i + 500)) batch.xadd(key, '*', 'data', p);
    await batch.exec();
  }
  return {
    async drop() {
      await redis.del(key);
      redis.disconnect();
    },
  };
}

/** `sluice stream run NAME` as a child process, its output kept. */
export function startStream(dir: string, pipeline: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'stream', 'run', pipeline], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}
