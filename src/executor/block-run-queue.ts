import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueJobId, type BlockRunKey } from './block-run-ledger.ts';

/** Where the queue lives: a Redis server, and the key prefix its keys share. */
export interface QueueSettings {
  readonly url: string;
  readonly prefix: string;
}

/** What a queue job carries: the block run's key and the version its run planned, so a worker can refuse it before claiming. */
export interface BlockRunWakeUp extends BlockRunKey {
  readonly pipeline: string;
  readonly pipelineVersion: string;
}

const queueName = 'block-runs';
/** The states of a job that a worker will still take, or is working on. */
const liveStates = new Set<string>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The Redis side of queued block runs: a BullMQ queue of wake-ups. It holds no
 * truth (the ledger does), so losing it (a flushed Redis) loses no block run:
 * the waiting side puts them back.
 */
export interface BlockRunQueue {
  /** Puts one wake-up on the queue; `enqueues` (from the ledger) makes its job id unique. */
  add(wakeUp: BlockRunWakeUp, enqueues: number, delayMs?: number): Promise<void>;
  /**
   * Whether the wake-up of each put is still waiting or being worked on, all
   * answered in one round trip to Redis. `quick` asks only whether each job
   * still exists, which a flush answers; `thorough` asks where each job is,
   * which a partial loss needs: a job kept while the list that held it was
   * lost (an eviction, a flush racing a put) exists but will never be taken.
   */
  held(puts: readonly (BlockRunKey & { readonly enqueues: number })[], how?: 'quick' | 'thorough'): Promise<boolean[]>;
  close(): Promise<void>;
}

/** Opens a connection the way BullMQ needs it: commands wait for a reconnect instead of failing after a few tries. */
export async function openRedis(settings: QueueSettings): Promise<Redis> {
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(settings.url, { maxRetriesPerRequest: null, lazyConnect: true });
  // The commands that need the server report it; an idle connection's drop is retried by the client.
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

export async function openBlockRunQueue(settings: QueueSettings): Promise<BlockRunQueue> {
  const { Queue: BullQueue } = await import('bullmq');
  const connection = await openRedis(settings);
  const queue: Queue<BlockRunWakeUp> = new BullQueue<BlockRunWakeUp>(queueName, { connection, prefix: settings.prefix });
  queue.on('error', () => undefined);
  return {
    async add(wakeUp, enqueues, delayMs) {
      const { runId, block, pipeline, pipelineVersion } = wakeUp;
      await queue.add(block, { runId, block, pipeline, pipelineVersion }, {
        jobId: queueJobId(wakeUp, enqueues),
        removeOnComplete: true,
        removeOnFail: true,
        ...(delayMs ? { delay: delayMs } : {}),
      });
    },
    async held(puts, how = 'quick') {
      if (!puts.length) return [];
      if (how === 'thorough') {
        // Sent together, so they share round trips; each looks the job up in the queue's lists and sets.
        const states = await Promise.all(puts.map((put) => queue.getJobState(queueJobId(put, put.enqueues))));
        return states.map((state) => liveStates.has(state));
      }
      // A job's hash lives from its put until it ends (removed on completion and on failure), so its
      // existence answers the question in O(1), where asking each job's state scans the waiting list.
      const pipeline = connection.pipeline();
      for (const put of puts) pipeline.exists(queue.toKey(queueJobId(put, put.enqueues)));
      const answers = (await pipeline.exec()) ?? [];
      return puts.map((_, i) => {
        const [error, found] = answers[i] ?? [new Error('no answer')];
        if (error) throw error;
        return found === 1;
      });
    },
    async close() {
      await queue.close().catch(() => undefined);
      connection.disconnect();
    },
  };
}

/** Takes wake-ups off the queue, `concurrency` at a time, and hands each to `handle`. */
export async function consumeBlockRunQueue(
  settings: QueueSettings,
  concurrency: number,
  handle: (wakeUp: BlockRunWakeUp) => Promise<void>,
): Promise<{ worker: Worker<BlockRunWakeUp>; close(): Promise<void> }> {
  const { Worker: BullWorker } = await import('bullmq');
  const connection = await openRedis(settings);
  const worker = new BullWorker<BlockRunWakeUp>(queueName, async (job: Job<BlockRunWakeUp>) => handle(job.data), {
    connection,
    prefix: settings.prefix,
    concurrency,
    // A wake-up's lock matters little: the ledger's lease decides who runs a block run.
    lockDuration: 30_000,
  });
  // A lock lost with a flushed Redis or a paused process is expected; the ledger keeps the truth.
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
