import type { ChangeBatch, Row } from './change-batch.ts';
import type { Lsn } from './lsn.ts';
import type { SourceTable } from './source-tables.ts';

/** Where a pipeline's CDC stands, committed in the destination with the rows it covers. */
export interface CdcPosition {
  /** Every source transaction ending at or before this WAL position is applied. */
  readonly lsn: Lsn;
  /** When the last applied source transaction committed at the source. */
  readonly sourceCommitTime: Date | undefined;
  /** When the destination committed it. */
  readonly appliedAt: Date;
  /** Per stream, the source columns its destination table was made with (read back; ignored when writing). */
  readonly columns?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** A streamed source table and the table it lands in. */
export interface CdcTarget {
  /** The stream's name: its key in the destination's sync state. */
  readonly stream: string;
  readonly source: SourceTable;
  /** `table` (in the connection's schema or database) or `schema.table`. */
  readonly table: string;
}

/**
 * A database CDC writes into. Every method that changes rows also writes the
 * position in the same transaction, so the position never runs ahead of, or
 * behind, the rows it describes.
 */
export interface CdcDestination {
  /** For messages: `connection 'dw' (postgres)`. */
  readonly label: string;
  /**
   * The position every target's stream has reached, or undefined when one of
   * them has none (first run, or its state was reset): then all start again
   * from a snapshot.
   */
  readPosition(pipeline: string, targets: readonly CdcTarget[]): Promise<CdcPosition | undefined>;
  /** Recreates the target tables and loads the snapshot's rows, then stores `position`, in one transaction where the database allows. */
  loadSnapshot(pipeline: string, targets: readonly CdcTarget[], rows: (target: CdcTarget) => AsyncIterable<readonly Row[]>, position: CdcPosition): Promise<number>;
  /** Applies one batch and stores `position`, in one transaction. */
  applyBatch(pipeline: string, targets: readonly CdcTarget[], batch: ChangeBatch, position: CdcPosition): Promise<void>;
  /** Forgets the position, so the next run starts again from a snapshot. */
  clearPosition(pipeline: string, targets: readonly CdcTarget[]): Promise<void>;
  close(): Promise<void>;
}
