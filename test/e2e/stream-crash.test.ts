import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stop } from './cli-helpers.ts';
import { assertEachOnceThroughKills, assertPoisonDeadLettered, countRows as count, createStreamWorld, orderPayload as payload, orderPipelineYaml as pipelineYaml, publishToJetStream, publishToRedis, startStream, type StreamWorld } from './stream-fixtures.ts';
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
      await assertEachOnceThroughKills(world, name, messages, kills);
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
      await assertPoisonDeadLettered(world, name, letters, { total: 1000, poison: 500, maxDeliver: 3, payload: payloads[499]! });
    });
  });
}
