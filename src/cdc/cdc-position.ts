import type { CapturedTable, ChangePosition } from '../core/connectors/change-capture.ts';
import type { StoredStreamState, StreamState, SyncDestination } from '../core/connectors/sync-destination.ts';

/** Where a pipeline's CDC stands, committed in the destination with the rows it covers. */
export interface CdcPosition {
  /** Every source transaction ending at or before this position in the source's log is applied. */
  readonly position: ChangePosition;
  /** When the last applied source transaction committed at the source. */
  readonly sourceCommitTime: Date | undefined;
  /** When the destination committed it. */
  readonly appliedAt: Date;
  /** Per stream, the source columns its destination table was made with (read back; ignored when writing). */
  readonly columns?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** A captured source table and the table it lands in. */
export interface CdcTarget {
  /** The stream's name: its key in the destination's sync state. */
  readonly stream: string;
  readonly source: CapturedTable;
  /** `table` (in the connection's schema or database) or `schema.table`. */
  readonly table: string;
}

/** The state a CDC stream commits with each batch, in the integration pipelines' state table. */
export type CdcStreamState = {
  readonly mode: 'cdc';
  /** The source's log position, in the connector's text form. */
  readonly position: string;
  readonly source_commit_time: string | null;
  /** The source columns the stream had at this position, as `sluice state show` shows them (the schema contract judges changes). */
  readonly columns: readonly string[];
};

/** State committed before positions had a connector-neutral name: PostgreSQL's WAL position under `lsn`. */
type EarlierCdcStreamState = Omit<CdcStreamState, 'position'> & { readonly lsn: string };

/** The state `target`'s stream commits at `position`. */
export function cdcStreamState(position: CdcPosition, target: CdcTarget): StreamState {
  const state: CdcStreamState = {
    mode: 'cdc',
    position: position.position,
    source_commit_time: position.sourceCommitTime?.toISOString() ?? null,
    columns: target.source.columns.map((c) => c.name),
  };
  return state;
}

/**
 * The position every stream has reached, or undefined when one of them has
 * none (first run, or its state was reset): then all start again from a
 * snapshot. `compare` orders two positions of the source.
 */
export async function readCdcPosition(
  destination: SyncDestination,
  pipeline: string,
  streams: readonly string[],
  compare: (a: ChangePosition, b: ChangePosition) => number,
): Promise<CdcPosition | undefined> {
  return cdcPositionOf(await destination.readState(pipeline), streams, compare);
}

/** The position the stored states of `streams` agree on; see `readCdcPosition`. */
export function cdcPositionOf(states: readonly StoredStreamState[], streams: readonly string[], compare: (a: ChangePosition, b: ChangePosition) => number): CdcPosition | undefined {
  const byStream = new Map(states.map((s) => [s.stream, s]));
  let position: CdcPosition | undefined;
  const columns: Record<string, readonly string[]> = {};
  for (const stream of streams) {
    const stored = byStream.get(stream);
    const value = stored?.state as Partial<CdcStreamState & EarlierCdcStreamState> | undefined;
    const at = value?.position ?? value?.lsn;
    if (!stored || value?.mode !== 'cdc' || typeof at !== 'string') return undefined;
    if (Array.isArray(value.columns)) columns[stream] = value.columns;
    // Streams commit together, so they agree; should they not, the earliest is safe: replaying a batch rewrites the same rows.
    if (!position || compare(at, position.position) < 0) {
      position = { position: at, sourceCommitTime: value.source_commit_time ? new Date(value.source_commit_time) : undefined, appliedAt: new Date(stored.updatedAt) };
    }
  }
  return position && { ...position, columns };
}
