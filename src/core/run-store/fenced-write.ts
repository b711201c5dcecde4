import { SluiceError } from '../errors.ts';
import type { BlockRunRecord } from './run-history.ts';

/**
 * The condition of a block-run write under a fencing token, in SQL both
 * stores speak: a write without a token (a run in one process) always goes
 * through; one with a token only while no higher token wrote the record.
 */
export function fencedWrite(incoming: string, stored: string): string {
  return `(${incoming} IS NULL OR ${stored} IS NULL OR ${incoming} >= ${stored})`;
}

/** The refusal of a write whose claim a later one (a higher fencing token) replaced. */
export function staleClaim(record: BlockRunRecord, fencingToken: number | undefined): SluiceError {
  return new SluiceError(
    'run_store.stale_claim',
    `refused the status '${record.status}' of block '${record.block}' in run ${record.runId}: a later claim than fencing token ${fencingToken} wrote it`,
  );
}
