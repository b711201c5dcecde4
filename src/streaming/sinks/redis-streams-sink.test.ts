import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { streamingFileSchema, type BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { testRedisUrl } from '../../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { BrokerSink } from './broker-sink.ts';
import { openRedisStreamsSink, redisSinkStateKey } from './redis-streams-sink.ts';

const skip = await requirePrerequisites('redis');

describe('a Redis stream sink', { skip }, () => {
  const stream = `sluice_sink_test_${randomBytes(4).toString('hex')}`;
  const redis = new Redis(testRedisUrl());
  const spec = streamingFileSchema.parse({ kind: 'streaming', source: { type: 'redis_streams', stream: 'in' }, dead_letter_connection: 'pg', sinks: [{ type: 'redis_streams', url: testRedisUrl(), stream }] }).sinks[0] as BrokerSinkFile;
  const open = async () => {
    const sink = new BrokerSink('orders', spec, await openRedisStreamsSink(spec as Extract<BrokerSinkFile, { type: 'redis_streams' }>, 'orders'));
    await sink.load();
    return sink;
  };
  after(async () => {
    await redis.del(stream, redisSinkStateKey(stream, 'orders'));
    redis.disconnect();
  });

  it('commits entries and the committed message ids together, and refuses a commit when another process wrote meanwhile', async () => {
    const first = await open();
    const second = await open();
    assert.equal(first.keepsState, true);
    await first.writeRows([{ id: 1 }, { id: 2 }], {}, ['1-0#0', '1-1#0'], ['1-0', '1-1'], () => false);
    assert.equal(first.hasCommitted('1-1'), true);
    await assert.rejects(second.writeRows([{ id: 3 }], {}, ['1-2#0'], ['1-2'], () => false), (error: Error & { code?: string }) => error.code === 'stream.sink_state_moved');
    assert.equal(await redis.xlen(stream), 2, 'the refused commit added no entry');
    // Read again, the second process knows what the first wrote, and goes on from there.
    await second.load();
    assert.equal(second.hasCommitted('1-0'), true);
    assert.deepEqual(second.totals, { records: 2, messages: 2, batches: 1 });
    await second.writeRows([{ id: 3 }], {}, ['1-2#0'], ['1-2'], (id) => id === '1-0');
    const entries = await redis.xrange(stream, '-', '+');
    assert.deepEqual(entries.map(([, fields]) => fields), [
      ['data', '{"id":1}', 'id', 'orders:1-0#0'],
      ['data', '{"id":2}', 'id', 'orders:1-1#0'],
      ['data', '{"id":3}', 'id', 'orders:1-2#0'],
    ]);
    const reopened = await open();
    assert.deepEqual([reopened.hasCommitted('1-0'), reopened.hasCommitted('1-1'), reopened.hasCommitted('1-2')], [false, true, true], 'a settled id is pruned from the committed ids');
    for (const sink of [first, second, reopened]) await sink.close();
  });
});
