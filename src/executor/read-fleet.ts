import type { BlockRunLedger, QueueStats, WorkerRecord } from './block-run-ledger.ts';

/** The workers and the queue as `sluice workers` and `GET /api/workers` show them. */
export interface Fleet {
  readonly workers: readonly WorkerRecord[];
  readonly queue: QueueStats;
}

export async function readFleet(ledger: BlockRunLedger): Promise<Fleet> {
  const [workers, queue] = await Promise.all([ledger.workers(), ledger.stats()]);
  return { workers, queue };
}
