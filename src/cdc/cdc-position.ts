import type { StreamState, SyncDestination } from '../core/connectors/sync-destination.ts';
import { formatLsn, parseLsn, type Lsn } from './lsn.ts';
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

/** The state a CDC stream commits with each batch, in the integration pipelines' state table. */
export type CdcStreamState = {
  readonly mode: 'cdc';
  readonly lsn: string;
  readonly source_commit_time: string | null;
  /** The source columns the destination table holds, to notice a source that changed shape between runs. */
  readonly columns: readonly string[];
};

/** The state `target`'s stream commits at `position`. */
export function cdcStreamState(position: CdcPosition, target: CdcTarget): StreamState {
  const state: CdcStreamState = {
    mode: 'cdc',
    lsn: formatLsn(position.lsn),
    source_commit_time: position.sourceCommitTime?.toISOString() ?? null,
    columns: target.source.columns.map((c) => c.name),
  };
  return state;
}

/**
 * The position every stream has reached, or undefined when one of them has
 * none (first run, or its state was reset): then all start again from a
 * snapshot.
 */
export async function readCdcPosition(destination: SyncDestination, pipeline: string, streams: readonly string[]): Promise<CdcPosition | undefined> {
  const byStream = new Map((await destination.readState(pipeline)).map((s) => [s.stream, s]));
  let position: CdcPosition | undefined;
  const columns: Record<string, readonly string[]> = {};
  for (const stream of streams) {
    const stored = byStream.get(stream);
    const value = stored?.state as Partial<CdcStreamState> | undefined;
    if (!stored || value?.mode !== 'cdc' || typeof value.lsn !== 'string') return undefined;
    const lsn = parseLsn(value.lsn);
    if (Array.isArray(value.columns)) columns[stream] = value.columns;
    // Streams commit together, so they agree; should they not, the earliest is safe: replaying a batch rewrites the same rows.
    if (!position || lsn < position.lsn) {
      position = { lsn, sourceCommitTime: value.source_commit_time ? new Date(value.source_commit_time) : undefined, appliedAt: new Date(stored.updatedAt) };
    }
  }
  return position && { ...position, columns };
}
