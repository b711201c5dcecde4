import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sluice, stop, writeProject } from './cli-helpers.ts';
import { createStreamWorld, publishToJetStream, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { testNatsUrl } from '../../src/testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

async function deleteFromJetStream(stream: string, seq: number): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: testNatsUrl() });
  await (await jetstreamManager(nc)).streams.deleteMessage(stream, seq);
  await nc.close();
}

const skip = await requirePrerequisites('postgres', 'nats-jetstream');

// Refuses orders noted 'poison' until the file is fixed.
const strict = "export default (order: { note: string }) => { if (order.note === 'poison') throw new Error('a poisoned order'); return order; };\n";
const fixed = 'export default (order: { note: string }) => order;\n';

/** A project whose pipeline `name` runs the strict transformer on orders from `source` into `orders`. */
async function createDlqWorld(prefix: string, name: string, source: string, settings: readonly string[]): Promise<StreamWorld> {
  const world = await createStreamWorld(prefix);
  writeProject(world.dir, { 'package.json': JSON.stringify({ name: 'shop', private: true, type: 'module' }), 'transforms/check.ts': strict });
  world.pipeline(
    name,
    [
      'kind: streaming',
      `source: ${source}`,
      'payload: { format: json, columns: { id: BIGINT NOT NULL, note: VARCHAR } }',
      ...settings,
      'transformers:',
      '  - { name: check, file: transforms/check.ts }',
      'sinks:',
      '  - { connection: pg, table: orders, mode: append }',
      '',
    ].join('\n'),
  );
  return world;
}

/** What the tests ask of a world: its rows, its dead letters, and a stream run until a condition holds. */
function observe(world: () => StreamWorld, name: string) {
  const countOf = async (table: string, where: string) => Number((await world().query(`SELECT count(*) AS n FROM ${world().name}.${table} WHERE ${where}`).catch(() => [{ n: -1 }]))[0]!.n);
  return {
    count: (where = 'true') => countOf('orders', where),
    letters: () => countOf('_sluice_dead_letters', `pipeline = '${name}'`),
    async streamUntil(what: string, done: () => Promise<boolean>) {
      const run = startStream(world().dir, name);
      await waitFor(done, { what, giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
      await stop(run.child, 'SIGINT');
      assert.equal(await run.exited, 0, run.output());
    },
    async listed() {
      const result = await sluice(world().dir, ['stream', 'dlq', 'list', name, '--json']);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      return JSON.parse(result.stdout) as { messageId: string; reason: string; payload: string; deliveries: number }[];
    },
  };
}

describe('sluice stream dlq: dead letters listed, replayed into JetStream after a fix, and dropped', { skip }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const name = `dlq_${randomBytes(4).toString('hex')}`;
  const stream = name.toUpperCase();
  const orders = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, note: i === 9 || i === 29 ? 'poison' : `order ${i + 1}` }));

  before(async () => {
    world = await createDlqWorld('stream_dlq', name, `{ type: nats_jetstream, stream: ${stream}, subject: '${name}.>', ack_wait: 2s }`, ['batch_size: 10', 'max_deliver: 2', 'retry_delay: 100ms']);
    ({ drop } = await publishToJetStream(stream, `${name}.orders`, orders.map((o) => JSON.stringify(o))));
  });
  after(async () => {
    await drop();
    await world?.close();
  });

  const { count, letters, streamUntil, listed } = observe(() => world, name);

  it('refuses a replay or drop that names no dead letter, or both kinds', async () => {
    const both = await sluice(world.dir, ['stream', 'dlq', 'drop', name, '--id', '1', '--all']);
    assert.equal(both.code, 2, both.stdout + both.stderr);
    assert.match(both.stderr, /give exactly one of --id ID or --all/);
    const neither = await sluice(world.dir, ['stream', 'dlq', 'replay', name]);
    assert.equal(neither.code, 2, neither.stdout + neither.stderr);
  });

  it('lists the poisoned orders with their reason, payload and deliveries, the rest committed', async () => {
    await streamUntil('38 orders and 2 dead letters', async () => (await count()) === 38 && (await letters()) === 2);
    const entries = await listed();
    assert.equal(entries.length, 2);
    for (const entry of entries) {
      assert.match(entry.reason, /a poisoned order/);
      assert.equal(entry.deliveries, 2);
      assert.equal(JSON.parse(entry.payload).note, 'poison');
    }
    assert.deepEqual(entries.map((e) => JSON.parse(e.payload).id).sort(), [10, 30]);
    const limited = await sluice(world.dir, ['stream', 'dlq', 'list', name, '--limit', '1']);
    assert.equal(limited.code, 0, limited.stderr);
    assert.match(limited.stdout, /a poisoned order/);
    assert.equal(limited.stdout.match(/a poisoned order/g)!.length, 1);
  });

  it('replays after the transformer is fixed, keeping the letter whose publish failed; drops it; the replayed row lands once', async () => {
    const [first, second] = (await listed()).sort((a, b) => JSON.parse(a.payload).id - JSON.parse(b.payload).id);
    const unknown = await sluice(world.dir, ['stream', 'dlq', 'drop', name, '--id', 'nope']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no dead letter with id 'nope'/);

    // The second letter's original message leaves the stream, and the pipeline's subject is a wildcard:
    // its replay has no subject to publish on and fails after the first letter was published.
    await deleteFromJetStream(stream, Number(second!.messageId));
    writeProject(world.dir, { 'transforms/check.ts': fixed });
    const replayed = await sluice(world.dir, ['stream', 'dlq', 'replay', name, '--all']);
    assert.equal(replayed.code, 1, replayed.stdout + replayed.stderr);
    assert.match(replayed.stdout, /replayed 1 dead letter of/);
    assert.match(replayed.stderr, new RegExp(`message ${second!.messageId} is no longer in the stream`));
    assert.deepEqual((await listed()).map((e) => e.messageId), [second!.messageId]);

    const dropped = await sluice(world.dir, ['stream', 'dlq', 'drop', name, '--id', second!.messageId]);
    assert.equal(dropped.code, 0, dropped.stdout + dropped.stderr);
    assert.match(dropped.stdout, /dropped 1 dead letter of/);
    assert.deepEqual(await listed(), []);

    await streamUntil('the replayed order committed', async () => (await count(`id = ${JSON.parse(first!.payload).id}`)) === 1);
    assert.equal(await count('id = 10'), 1);
    assert.equal(await count('id = 30'), 0);
    assert.equal(await count(), 39);
  });
});

const skipRedis = await requirePrerequisites('postgres', 'redis');

describe('sluice stream dlq replay into a Redis stream', { skip: skipRedis }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const name = `dlq_redis_${randomBytes(4).toString('hex')}`;

  before(async () => {
    world = await createDlqWorld('stream_dlq_redis', name, `{ type: redis_streams, stream: ${name}, claim_idle: 1s }`, ['max_deliver: 1']);
    const orders = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, note: i === 4 ? 'poison' : `order ${i + 1}` }));
    ({ drop } = await publishToRedis(name, orders.map((o) => JSON.stringify(o))));
  });
  after(async () => {
    await drop();
    await world?.close();
  });

  const { count, letters, streamUntil, listed } = observe(() => world, name);

  it('adds the fixed message to the stream as a new entry, and its row lands once', async () => {
    await streamUntil('9 orders and 1 dead letter', async () => (await count()) === 9 && (await letters()) === 1);
    const [letter] = await listed();
    assert.equal(JSON.parse(letter!.payload).id, 5);

    writeProject(world.dir, { 'transforms/check.ts': fixed });
    const replayed = await sluice(world.dir, ['stream', 'dlq', 'replay', name, '--id', letter!.messageId]);
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
    assert.equal(await letters(), 0);

    await streamUntil('the replayed order committed', async () => (await count('id = 5')) === 1);
    assert.equal(await count(), 10);
    assert.equal(await count('id = 5'), 1);
  });
});

const skipPublish = await requirePrerequisites('postgres', 'redis', 'nats-jetstream');

describe('dead_letter_publish: each dead letter also goes to a JetStream subject, before its row', { skip: skipPublish }, () => {
  let world: StreamWorld;
  let drop: () => Promise<void> = async () => undefined;
  const name = `dlq_pub_${randomBytes(4).toString('hex')}`;
  const deadStream = `${name.toUpperCase()}_DEAD`;

  async function jetstream() {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: testNatsUrl() });
    return { nc, jsm: await jetstreamManager(nc) };
  }

  before(async () => {
    const { nc, jsm } = await jetstream();
    await jsm.streams.add({ name: deadStream, subjects: [`${name}.dead.>`] });
    await nc.close();
    // The broker's address comes from the environment, as a password in it would.
    process.env.SLUICE_TEST_DEAD_LETTER_NATS = testNatsUrl();
    world = await createDlqWorld('stream_dlq_pub', name, `{ type: redis_streams, stream: ${name}, claim_idle: 1s }`, [
      'max_deliver: 1',
      `dead_letter_publish: { type: nats_jetstream, url: '\${SLUICE_TEST_DEAD_LETTER_NATS}', subject: '${name}.dead.{source}' }`,
    ]);
    const orders = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, note: i === 4 || i === 14 ? 'poison' : `order ${i + 1}` }));
    ({ drop } = await publishToRedis(name, orders.map((o) => JSON.stringify(o))));
  });
  after(async () => {
    await drop();
    const { nc, jsm } = await jetstream();
    await jsm.streams.delete(deadStream).catch(() => undefined);
    await nc.close();
    await world?.close();
  });

  const { count, letters, streamUntil, listed } = observe(() => world, name);

  it('refuses to start without the environment variable its broker url names, and says which', async () => {
    const result = await sluice(world.dir, ['stream', 'run', name], { SLUICE_TEST_DEAD_LETTER_NATS: undefined });
    assert.notEqual(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stderr, /needs the environment variable SLUICE_TEST_DEAD_LETTER_NATS, which is not set/);
    assert.equal(await count(), -1, 'nothing was written');
  });

  it('publishes one message per dead letter with its reason, payload and source position, and a restart adds none', async () => {
    await streamUntil('18 orders and 2 dead letters', async () => (await count()) === 18 && (await letters()) === 2);
    const { nc, jsm } = await jetstream();
    try {
      const published = async () => {
        const { state } = await jsm.streams.info(deadStream);
        const messages = [];
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const message = await jsm.streams.getMessage(deadStream, { seq });
          if (message) messages.push(message);
        }
        return messages;
      };
      const messages = await published();
      assert.equal(messages.length, 2);
      const listedIds = (await listed()).map((e) => e.messageId).sort();
      const deadMessages = messages.map((m) => ({ subject: m.subject, msgId: m.header?.get('Nats-Msg-Id'), body: m.json<{ pipeline: string; message_id: string; reason: string; payload: string; deliveries: number }>() }));
      assert.deepEqual(deadMessages.map((l) => l.body.message_id).sort(), listedIds);
      for (const letter of deadMessages) {
        assert.equal(letter.body.pipeline, name);
        assert.match(letter.body.reason, /a poisoned order/);
        assert.equal(JSON.parse(letter.body.payload).note, 'poison');
        assert.equal(letter.body.deliveries, 1);
        assert.equal(letter.subject.startsWith(`${name}.dead.`), true, letter.subject);
        assert.equal(letter.msgId, `${name}:dead:${letter.body.message_id}`);
      }

      // A second run takes one more good order and publishes no dead letter again.
      const more = await publishToRedis(name, [JSON.stringify({ id: 21, note: 'order 21' })]);
      try {
        await streamUntil('the 19th order', async () => (await count()) === 19);
      } finally {
        await more.drop();
      }
      assert.equal((await published()).length, 2);
      assert.equal(await letters(), 2);
    } finally {
      await nc.close();
    }
  });
});
