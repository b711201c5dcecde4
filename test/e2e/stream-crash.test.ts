import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stop } from './cli-helpers.ts';
import { createStreamWorld, publishToJetStream, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'nats-jetstream', 'redis');
const heavy = process.env.SLUICE_HEAVY === '1';
/** Messages published before the consumer is killed and restarted `kills` times. */
const messages = Number(process.env.SLUICE_STREAM_CRASH_MESSAGES ?? (heavy ? 200_000 : 3000));
const kills = heavy ? 10 : 3;

const brokers = {
  jetstream: {
    async publish(name: string, payloads: readonly string[]) {
      const stream = name.toUpperCase();
      const published = await publishToJetStream(stream, `${name}.events`, payloads);
      return { source: `{ type: nats_jetstream, stream: ${stream}, ack_wait: 2s }`, drop: published.drop };
    },
  },
  redis: {
    async publish(name: string, payloads: readonly string[]) {
      const published = await publishToRedis(name, payloads);
      return { source: `{ type: redis_streams, stream: ${name}, claim_idle: 2s }`, drop: published.drop };
    },
  },
};

const payload = (id: number, amount: unknown = id / 4) => JSON.stringify({ id, amount, note: `event ${id}` });

function pipelineYaml(source: string, table: string, extra: string[] = []): string {
  return ['kind: streaming', `source: ${source}`, 'payload:', '  format: json', '  columns: { id: BIGINT NOT NULL, amount: DOUBLE, note: VARCHAR }', 'batch_size: 200', 'batch_wait: 50ms', ...extra, 'sinks:', `  - { connection: pg, table: ${table} }`, ''].join('\n');
}

async function count(world: StreamWorld, table: string): Promise<number> {
  try {
    return Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.${table}`))[0]!.n);
  } catch {
    return 0;
  }
}

for (const [broker, { publish }] of Object.entries(brokers)) {
  describe(`a ${broker} stream into PostgreSQL`, { skip }, () => {
    let world: StreamWorld;
    const drops: (() => Promise<void>)[] = [];
    before(async () => {
      world = await createStreamWorld(`stream_${broker}`);
    });
    after(async () => {
      for (const drop of drops) await drop();
      await world?.close();
    });

    it(`puts every message in the table exactly once though the consumer is SIGKILLed ${kills} times`, async () => {
      const name = `crash_${randomBytes(4).toString('hex')}`;
      const { source, drop } = await publish(name, Array.from({ length: messages }, (_, i) => payload(i + 1)));
      drops.push(drop);
      world.pipeline(name, pipelineYaml(source, name));
      for (let k = 0; k < kills; k++) {
        // Each kill lands at a random point past the rows committed so far, often mid-batch.
        const target = Math.floor((messages * (k + Math.random())) / (kills + 1));
        const run = startStream(world.dir, name);
        await waitFor(async () => (await count(world, name)) >= target || run.child.exitCode !== null, { what: `${target} rows before kill ${k + 1}` });
        assert.equal(run.child.exitCode, null, run.output());
        await stop(run.child, 'SIGKILL');
      }
      const last = startStream(world.dir, name);
      await waitFor(async () => (await count(world, name)) >= messages, { what: `all ${messages} rows`, giveUpWhen: () => (last.child.exitCode !== null ? last.output() : undefined) });
      await stop(last.child, 'SIGINT');
      assert.equal(await last.exited, 0, last.output());
      const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k, sum(id) AS s, sum(amount) AS a FROM ${world.name}.${name}`);
      assert.deepEqual(
        { rows: Number(row!.n), ids: Number(row!.k), checksum: String(row!.s), amounts: Number(row!.a) },
        { rows: messages, ids: messages, checksum: String((messages * (messages + 1)) / 2), amounts: (messages * (messages + 1)) / 8 },
      );
    });

    it('writes each message once when two processes run the same pipeline at once', async () => {
      const name = `twice_${randomBytes(4).toString('hex')}`;
      const total = 2000;
      const { source, drop } = await publish(name, Array.from({ length: total }, (_, i) => payload(i + 1)));
      drops.push(drop);
      world.pipeline(name, pipelineYaml(source, name));
      const runs = [startStream(world.dir, name), startStream(world.dir, name)];
      await waitFor(async () => (await count(world, name)) >= total, { what: `all ${total} rows`, giveUpWhen: () => (runs.some((r) => r.child.exitCode !== null) ? runs.map((r) => r.output()).join('\n') : undefined) });
      for (const run of runs) await stop(run.child, 'SIGINT');
      for (const run of runs) assert.equal(await run.exited, 0, run.output());
      const [row] = await world.query(`SELECT count(*) AS n, count(DISTINCT id) AS k FROM ${world.name}.${name}`);
      assert.deepEqual({ rows: Number(row!.n), ids: Number(row!.k) }, { rows: total, ids: total });
    });

    it('dead-letters a poison message after exactly max_deliver deliveries and loads the other 999', async () => {
      const name = `poison_${randomBytes(4).toString('hex')}`;
      const payloads = Array.from({ length: 1000 }, (_, i) => (i === 499 ? payload(500, 'lots') : payload(i + 1)));
      const { source, drop } = await publish(name, payloads);
      drops.push(drop);
      const letters = `dead_${name}`;
      world.pipeline(name, pipelineYaml(source, name, ['max_deliver: 3', 'retry_delay: 100ms', `dead_letter_table: ${letters}`]));
      const run = startStream(world.dir, name);
      await waitFor(async () => (await count(world, name)) === 999 && (await count(world, letters)) === 1, { what: '999 rows and one dead letter', giveUpWhen: () => (run.child.exitCode !== null ? run.output() : undefined) });
      await stop(run.child, 'SIGINT');
      assert.equal(await run.exited, 0, run.output());
      const [letter] = await world.query(`SELECT message_id, reason, payload, deliveries FROM ${world.name}.${letters}`);
      assert.equal(Number(letter!.deliveries), 3);
      assert.match(String(letter!.reason), /column amount \(DOUBLE\): "lots" is not a valid value/);
      assert.equal(letter!.payload, payloads[499]);
      assert.equal(Number((await world.query(`SELECT count(*) AS n FROM ${world.name}.${name} WHERE id = 500`))[0]!.n), 0);
      // The process's own count of hand-backs: two retries, then the dead letter, and never a fourth delivery.
      const status = await import('./cli-helpers.ts').then(({ sluice }) => sluice(world.dir, ['stream', 'status', '--json']));
      const beat = (JSON.parse(status.stdout) as { pipeline: string; retried: number; deadLettered: number; state: string }[]).find((b) => b.pipeline === name)!;
      assert.deepEqual({ retried: beat.retried, deadLettered: beat.deadLettered, state: beat.state }, { retried: 2, deadLettered: 1, state: 'stopped' });
    });
  });
}
