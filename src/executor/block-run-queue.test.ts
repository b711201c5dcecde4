import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { testRedisUrl } from '../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../testing/require-prerequisites.ts';
import { waitFor } from '../testing/wait-for.ts';
import { consumeBlockRunQueue, openBlockRunQueue, openRedis, type BlockRunWakeUp } from './block-run-queue.ts';

const skip = await requirePrerequisites('redis');
const settings = { url: testRedisUrl(), prefix: `so-queue-held-${randomBytes(4).toString('hex')}` };
const wakeUp = (runId: string): BlockRunWakeUp => ({ runId, block: 'load', pipeline: 'sales', pipelineVersion: 'v1' });

describe('the block-run queue', { skip }, () => {
  after(async () => {
    if (skip) return;
    const redis = await openRedis(settings);
    const keys = await redis.keys(`${settings.prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('says in one round trip which puts are still waiting or worked on, and which ended or were lost', async () => {
    const queue = await openBlockRunQueue(settings);
    try {
      await queue.add(wakeUp('r1'), 1);
      await queue.add(wakeUp('r2'), 1);
      await queue.add(wakeUp('r2'), 2, 60_000); // put again, delayed
      assert.deepEqual(await queue.held([]), []);
      const puts = [
        { ...wakeUp('r1'), enqueues: 1 },
        { ...wakeUp('r2'), enqueues: 1 },
        { ...wakeUp('r2'), enqueues: 2 },
        { ...wakeUp('r3'), enqueues: 1 },
      ];
      assert.deepEqual(await queue.held(puts), [true, true, true, false]);
      // A wake-up taken and handled is gone; so is every one when Redis loses the queue's keys.
      const handled: string[] = [];
      const consumer = await consumeBlockRunQueue(settings, 1, async (w) => void handled.push(w.runId));
      await waitFor(async () => (await queue.held(puts.slice(0, 2))).every((held) => !held), { what: 'both waiting wake-ups to be handled' });
      await consumer.close();
      assert.deepEqual(handled.sort(), ['r1', 'r2']);
      assert.deepEqual(await queue.held(puts), [false, false, true, false]);
      const redis = await openRedis(settings);
      await redis.del(...(await redis.keys(`${settings.prefix}:*`)));
      redis.disconnect();
      assert.deepEqual(await queue.held(puts), [false, false, false, false]);
    } finally {
      await queue.close();
    }
  });

  it('finds, when asked thoroughly, a job kept while the list that held it was lost', async () => {
    const queue = await openBlockRunQueue(settings);
    const redis = await openRedis(settings);
    try {
      await queue.add(wakeUp('r4'), 1);
      await queue.add(wakeUp('r5'), 1, 60_000);
      const puts = [
        { ...wakeUp('r4'), enqueues: 1 },
        { ...wakeUp('r5'), enqueues: 1 },
        { ...wakeUp('r6'), enqueues: 1 },
      ];
      assert.deepEqual(await queue.held(puts, 'thorough'), [true, true, false]);
      // The waiting list goes (an eviction, a flush that raced the put); the job's own hash stays.
      const lists = await redis.keys(`${settings.prefix}:block-runs:wait`);
      assert.equal(lists.length, 1);
      await redis.del(...lists);
      assert.deepEqual(await queue.held(puts, 'quick'), [true, true, false], 'the quick look sees only that the job exists');
      assert.deepEqual(await queue.held(puts, 'thorough'), [false, true, false], 'no worker will ever take the job whose list was lost');
    } finally {
      redis.disconnect();
      await queue.close();
    }
  });
});
