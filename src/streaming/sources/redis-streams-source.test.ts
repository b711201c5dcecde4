import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { streamSourceSchema } from '../../core/pipeline/streaming-schema.ts';
import { testRedisUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';
import { collectBatch } from '../collect-batch.ts';
import type { StreamMessage, StreamSource } from '../stream-source.ts';
import { openRedisStreamsSource } from './redis-streams-source.ts';

const skip = await requirePrerequisites('redis');

describe('the Redis Streams source', { skip }, () => {
  const key = `sluice_test_${randomBytes(4).toString('hex')}`;
  const running = new AbortController().signal;
  let redis: Redis;
  const open = (consumer: string, claimIdle = '30s') =>
    openRedisStreamsSource(streamSourceSchema.parse({ type: 'redis_streams', url: testRedisUrl(), stream: key, consumer, claim_idle: claimIdle }) as never, { pipeline: 'p', maxInFlight: 1000 });
  const ids = (messages: readonly StreamMessage[]) => messages.map((m) => Buffer.from(m.payload).toString());
  const pullAll = async (source: StreamSource, want: number) => {
    const got: StreamMessage[] = [];
    await waitFor(async () => (got.push(...(await source.pull(want - got.length, 50, running))), got.length >= want), { what: `${want} messages` });
    return got;
  };

  before(async () => {
    redis = new Redis(testRedisUrl());
    for (let i = 1; i <= 250; i++) await redis.xadd(key, '*', 'data', String(i));
  });
  after(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('closes micro-batches at the batch size, and the last one on time with what came', async () => {
    const source = await open('sizes');
    try {
      const sizes = [];
      for (let i = 0; i < 3; i++) {
        const batch = await collectBatch(source, 100, 100, running);
        sizes.push(batch.length);
        await source.ack(batch);
      }
      assert.deepEqual(sizes, [100, 100, 50]);
      // Everything acknowledged: the broker will deliver none of it again.
      const settled = await source.settledIds();
      assert.equal(settled((await redis.xrange(key, '-', '+', 'COUNT', 1))[0]![0]), true);
    } finally {
      await source.close();
    }
  });

  it("takes over the entries a dead consumer left pending, counting the delivery, and retries after the delay", async () => {
    await redis.xgroup('CREATE', key, 'sluice_p', '0').catch(() => undefined);
    await redis.xgroup('SETID', key, 'sluice_p', '0');
    const dead = await open('dead');
    const taken = await pullAll(dead, 10);
    assert.deepEqual(ids(taken), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    await dead.close(); // never acknowledged: its entries stay pending under its name

    const heir = await open('heir', '200ms');
    try {
      const settled = await heir.settledIds();
      assert.equal(settled(taken[0]!.id), false, 'a pending entry is not settled');
      // New entries may come first; the dead consumer's come once idle for claim_idle.
      const seen: StreamMessage[] = [];
      await waitFor(async () => (seen.push(...(await heir.pull(10, 50, running))), taken.every((t) => seen.some((m) => m.id === t.id))), { what: "the dead consumer's entries" });
      const claimed = seen.filter((m) => taken.some((t) => t.id === m.id));
      assert.deepEqual(ids(claimed), ids(taken));
      assert.ok(claimed.every((m) => m.deliveries === 2), 'a takeover counts as a delivery');
      assert.ok(seen.filter((m) => !claimed.includes(m)).every((m) => m.deliveries === 1));
      await heir.ack(seen.filter((m) => !claimed.includes(m)));
      await heir.ack(claimed.slice(1));
      await heir.retryLater(claimed.slice(0, 1), 100);
      const again = await waitFor(async () => {
        const got = await heir.pull(10, 50, running);
        await heir.ack(got.filter((m) => m.id !== claimed[0]!.id));
        return got.find((m) => m.id === claimed[0]!.id);
      }, { what: 'the retried entry' });
      assert.equal(again.deliveries, 3);
      await heir.ack([again]);
      assert.equal((await heir.settledIds())(again.id), true);
    } finally {
      await heir.close();
    }
  });

  it('reads its own pending entries first when opened again, before newer ones and without waiting claim_idle', async () => {
    const own = `${key}_own`;
    try {
      for (let i = 1; i <= 30; i++) await redis.xadd(own, '*', 'data', String(i));
      const openOwn = () =>
        openRedisStreamsSource(streamSourceSchema.parse({ type: 'redis_streams', url: testRedisUrl(), stream: own, consumer: 'same', claim_idle: '30s' }) as never, { pipeline: 'p', maxInFlight: 1000 });
      const killed = await openOwn();
      const first = await pullAll(killed, 10);
      await killed.ack(first.slice(0, 2));
      await killed.close(); // the process is gone: entries 3..10 stay pending under its name

      const again = await openOwn();
      try {
        const next = await again.pull(5, 50, running);
        assert.deepEqual(ids(next), ['3', '4', '5', '6', '7'], 'its own pending entries come first, in order');
        assert.ok(next.every((m) => m.deliveries === 2), 'reading them again counts a delivery');
        const rest = await again.pull(10, 50, running);
        assert.deepEqual(ids(rest), ['8', '9', '10']);
        const fresh = await again.pull(100, 50, running);
        assert.deepEqual(ids(fresh), Array.from({ length: 20 }, (_, i) => String(i + 11)));
        assert.ok(fresh.every((m) => m.deliveries === 1));
      } finally {
        await again.close();
      }
    } finally {
      await redis.del(own);
    }
  });
});
