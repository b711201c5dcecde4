import type { BlockRunOutcome } from '../core/run/block-run-job.ts';
import type { BlockRunWatch, Executor } from '../core/run/executor.ts';
import type { Block } from '../core/pipeline/pipeline.ts';
import type { BlockRunKey, BlockRunLedger, LedgerEntry } from './block-run-ledger.ts';
import type { BlockRunQueue } from './block-run-queue.ts';
import { followBlockLogs } from './follow-block-logs.ts';

export interface QueueExecutorOptions {
  readonly ledger: BlockRunLedger;
  readonly queue: BlockRunQueue;
  /** How often the ledger is read for outcomes a lost notification did not bring, and for block runs to put back. */
  readonly pollMs?: number | undefined;
  /**
   * How often the reconciler asks where each waiting wake-up is, not only
   * whether its job exists: a job whose list Redis lost is found this late.
   */
  readonly auditMs?: number | undefined;
  /** A cancelled block run whose worker never answers is given up as cancelled after this long. */
  readonly cancelGraceMs?: number | undefined;
  /** How often a watched block run's log lines are read from the run store. */
  readonly followLogsMs?: number | undefined;
}

interface Waiter {
  readonly key: BlockRunKey;
  readonly block: Block | undefined;
  readonly watch: BlockRunWatch | undefined;
  readonly wakeUp: { readonly pipeline: string; readonly pipelineVersion: string };
  started: boolean;
  resolve(outcome: BlockRunOutcome): void;
  reject(error: unknown): void;
}

const keyOf = (key: BlockRunKey): string => `${key.runId}\u0000${key.block}`;

/**
 * Runs block runs on `sluice worker` processes: each ready block run is
 * recorded in the ledger, its wake-up put on the queue, and its outcome
 * awaited from the ledger (a notification, or a look on a timer). The same
 * timer reconciles: a block run the ledger says waits, or whose worker's
 * lease lapsed, but whose wake-up the queue no longer holds (a flushed Redis,
 * a killed worker) is put on the queue again.
 */
export async function createQueueExecutor(options: QueueExecutorOptions): Promise<Executor & { close(): Promise<void> }> {
  const { ledger, queue } = options;
  const pollMs = options.pollMs ?? 1_000;
  const auditMs = options.auditMs ?? 10_000;
  let lastAudit = performance.now();
  const waiters = new Map<string, Waiter>();
  let closed = false;

  const settle = (entry: LedgerEntry): void => {
    const waiter = waiters.get(keyOf(entry));
    if (!waiter) return;
    if (entry.state === 'done' && entry.outcome) {
      waiters.delete(keyOf(entry));
      if (!waiter.started && waiter.block) waiter.watch?.started?.(waiter.block);
      waiter.resolve(entry.outcome);
    } else if (!waiter.started && (entry.state === 'running' || entry.state === 'committed') && waiter.block) {
      waiter.started = true;
      waiter.watch?.started?.(waiter.block);
    }
  };

  const stopListening = await ledger.listen((key) => {
    if (!waiters.has(keyOf(key))) return;
    // Read, not taken from the notification: one may arrive late, after a retry queued the same block run again.
    ledger.entries([key]).then((entries) => entries.forEach(settle), () => undefined);
  });

  /** Puts back on the queue what the ledger says should be there but the queue lost, or what a lapsed worker held. */
  const reconcile = async (entry: LedgerEntry, waiter: Waiter): Promise<void> => {
    const enqueues = await ledger.reenqueue(entry);
    if (enqueues !== undefined) await queue.add({ ...entry, ...waiter.wakeUp }, enqueues);
  };

  let ticking = false;
  const tick = async (): Promise<void> => {
    if (ticking || !waiters.size) return;
    ticking = true;
    try {
      const entries = await ledger.entries([...waiters.values()].map((w) => w.key));
      entries.forEach(settle);
      const open = entries.filter((entry) => waiters.has(keyOf(entry)));
      const lapsed = open.filter((entry) => (entry.state === 'running' || entry.state === 'committed') && entry.leaseExpired);
      // One round trip to Redis a tick, whatever the number of block runs waiting; now and then a look
      // at where each job is, since a job can outlive the list that held it.
      const waiting = open.filter((entry) => entry.state === 'queued');
      const audit = performance.now() - lastAudit >= auditMs;
      if (audit) lastAudit = performance.now();
      const held = await queue.held(waiting, audit ? 'thorough' : 'quick');
      const lost = waiting.filter((_, i) => !held[i]);
      for (const entry of [...lapsed, ...lost]) {
        const waiter = waiters.get(keyOf(entry));
        if (waiter) await reconcile(entry, waiter);
      }
    } catch {
      // The ledger or the queue is unreachable for now; the next tick tries again, and the run waits.
    } finally {
      ticking = false;
    }
  };
  const timer = setInterval(() => void tick(), pollMs);

  return {
    async execute({ job, scope, watch, signal }) {
      if (closed) throw new Error('the queue executor is closed');
      const key = { runId: job.runId, block: job.block };
      const block = scope.pipeline.blocks.find((b) => b.name === job.block);
      const outcome = new Promise<BlockRunOutcome>((resolve, reject) => {
        waiters.set(keyOf(key), { key, block, watch, wakeUp: { pipeline: job.pipeline, pipelineVersion: job.pipelineVersion }, started: false, resolve, reject });
      });
      let enqueues: number;
      try {
        enqueues = await ledger.enqueue(job);
      } catch (error) {
        waiters.delete(keyOf(key));
        throw error;
      }
      // The ledger holds the block run now: if Redis is away, the reconciler puts its wake-up on the queue when it is back.
      await queue.add({ ...key, pipeline: job.pipeline, pipelineVersion: job.pipelineVersion }, enqueues).catch(() => undefined);
      const onAbort = (): void => {
        void ledger.cancel(key).then(async (withdrawn) => {
          // A block run a worker holds stops at its worker's next lease renewal, and reports itself cancelled.
          if (!withdrawn) return setTimeout(() => giveUp(), options.cancelGraceMs ?? 60_000).unref();
          giveUp();
        });
      };
      const giveUp = (): void => {
        const waiter = waiters.get(keyOf(key));
        if (!waiter) return;
        waiters.delete(keyOf(key));
        const record = { runId: job.runId, block: job.block, status: 'cancelled' as const };
        void scope.store.upsertBlockRun(record).then(() => waiter.resolve({ record }), waiter.reject);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      // Whoever watches (the CLI's progress) sees the worker's lines as they are written, then the outcome.
      const follow = watch?.log ? followBlockLogs(scope.store, key, watch.log, options.followLogsMs) : undefined;
      try {
        const ended = await outcome;
        await follow?.drain();
        return ended;
      } finally {
        follow?.stop();
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await stopListening();
      for (const waiter of waiters.values()) waiter.reject(new Error(`the queue executor closed while block '${waiter.key.block}' of run ${waiter.key.runId} was queued`));
      waiters.clear();
    },
  };
}

/**
 * An executor that connects to the queue and the ledger on its first block
 * run, so commands that run nothing (`sluice runs`) never open Redis.
 */
export function createLazyExecutor(open: () => Promise<Executor & { close(): Promise<void> }>): Executor & { close(): Promise<void> } {
  let opened: Promise<Executor & { close(): Promise<void> }> | undefined;
  return {
    async execute(request) {
      opened ??= open();
      return (await opened).execute(request);
    },
    async close() {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
