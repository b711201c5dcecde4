import type { BlockRunLedger, QueueStats, WorkerRecord } from './block-run-ledger.ts';

/** The workers and the queue as `sluice workers` and `GET /api/workers` show them. */
export interface Fleet {
  readonly workers: readonly WorkerRecord[];
  readonly queue: QueueStats;
}

/** What an operator does with the fleet, from the CLI or the API alike. */
export interface FleetControl {
  read(): Promise<Fleet>;
  /**
   * Asks a worker to drain: at its next heartbeat it takes nothing new,
   * finishes the block runs it holds and leaves the list, as on SIGTERM.
   * False when no such worker is listed.
   */
  drain(workerId: string): Promise<boolean>;
}

export async function readFleet(ledger: BlockRunLedger): Promise<Fleet> {
  const [workers, queue] = await Promise.all([ledger.workers(), ledger.stats()]);
  return { workers, queue };
}

/** A fleet control over a ledger opened on first use. */
export function createFleetControl(ledger: () => Promise<BlockRunLedger>): FleetControl {
  return {
    read: async () => readFleet(await ledger()),
    drain: async (workerId) => (await ledger()).requestDrain(workerId),
  };
}
