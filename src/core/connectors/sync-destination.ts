import type { Column, DataPlaneSession } from '../data-plane/data-plane.ts';
import type { Logger } from '../run/logger.ts';

/**
 * What a destination does for an integration sync (and for change data
 * capture). The one promise every implementation keeps: a batch's rows and
 * the stream state that describes them are committed in ONE transaction, so
 * a sync killed at any moment resumes from exactly the last committed batch.
 *
 * Batches are data-plane session tables, not row arrays: the source lands
 * each batch in the data plane (on disk), and the destination loads it with
 * its own fast path (COPY for PostgreSQL, multi-row INSERT for MySQL,
 * INSERT ... SELECT for DuckDB). Memory stays bounded by the batch size of
 * the driver's buffers, never by the table. A producer holding rows in memory
 * (CDC) stores them first with `session.storeRows` and `attach`es the result.
 */

/** The table that holds the state, in the destination's default schema/database. */
export const syncStateTable = '_sluice_sync_state';

/** A destination table, named as the pipeline file names it (`schema.table` or `table`). */
export interface SyncTable {
  readonly name: string;
}

/**
 * One stream's position, as JSON. Each sync mode keeps its own fields; a
 * destination stores and returns it verbatim.
 *   incremental: `{ "cursor": "2024-05-01 10:00:00", "cursor_column": "updated_at" }`
 *   cdc:         `{ "mode": "cdc", "position": "0/16B3748", ... }`
 */
export type StreamState = Readonly<Record<string, unknown>>;

export interface StoredStreamState {
  readonly pipeline: string;
  readonly stream: string;
  readonly state: StreamState;
  /** ISO time of the commit that wrote it. */
  readonly updatedAt: string;
}

/** A data-plane session table holding a batch: the same shape as `WriteRequest.input`. */
export interface SyncInput {
  /** Visible to `context.session` under this name; only a label when `csv` holds the rows. */
  readonly table: string;
  readonly columns: readonly Column[];
  readonly rows: number;
  /**
   * The rows themselves, as CSV text in the data plane's dialect (see
   * `CsvRowEncoder`: comma, `"` quotes, an unquoted empty field is NULL), one
   * line per row in the order of `columns`, for a producer that holds a small
   * batch in memory. Given only to a destination whose `loadsCsv` is true,
   * which then loads the text without reading the data plane.
   */
  readonly csv?: string | undefined;
}

/**
 * What one batch does to its table. Columns of the input that the table
 * lacks are an error: evolve the table first (`alterTable`).
 */
export type SyncChange =
  /** Inserts every row. */
  | { readonly kind: 'append'; readonly input: SyncInput }
  /**
   * Inserts rows whose key is new and replaces the rows whose key exists.
   * The input holds at most one row per key (the caller keeps the latest).
   * Deletes, when given, remove those keys first; a key must not be in both.
   */
  | {
      readonly kind: 'upsert';
      readonly input: SyncInput | undefined;
      readonly key: readonly string[];
      readonly deletes?: SyncInput | undefined;
      /**
       * A column of the input: a row replaces the existing row of its key only
       * when its value there is greater (or the existing one is null), so rows
       * arriving out of order leave the newest. Only for a destination whose
       * `keepsNewerRows` is true.
       */
      readonly newerBy?: string | undefined;
    }
  /** Replaces the whole table with the input, atomically (readers see old or new rows, never a mix). */
  | { readonly kind: 'replace'; readonly input: SyncInput; readonly key: readonly string[] }
  /** Changes no rows; commits the state alone (e.g. a CDC keepalive moving the position). */
  | { readonly kind: 'state_only' };

export interface SyncBatch {
  readonly pipeline: string;
  readonly stream: string;
  readonly table: SyncTable;
  readonly change: SyncChange;
  /** The stream's state after this batch, committed with it. */
  readonly state: StreamState;
  /**
   * The committed state this batch follows, as the caller read it (`null`:
   * none). Inside the batch's transaction the destination locks the state row
   * and refuses the batch (`checkPreviousState`) when another sync of the
   * same stream committed meanwhile. Left out, nothing is checked.
   */
  readonly previousState?: StreamState | null | undefined;
}

export interface SyncBatchResult {
  /** Rows inserted or replaced. */
  readonly rows: number;
  /** Rows removed by `deletes` (not counting the rows a replace swapped out). */
  readonly deleted: number;
}

/**
 * What one source transaction range did to one table, for change data
 * capture. The inputs hold at most one row per key and a key sits in one of
 * them only (the producer folds the changes per key).
 */
export interface SyncTableChanges {
  readonly stream: string;
  readonly table: SyncTable;
  readonly key: readonly string[];
  /** Empties the table first (a snapshot replacing what an earlier one left). */
  readonly replace?: boolean | undefined;
  /** Full rows: inserted, or replacing the row with their key. */
  readonly upserts?: SyncInput | undefined;
  /**
   * Rows that carry the key and only the columns whose values came (an
   * unchanged TOASTed value does not): those columns are set, the others keep
   * the destination's value. One input per set of columns.
   */
  readonly partialUpdates?: readonly SyncInput[] | undefined;
  /** Keys of rows to remove. */
  readonly deletes?: SyncInput | undefined;
  /** The stream's state after these changes, committed with them. */
  readonly state: StreamState;
}

/** Several tables' changes under one source position, applied and committed in ONE transaction. */
export interface SyncChangeSet {
  readonly pipeline: string;
  readonly tables: readonly SyncTableChanges[];
}

/** A destination column as the destination sees it, with the data-plane type it maps to. */
export interface DestinationColumn {
  readonly name: string;
  /** The destination's own type, e.g. `bigint`, `varchar(255)`, `numeric(38,10)`. */
  readonly nativeType: string;
  /** The data-plane type it corresponds to (BIGINT, DECIMAL(p,s), VARCHAR, TIMESTAMP, ...). */
  readonly type: string;
  readonly nullable: boolean;
}

export interface DestinationTableShape {
  readonly columns: readonly DestinationColumn[];
  /** Primary key columns, empty when there is none. */
  readonly key: readonly string[];
}

/** A schema change a destination applies outside the batch transaction (MySQL cannot run DDL in one). */
export type TableAlteration =
  /** A new nullable column. `type` is a data-plane type. */
  | { readonly kind: 'add_column'; readonly column: string; readonly type: string }
  /** A safe widening (int -> bigint -> numeric, any -> text). `type` is a data-plane type. */
  | { readonly kind: 'widen_column'; readonly column: string; readonly type: string };

export interface SyncContext {
  readonly session: DataPlaneSession;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Scratch space for files (named pipes); removed by the caller. */
  readonly tempDir: string;
}

/** Implemented per destination connector, in `src/connectors/<kind>/<kind>-sync.ts`. */
export interface SyncDestination {
  /** The connection's name, for messages. */
  readonly name: string;
  /** Creates the state table when missing. Idempotent. */
  prepare(context: SyncContext): Promise<void>;
  /** The committed state of a pipeline's streams (all of them, or one). */
  readState(pipeline: string, stream?: string): Promise<StoredStreamState[]>;
  /** Forgets the state of a pipeline's streams (all, or one): the next sync starts over. */
  resetState(pipeline: string, stream?: string): Promise<number>;
  /** The table's columns and key, or undefined when it does not exist. */
  describeTable(table: SyncTable): Promise<DestinationTableShape | undefined>;
  /** Creates the table (and its schema) with these data-plane columns and primary key. */
  createTable(table: SyncTable, columns: readonly Column[], key: readonly string[], context: SyncContext): Promise<void>;
  alterTable(table: SyncTable, change: TableAlteration, context: SyncContext): Promise<void>;
  /** Applies one batch and its state in one transaction; on failure nothing of it remains. */
  applyBatch(batch: SyncBatch, context: SyncContext): Promise<SyncBatchResult>;
  /** True when an upsert can keep the row with the greater value of a column (`newerBy`). */
  readonly keepsNewerRows?: boolean;
  /** True when it loads an input's `csv` text directly (no data-plane table behind the input). */
  readonly loadsCsv?: boolean;
  /**
   * Applies every table's changes and states in one transaction (change data
   * capture); on failure nothing of it remains. A destination without it
   * cannot receive CDC.
   */
  applyChanges?(changes: SyncChangeSet, context: SyncContext): Promise<SyncBatchResult>;
  close(): Promise<void>;
}

/**
 * Opens a sync destination over a configured connection; one per connector
 * kind that can be a destination, registered in `sync-destinations.ts`.
 */
export type OpenSyncDestination = (
  settings: unknown,
  context: {
    readonly name: string;
    readonly projectRoot: string;
    readonly warehousePath: string;
    /** The data-plane session batches live in; an embedded destination (DuckDB) also works through it. */
    readonly session: DataPlaneSession;
  },
) => Promise<SyncDestination>;
