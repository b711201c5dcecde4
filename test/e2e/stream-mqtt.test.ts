import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { stop, writeProject } from './cli-helpers.ts';
import { countRows, createStreamWorld, startStream, type StreamWorld } from './stream-fixtures.ts';
import { mosquittoPath } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'mosquitto');

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A Mosquitto of the test's own, with persistence in a temporary folder
 * (saved every second, which it logs), no limit on the messages it queues for a session,
 * and `kill` and `start` to SIGKILL it and bring it back on the same port.
 */
async function ownBroker() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-mosquitto-'));
  // Mosquitto started as root runs as its own user, which must be able to write the database here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'autosave_interval 1', 'max_queued_messages 0', ''].join('\n'));
  let child: ChildProcess | undefined;
  let log = '';
  const url = `mqtt://127.0.0.1:${port}`;
  const broker = {
    url,
    output: () => log,
    /** How often it logged saving its database. */
    saves: () => log.match(/Saving in-memory database/g)?.length ?? 0,
    async start() {
      child = spawn(mosquittoPath(), ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      await waitFor(async () => {
        const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 }, false);
        await client.endAsync();
        return true;
      }, { what: `Mosquitto on port ${port}`, timeout: 30_000, giveUpWhen: () => (child?.exitCode !== null ? log : undefined) });
    },
    async kill() {
      if (child && child.exitCode === null) await stop(child, 'SIGKILL');
    },
    async close() {
      await broker.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

interface Reading {
  readonly event: string;
  readonly device: string;
  readonly seq: number;
  readonly value: number;
}

/** Readings of 20 devices, each with its sequence; the value says which reading it is. */
function readings(count: number): Reading[] {
  return Array.from({ length: count }, (_, i) => ({ event: `ev-${i + 1}`, device: `d${(i % 20) + 1}`, seq: Math.floor(i / 20) + 1, value: i + 1 }));
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function publish(url: string, topic: string, events: readonly Reading[]): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5 });
  for (let i = 0; i < events.length; i += 200) await Promise.all(events.slice(i, i + 200).map((e) => client.publishAsync(topic, JSON.stringify(e), { qos: 1 })));
  await client.endAsync();
}

describe('an MQTT topic into PostgreSQL through a broker restart', { skip }, () => {
  let world: StreamWorld;
  let broker: Awaited<ReturnType<typeof ownBroker>>;
  const name = `mqtt_${randomBytes(4).toString('hex')}`;
  before(async () => {
    world = await createStreamWorld('stream_mqtt');
    broker = await ownBroker();
  });
  after(async () => {
    await broker?.close();
    await world?.close();
  });

  it('loads each distinct event once, shuffled and sent twice in part, and keeps the newest reading per device by sequence', async () => {
    const events = readings(4000);
    // A tenth of the events is published twice: an at-least-once producer.
    const sent = shuffle([...events, ...events.filter((_, i) => i % 10 === 3)]);
    const [early, late] = [sent.slice(0, 3000), sent.slice(3000)];
    // A paced consumer (about 300 events a second), so the broker is killed with much of the stream still queued.
    writeProject(world.dir, { 'package.json': JSON.stringify({ name: 'plant', private: true, type: 'module' }), 'transforms/pace.ts': 'export default async (rows: unknown[]) => { await new Promise((resolve) => setTimeout(resolve, 300)); return rows; };\n' });
    world.pipeline(
      name,
      [
        'kind: streaming',
        `source: { type: mqtt, url: '${broker.url}', topic: '${name}/readings', id_field: event }`,
        'payload: { columns: { event: VARCHAR NOT NULL, device: VARCHAR NOT NULL, seq: BIGINT NOT NULL, value: BIGINT } }',
        'batch_size: 100',
        'batch_wait: 50ms',
        'max_in_flight: 200',
        'transformers:',
        '  - { name: pace, file: transforms/pace.ts, per: batch }',
        'sinks:',
        `  - { connection: pg, table: ${name}_events }`,
        `  - { connection: pg, table: ${name}_latest, mode: upsert, key: device, sequence: seq }`,
        '',
      ].join('\n'),
    );
    const run = startStream(world.dir, name);
    let before = 0;
    try {
      // The session exists once the stream subscribed: from then on the broker queues for it.
      await waitFor(() => /streaming from MQTT topic/.test(run.output()) || run.child.exitCode !== null, { what: 'the stream subscribed' });
      await publish(broker.url, `${name}/readings`, early);
      // Past two of the broker's saves, so what it took is on disk (a busy machine stretches its second); then killed mid-stream.
      const saved = broker.saves();
      await waitFor(() => broker.saves() >= saved + 2, { what: 'two saves of the broker' });
      await waitFor(async () => (await countRows(world, `${name}_events`)) >= 300 || run.child.exitCode !== null, { what: 'rows before the broker is killed' });
      before = await countRows(world, `${name}_events`);
      await broker.kill();
      assert.ok(before < new Set(early.map((e) => e.event)).size, `killed mid-stream (${before} rows in)`);
      await sleep(500);
      await broker.start();
      await publish(broker.url, `${name}/readings`, late);

      await waitFor(async () => (await countRows(world, `${name}_events`)) >= events.length, {
        what: `all ${events.length} events`,
        giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined),
      }).catch(async (error: Error) => {
        const have = new Set((await world.query(`SELECT event FROM ${world.name}.${name}_events`)).map((r) => String(r.event)));
        const missing = events.filter((e) => !have.has(e.event)).map((e) => e.event);
        const published = new Set(early.map((e) => e.event));
        error.message += `; missing ${missing.length} events, ${missing.filter((m) => published.has(m)).length} of them published before the kill (${before} rows were in)`;
        throw new Error(`${error.message}; ${await countRows(world, `${name}_events`)} rows; the stream said:\n${run.output()}\nthe broker said:\n${broker.output()}`);
      });
      await sleep(500);
    } finally {
      await stop(run.child, 'SIGINT');
    }
    assert.equal(await run.exited, 0, run.output());
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT event) AS k, sum(value) AS s FROM ${world.name}.${name}_events`);
    assert.deepEqual({ rows: Number(row!.n), events: Number(row!.k), sum: Number(row!.s) }, { rows: events.length, events: events.length, sum: (events.length * (events.length + 1)) / 2 });
    const latest = await world.query(`SELECT device, seq, value FROM ${world.name}.${name}_latest ORDER BY device`);
    const newest = new Map<string, Reading>();
    for (const e of events) if ((newest.get(e.device)?.seq ?? 0) < e.seq) newest.set(e.device, e);
    assert.deepEqual(
      latest.map((r) => [r.device, Number(r.seq), Number(r.value)]),
      [...newest.values()].sort((a, b) => a.device.localeCompare(b.device)).map((e) => [e.device, e.seq, e.value]),
    );
    // The pipeline's session was taken up again on the restarted broker (Mosquitto logs each connection).
    assert.ok((broker.output().match(new RegExp(`connected from .* as sluice_${name} \\(p5, c0`, 'g')) ?? []).length >= 2, broker.output());
  });
});
