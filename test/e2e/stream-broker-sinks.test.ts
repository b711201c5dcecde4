import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { stop } from './cli-helpers.ts';
import { countRows, createStreamWorld, orderPayload, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { redisSinkStateKey } from '../../src/streaming/sinks/redis-streams-sink.ts';
import { testMqttUrl, testNatsUrl, testRabbitMqUrl, testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis', 'nats-jetstream', 'rabbitmq', 'mqtt');
const heavy = process.env.SLUICE_HEAVY === '1';

/** A published record as a test reads it back: its payload and the id the sink gave it. */
interface Received {
  readonly id: string;
  readonly payload: string;
  readonly key?: string;
}

/** A JetStream stream of the test's own capturing `subjects`, and everything stored in it, in order. */
async function jetStreamInbox(stream: string, subjects: string) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: testNatsUrl() });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subjects] });
  return {
    async count(): Promise<number> {
      return (await jsm.streams.info(stream)).state.messages;
    },
    async read(): Promise<Received[]> {
      const total = (await jsm.streams.info(stream)).state.messages;
      const out: Received[] = [];
      if (!total) return out;
      const consumer = await jetstream(nc).consumers.get(stream);
      const messages = await consumer.consume();
      for await (const m of messages) {
        out.push({ id: m.headers?.get('Nats-Msg-Id') ?? '', payload: m.string(), key: m.subject });
        if (m.info.pending === 0) break;
      }
      await messages.close();
      return out;
    },
    async drop() {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/** The entries of a Redis stream: payload in `data`, the record's id in `id`. */
async function redisInbox(key: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(testRedisUrl());
  return {
    count: () => redis.xlen(key),
    async read(): Promise<Received[]> {
      const entries = await redis.xrange(key, '-', '+');
      return entries.map(([, fields]) => {
        const f = Object.fromEntries(fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i]!, fields[i + 1]!]])));
        return { id: f.id ?? '', payload: f.data ?? '' };
      });
    },
    async drop(...keys: string[]) {
      await redis.del(key, ...keys);
      redis.disconnect();
    },
  };
}

/** Everything that arrives on a RabbitMQ queue of the test's own, taken as it comes. */
async function rabbitInbox(queue: string) {
  const amqp = await import('amqplib');
  const connection = await amqp.connect(testRabbitMqUrl());
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  const received: Received[] = [];
  await channel.consume(queue, (m) => m && received.push({ id: m.properties.messageId ?? '', payload: m.content.toString() }), { noAck: true });
  return {
    count: () => received.length,
    read: () => [...received],
    async drop() {
      await channel.deleteQueue(queue).catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/** Everything published on an MQTT topic filter while the test listens, with QoS 1. */
async function mqttInbox(filter: string) {
  const client = await mqtt.connectAsync(testMqttUrl(), { protocolVersion: 5, clean: true }, false);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => received.push({ id: String(packet.properties?.userProperties?.['sluice-id'] ?? ''), payload: payload.toString(), key: topic }));
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    count: () => received.length,
    read: () => [...received],
    drop: () => client.endAsync(),
  };
}

/** The order ids in received payloads, and how often each came. */
function idsOf(received: readonly Received[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const r of received) {
    const id = (JSON.parse(r.payload) as { id: number }).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('a streaming pipeline publishing to broker sinks', { skip }, () => {
  let world: StreamWorld;
  const tag = `sinks_${randomBytes(4).toString('hex')}`;
  const drops: (() => Promise<unknown>)[] = [];
  before(async () => {
    world = await createStreamWorld('stream_broker_sinks');
  });
  after(async () => {
    for (const drop of drops.reverse()) await drop().catch(() => undefined);
    await world?.close();
  });

  it('publishes each record to JetStream, Redis Streams, RabbitMQ and MQTT as JSON or CSV, subjects and topics filled from a column', async () => {
    const total = 300;
    const regions = ['eu', 'us', 'ap'];
    const events = range(total).map((id) => JSON.stringify({ id, amount: id / 4, region: regions[id % 3], note: id === 7 ? 'a "quoted", note' : `event ${id}` }));
    drops.push((await publishToRedis(`${tag}_src`, events)).drop);
    const nats = await jetStreamInbox(`${tag}_content`, `${tag}.content.>`);
    drops.push(nats.drop);
    const redis = await redisInbox(`${tag}_content_out`);
    drops.push(() => redis.drop(redisSinkStateKey(`${tag}_content_out`, 'content')));
    const rabbit = await rabbitInbox(`${tag}_content_q`);
    drops.push(rabbit.drop);
    const topics = await mqttInbox(`${tag}/content/#`);
    drops.push(topics.drop);
    world.pipeline(
      'content',
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${tag}_src }`,
        'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE, region: VARCHAR, note: VARCHAR } }',
        'batch_size: 100',
        'batch_wait: 20ms',
        'dead_letter_connection: pg',
        'sinks:',
        `  - { type: nats_jetstream, url: "${testNatsUrl()}", subject: "${tag}.content.{region}" }`,
        `  - { type: redis_streams, url: "${testRedisUrl()}", stream: ${tag}_content_out }`,
        `  - { type: rabbitmq, url: "${testRabbitMqUrl()}", queue: ${tag}_content_q, format: csv }`,
        `  - { type: mqtt, url: "${testMqttUrl()}", topic: "${tag}/content/{region}" }`,
        '',
      ].join('\n'),
    );
    const run = startStream(world.dir, 'content');
    const gaveUp = () => (run.child.exitCode !== null ? run.output() : undefined);
    await waitFor(async () => (await nats.count()) >= total && (await redis.count()) >= total && rabbit.count() >= total && topics.count() >= total, { what: `${total} records in each broker`, giveUpWhen: gaveUp });
    assert.match(run.output(), /streaming from .* into JetStream subject .*content\.\{region\}, Redis stream .*, RabbitMQ queue .*, MQTT topic/);
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());

    const expected = range(total).map((id) => ({ id, amount: id / 4, region: regions[id % 3], note: id === 7 ? 'a "quoted", note' : `event ${id}` }));
    const byId = <T extends { id: number }>(rows: T[]) => rows.sort((a, b) => a.id - b.id);
    const fromNats = await nats.read();
    assert.deepEqual(byId(fromNats.map((r) => JSON.parse(r.payload) as { id: number })), expected);
    for (const r of fromNats) {
      const row = JSON.parse(r.payload) as { id: number; region: string };
      assert.equal(r.key, `${tag}.content.${row.region}`, 'the subject is filled from the row');
    }
    // A record's id is the pipeline's name, its message's id and its place among the message's rows.
    const fromRedis = await redis.read();
    assert.deepEqual(byId(fromRedis.map((r) => JSON.parse(r.payload) as { id: number })), expected);
    assert.ok(fromRedis.every((r) => /^content:\d+-\d+#0$/.test(r.id)), fromRedis[0]?.id);
    assert.deepEqual(new Set(fromNats.map((r) => r.id)), new Set(fromRedis.map((r) => r.id)), 'every broker gets the same record ids');
    const csv = rabbit.read();
    assert.equal(csv.length, total);
    const line = (e: (typeof expected)[number]) => `${e.id},${e.amount},${e.region},${/[",]/.test(e.note) ? `"${e.note.replaceAll('"', '""')}"` : e.note}`;
    assert.deepEqual(csv.map((r) => r.payload).sort(), expected.map(line).sort());
    assert.ok(csv.every((r) => r.id.startsWith('content:')));
    const fromMqtt = topics.read();
    assert.deepEqual(byId(fromMqtt.map((r) => JSON.parse(r.payload) as { id: number })), expected);
    assert.ok(fromMqtt.every((r) => r.key === `${tag}/content/${(JSON.parse(r.payload) as { region: string }).region}` && r.id.startsWith('content:')));
  });

  it('loses nothing through SIGKILLs: the table and Redis once, JetStream once within its duplicate window, RabbitMQ and MQTT at least once', async (t) => {
    const total = heavy ? 50_000 : 1200;
    const kills = heavy ? 10 : 4;
    drops.push((await publishToRedis(`${tag}_kill_src`, range(total).map((id) => orderPayload(id)))).drop);
    const nats = await jetStreamInbox(`${tag}_kill`, `${tag}.kill`);
    drops.push(nats.drop);
    const redis = await redisInbox(`${tag}_kill_out`);
    drops.push(() => redis.drop(redisSinkStateKey(`${tag}_kill_out`, 'killed')));
    const rabbit = await rabbitInbox(`${tag}_kill_q`);
    drops.push(rabbit.drop);
    const topics = await mqttInbox(`${tag}/kill`);
    drops.push(topics.drop);
    world.pipeline(
      'killed',
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${tag}_kill_src, claim_idle: 1s }`,
        'payload: { columns: { id: BIGINT NOT NULL, amount: DOUBLE, note: VARCHAR } }',
        'batch_size: 200',
        'batch_wait: 50ms',
        'sinks:',
        '  - { connection: pg, table: killed }',
        `  - { type: nats_jetstream, url: "${testNatsUrl()}", subject: ${tag}.kill }`,
        `  - { type: redis_streams, url: "${testRedisUrl()}", stream: ${tag}_kill_out }`,
        `  - { type: rabbitmq, url: "${testRabbitMqUrl()}", queue: ${tag}_kill_q }`,
        `  - { type: mqtt, url: "${testMqttUrl()}", topic: ${tag}/kill }`,
        '',
      ].join('\n'),
    );
    // Each kill lands just after one broker got records and before the batch's table commit and ack, so its
    // messages come again: the one after the Redis stream's commit tests its committed ids, the one after
    // JetStream's its duplicate window, the ones after RabbitMQ's and MQTT's give them copies.
    const triggers: [string, () => Promise<number> | number][] = [['the Redis stream', () => redis.count()], ['JetStream', () => nats.count()], ['RabbitMQ', () => rabbit.count()], ['MQTT', () => topics.count()]];
    for (let k = 0; k < kills; k++) {
      const [what, count] = triggers[k % triggers.length]!;
      const target = Math.floor((total * (k + Math.random())) / (kills + 1));
      const run = startStream(world.dir, 'killed');
      await waitFor(async () => (await count()) >= target || run.child.exitCode !== null, { what: `${target} records in ${what} before kill ${k + 1}`, every: 5 });
      assert.equal(run.child.exitCode, null, run.output());
      await stop(run.child, 'SIGKILL');
    }
    const last = startStream(world.dir, 'killed');
    const gaveUp = () => (last.child.exitCode !== null ? last.output() : undefined);
    await waitFor(async () => (await countRows(world, 'killed')) >= total && (await redis.count()) >= total && rabbit.count() >= total && topics.count() >= total, { what: `all ${total} records in every sink`, giveUpWhen: gaveUp });
    await waitFor(() => /streaming from/.test(last.output()), { what: 'the last run to start streaming', giveUpWhen: gaveUp });
    await stop(last.child, 'SIGINT');
    assert.equal(await last.exited, 0, last.output());
    const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s FROM ${world.name}.killed`);
    assert.deepEqual({ rows: Number(row!.n), ids: Number(row!.k), checksum: Number(row!.s) }, { rows: total, ids: total, checksum: (total * (total + 1)) / 2 }, 'the table: each order once');

    const exactlyOnce = (seen: Map<number, number>, what: string) => {
      assert.equal(seen.size, total, `${what}: no record lost`);
      assert.deepEqual([...seen].filter(([, n]) => n !== 1), [], `${what}: no record twice`);
    };
    exactlyOnce(idsOf(await redis.read()), 'Redis stream');
    exactlyOnce(idsOf(await nats.read()), 'JetStream');
    // At-least-once: every id, copies allowed, each copy under its record's id so a consumer can drop it.
    for (const [what, received] of [['RabbitMQ', rabbit.read()], ['MQTT', topics.read()]] as const) {
      assert.equal(idsOf(received).size, total, `${what}: no record lost`);
      const idFor = new Map<string, number>();
      for (const r of received) {
        const order = (JSON.parse(r.payload) as { id: number }).id;
        assert.equal(idFor.get(r.id) ?? order, order, `${what}: one record id, one record`);
        idFor.set(r.id, order);
      }
      assert.equal(idFor.size, total, `${what}: a record keeps its id when published again`);
      t.diagnostic(`${what}: ${received.length - total} copies of ${total} records`);
    }
  });

  it('keeps a batch no queue takes unacknowledged, retrying until a queue is bound, then delivers every record', async () => {
    const total = 200;
    drops.push((await publishToRedis(`${tag}_unbound_src`, range(total).map((id) => JSON.stringify({ id, region: id % 2 ? 'eu' : 'us' })))).drop);
    const amqp = await import('amqplib');
    const connection = await amqp.connect(testRabbitMqUrl());
    const channel = await connection.createConfirmChannel();
    const exchange = `${tag}_x`;
    await channel.assertExchange(exchange, 'direct', { durable: false });
    drops.push(async () => {
      await channel.deleteExchange(exchange).catch(() => undefined);
      await connection.close();
    });
    const eu = await rabbitInbox(`${tag}_eu`);
    drops.push(eu.drop);
    const us = await rabbitInbox(`${tag}_us`);
    drops.push(us.drop);
    await channel.bindQueue(`${tag}_eu`, exchange, 'orders.eu');
    world.pipeline(
      'unbound',
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${tag}_unbound_src }`,
        'payload: { columns: { id: BIGINT NOT NULL, region: VARCHAR } }',
        'batch_size: 50',
        'dead_letter_connection: pg',
        'sinks:',
        `  - { type: rabbitmq, url: "${testRabbitMqUrl()}", exchange: ${exchange}, routing_key: "orders.{region}" }`,
        '',
      ].join('\n'),
    );
    const run = startStream(world.dir, 'unbound');
    const gaveUp = () => (run.child.exitCode !== null ? run.output() : undefined);
    await waitFor(() => /retrying in \d+ ms: .*no queue is bound for routing key 'orders\.us'/.test(run.output()), { what: 'the unroutable batch to be retried', giveUpWhen: gaveUp });
    assert.doesNotMatch(run.output(), /guest:guest/, 'the URL with its password is never logged');
    await channel.bindQueue(`${tag}_us`, exchange, 'orders.us');
    await waitFor(() => new Set([...eu.read(), ...us.read()].map((r) => r.payload)).size >= total, { what: `all ${total} records routed`, giveUpWhen: gaveUp });
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());
    assert.ok(us.read().every((r) => (JSON.parse(r.payload) as { region: string }).region === 'us'));
    assert.ok(eu.read().every((r) => (JSON.parse(r.payload) as { region: string }).region === 'eu'));
    assert.equal(idsOf(us.read()).size, total / 2);
  });

  it("publishes a window's rows to a broker sink as its table sink gets them", async () => {
    const readings = range(300).map((i) => JSON.stringify({ id: i, ts: new Date(Date.UTC(2026, 0, 1) + (i - 1) * 100).toISOString(), temp: i % 7 }));
    drops.push((await publishToRedis(`${tag}_readings`, readings)).drop);
    const nats = await jetStreamInbox(`${tag}_windows`, `${tag}.windows`);
    drops.push(nats.drop);
    world.pipeline(
      'windowed',
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${tag}_readings }`,
        'payload: { columns: { id: BIGINT NOT NULL, ts: TIMESTAMP NOT NULL, temp: DOUBLE } }',
        'batch_size: 40',
        'batch_wait: 20ms',
        'window: { type: tumbling, time: ts, size: 10s, aggregates: { n: count, high: max(temp) } }',
        'sinks:',
        `  - { type: nats_jetstream, url: "${testNatsUrl()}", subject: ${tag}.windows }`,
        '  - { connection: pg, table: windowed, mode: upsert, key: [window_start] }',
        '',
      ].join('\n'),
    );
    const run = startStream(world.dir, 'windowed');
    const gaveUp = () => (run.child.exitCode !== null ? run.output() : undefined);
    // 30 s of readings: the first two windows close, the third stays open.
    await waitFor(async () => (await countRows(world, 'windowed')) >= 2 && (await nats.count()) >= 2, { what: 'two windows in the table and the broker', giveUpWhen: gaveUp });
    await stop(run.child, 'SIGINT');
    assert.equal(await run.exited, 0, run.output());
    const table = (await world.query(`SELECT window_start, window_end, n, high FROM ${world.name}.windowed ORDER BY window_start`)).map((r) => ({ window_start: (r.window_start as Date).toISOString(), window_end: (r.window_end as Date).toISOString(), n: Number(r.n), high: Number(r.high) }));
    assert.deepEqual(table.map((r) => r.n), [100, 100]);
    const published = (await nats.read()).map((r) => JSON.parse(r.payload) as Record<string, unknown>);
    assert.deepEqual(published.map((r) => ({ window_start: r.window_start, window_end: r.window_end, n: Number(r.n), high: Number(r.high) })), table);
  });
});
