import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { repoRoot, sluice, stop, tempDir, writeProject } from './cli-helpers.ts';
import { testNatsUrl, testPgUrl, testRabbitMqUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

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

/** A durable RabbitMQ queue of its own holding the payloads (persistent, each with a message-id from `ids`); `drop` removes it and its retry queue. */
export async function publishToRabbitMq(queue: string, payloads: readonly string[], ids?: (index: number) => string): Promise<{ drop(): Promise<void> }> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect(testRabbitMqUrl());
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (let i = 0; i < payloads.length; i += 500) {
    payloads.slice(i, i + 500).forEach((p, j) => channel.sendToQueue(queue, Buffer.from(p), { persistent: true, messageId: ids?.(i + j) }));
    await channel.waitForConfirms();
  }
  return {
    async drop() {
      for (const name of [queue, `${queue}.retry`]) await channel.deleteQueue(name).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Rows in a table of the world's schema; 0 before the table exists. */
export async function countRows(world: StreamWorld, table: string, where = 'true'): Promise<number> {
  try {
    return Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.${table} WHERE ${where}`))[0]!.n);
  } catch {
    return 0;
  }
}

/** An order event with id, amount and note, as the kill tests publish them. */
export const orderPayload = (id: number, amount: unknown = id / 4): string => JSON.stringify({ id, amount, note: `event ${id}` });

/** A streaming pipeline of order events from `source` into `table`, appended. */
export function orderPipelineYaml(source: string, table: string, extra: readonly string[] = []): string {
  return ['kind: streaming', `source: ${source}`, 'payload:', '  format: json', '  columns: { id: BIGINT NOT NULL, amount: DOUBLE, note: VARCHAR }', 'batch_size: 200', 'batch_wait: 50ms', ...extra, 'sinks:', `  - { connection: pg, table: ${table} }`, ''].join('\n');
}

/**
 * Runs the pipeline `name` (order events 1..messages, already published) and
 * SIGKILLs it `kills` times, each at a random point past the rows committed so
 * far, often mid-batch; then runs it to the end and checks every order is in
 * the table exactly once.
 */
export async function assertEachOnceThroughKills(world: StreamWorld, name: string, messages: number, kills: number): Promise<void> {
  for (let k = 0; k < kills; k++) {
    const target = Math.floor((messages * (k + Math.random())) / (kills + 1));
    const run = startStream(world.dir, name);
    await waitFor(async () => (await countRows(world, name)) >= target || run.child.exitCode !== null, { what: `${target} rows before kill ${k + 1}` });
    assert.equal(run.child.exitCode, null, run.output());
    await stop(run.child, 'SIGKILL');
  }
  const last = startStream(world.dir, name);
  const lastGaveUp = () => (last.child.exitCode !== null ? last.output() : undefined);
  await waitFor(async () => (await countRows(world, name)) >= messages, { what: `all ${messages} rows`, giveUpWhen: lastGaveUp });
  // The last kill may land after every row was committed: Ctrl-C is heard once the stream has started, not while it loads.
  await waitFor(() => /streaming from/.test(last.output()), { what: 'the last run to start streaming', giveUpWhen: lastGaveUp });
  await stop(last.child, 'SIGINT');
  assert.equal(await last.exited, 0, last.output());
  const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s, sum(amount) AS a FROM ${world.name}.${name}`);
  assert.deepEqual(
    { rows: Number(row!.n), ids: Number(row!.k), checksum: String(row!.s), amounts: Number(row!.a) },
    { rows: messages, ids: messages, checksum: String((messages * (messages + 1)) / 2), amounts: (messages * (messages + 1)) / 8 },
  );
}

/**
 * Runs the pipeline `name` (order events 1..total, already published, the
 * one with id `poison` carrying an amount that is not a number) until all
 * but the poison are in the table and the poison is in the dead letters
 * (`letters`); checks it was dead-lettered on its `maxDeliver`-th delivery
 * after `maxDeliver - 1` retries and never delivered once more.
 */
export async function assertPoisonDeadLettered(world: StreamWorld, name: string, letters: string, options: { total: number; poison: number; maxDeliver: number; payload: string }): Promise<void> {
  const { total, poison, maxDeliver } = options;
  const run = startStream(world.dir, name);
  await waitFor(async () => (await countRows(world, name)) === total - 1 && (await countRows(world, letters)) === 1, { what: `${total - 1} rows and one dead letter`, giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
  await stop(run.child, 'SIGINT');
  assert.equal(await run.exited, 0, run.output());
  const [letter] = await world.query(`SELECT message_id, reason, payload, deliveries FROM ${world.name}.${letters}`);
  assert.equal(Number(letter!.deliveries), maxDeliver);
  assert.match(String(letter!.reason), /column amount \(DOUBLE\): "lots" is not a valid value/);
  assert.equal(letter!.payload, options.payload);
  assert.equal(await countRows(world, name, `id = ${poison}`), 0);
  assert.equal(Number((await world.query(`SELECT count(DISTINCT id) AS k FROM ${world.name}.${name}`))[0]!.k), total - 1);
  // The process's own count of hand-backs: the retries, then the dead letter, and never one delivery more.
  const status = await sluice(world.dir, ['stream', 'status', '--json']);
  const beat = (JSON.parse(status.stdout) as { pipeline: string; retried: number; deadLettered: number; state: string }[]).find((b) => b.pipeline === name)!;
  assert.deepEqual({ retried: beat.retried, deadLettered: beat.deadLettered, state: beat.state }, { retried: maxDeliver - 1, deadLettered: 1, state: 'stopped' });
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
