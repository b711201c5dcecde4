import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { streamSourceSchema } from '../../core/pipeline/streaming-schema.ts';
import { testNatsUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';
import type { StreamMessage } from '../stream-source.ts';
import { openNatsJetStreamSource } from './nats-jetstream-source.ts';

const skip = await requirePrerequisites('nats-jetstream');

describe('the NATS JetStream source', { skip }, () => {
  const stream = `SLUICE_TEST_${randomBytes(4).toString('hex').toUpperCase()}`;
  const running = new AbortController().signal;
  let drop: () => Promise<void> = async () => undefined;
  const open = (maxInFlight: number) =>
    openNatsJetStreamSource(streamSourceSchema.parse({ type: 'nats_jetstream', url: testNatsUrl(), stream, ack_wait: '30s' }) as never, { pipeline: `p_${stream}`, maxInFlight });

  before(async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: testNatsUrl() });
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream}.>`] });
    const js = jetstream(nc);
    for (let i = 1; i <= 200; i++) await js.publish(`${stream}.events`, String(i));
    await nc.close();
    drop = async () => {
      const again = await connect({ servers: testNatsUrl() });
      await (await jetstreamManager(again)).streams.delete(stream);
      await again.close();
    };
  });
  after(() => drop());

  it('never holds more unacknowledged messages than the in-flight bound, and moves on as they are acknowledged', async () => {
    const source = await open(50);
    try {
      const held: StreamMessage[] = [];
      await waitFor(async () => (held.push(...(await source.pull(200, 50, running))), held.length >= 50), { what: '50 messages' });
      // The broker stops at the bound: waiting longer brings nothing more.
      await sleep(300);
      held.push(...(await source.pull(200, 50, running)));
      assert.equal(held.length, 50);
      assert.equal(await source.lag(), 200);
      await source.ack(held);
      const next = await waitFor(async () => {
        const got = await source.pull(200, 50, running);
        return got.length && got;
      }, { what: 'more after the acks' });
      assert.equal(next[0]!.id, '51');
      assert.ok((await source.settledIds())('50'));
      await source.ack(next);
    } finally {
      await source.close();
    }
  });

  it('delivers a message handed back again after its delay, counting the delivery', async () => {
    const source = await open(500);
    try {
      const first = await waitFor(async () => (await source.pull(1, 50, running))[0], { what: 'a message' });
      await source.retryLater([first], 100);
      const again = await waitFor(async () => {
        const got = await source.pull(500, 50, running);
        await source.ack(got.filter((m) => m.id !== first.id));
        return got.find((m) => m.id === first.id);
      }, { what: 'the message again' });
      assert.equal(again.deliveries, first.deliveries + 1);
      assert.equal((await source.settledIds())(again.id), false);
      await source.ack([again]);
    } finally {
      await source.close();
    }
  });

  it('acknowledges a message held past ack_wait through its newest delivery, so it does not come a third time', async () => {
    const source = await openNatsJetStreamSource(streamSourceSchema.parse({ type: 'nats_jetstream', url: testNatsUrl(), stream, consumer: `held_${stream}`, ack_wait: '1s' }) as never, {
      pipeline: `p_${stream}`,
      maxInFlight: 1,
    });
    try {
      const first = await waitFor(async () => (await source.pull(1, 50, running))[0], { what: 'a message' });
      // Held (as while a slow commit runs) until the broker delivers it again.
      const second = await waitFor(async () => (await source.pull(1, 50, running)).find((m) => m.id === first.id), { what: 'the message again' });
      assert.equal(second.deliveries, 2);
      // The first copy's batch commits and acknowledges it: the broker must count the message done.
      await source.ack([first]);
      await waitFor(async () => (await source.settledIds())(first.id), { what: 'the message settled' });
      // The broker moves on to the next message (a copy delivered once more before the ack arrived is acknowledged too).
      await source.ack([second]);
      const next = await waitFor(async () => {
        const got = await source.pull(1, 50, running);
        await source.ack(got);
        return got.find((m) => m.id !== first.id);
      }, { what: 'the next message' });
      assert.equal(Number(next.id), Number(first.id) + 1);
    } finally {
      await source.close();
    }
  });

  it('takes the messages a killed process left unacknowledged before newer ones, when asked to', async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager, AckPolicy } = await import('@nats-io/jetstream');
    const durable = `killed_${stream}`;
    // A process takes ten messages and dies without acknowledging them.
    const nc = await connect({ servers: testNatsUrl() });
    await (await jetstreamManager(nc)).consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });
    const taken: string[] = [];
    for await (const m of await (await jetstream(nc).consumers.get(stream, durable)).fetch({ max_messages: 10, expires: 5000 })) {
      taken.push(String(m.seq));
      if (taken.length === 10) break;
    }
    await nc.close();

    const source = await openNatsJetStreamSource(streamSourceSchema.parse({ type: 'nats_jetstream', url: testNatsUrl(), stream, consumer: durable, ack_wait: '2s' }) as never, {
      pipeline: `p_${stream}`,
      maxInFlight: 500,
      redeliveriesFirst: true,
    });
    try {
      const got: StreamMessage[] = [];
      // Each batch is acknowledged as it comes, so that on a slow machine none waits out ack_wait and comes a third time.
      await waitFor(async () => {
        const batch = await source.pull(500, 50, running);
        got.push(...batch);
        await source.ack(batch);
        return got.length >= 20;
      }, { what: '20 messages' });
      assert.deepEqual(got.slice(0, 10).map((m) => m.id), taken, 'the unacknowledged ones first');
      assert.ok(got.slice(0, 10).every((m) => m.deliveries === 2));
      const newer = got.slice(10, 20);
      assert.deepEqual(newer.filter((m) => Number(m.id) <= 10), [], 'no message taken by the killed process comes after a newer one');
      // Newer messages read while those were awaited were held past their own ack_wait, so some come a second time (docs/streaming.md).
      assert.ok(newer.every((m) => m.deliveries >= 1), 'newer messages follow');
    } finally {
      await source.close();
    }
  });
});
