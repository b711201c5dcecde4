/**
 * What a connector gives change data capture. The engine in `src/cdc/` stages
 * change batches, applies them to a destination with their position and
 * reports status; everything that speaks the source's replication protocol
 * (slots, snapshots, the change stream, log positions, the driver's settings)
 * lives in the connector's folder behind this contract, so CDC never reaches
 * into a connector's files or asks for a connector by name.
 */
export interface ChangeCapture<C> {
  /** The connection `connection`, with these parsed settings, as a source of changes. */
  source(settings: C, connection: string): ChangeSource;
}

/**
 * A position in the source's change log, in the connector's text form
 * (PostgreSQL: a WAL position such as `16/B374D848`). The engine stores it and
 * hands it back; only `ChangeSource.compare` orders two of them.
 */
export type ChangePosition = string;

/** Where a pipeline's changes are kept for it on the source, derived from the pipeline unless configured. */
export interface CaptureNames {
  /** Holds the source's log from the last confirmed position on (a PostgreSQL replication slot). */
  readonly slot: string;
  /** Lists the tables whose changes the slot delivers (a PostgreSQL publication). */
  readonly publication: string;
}

/** One configured connection that offers change capture. */
export interface ChangeSource {
  /** The connection's name, for messages. */
  readonly connection: string;
  /** The schema of a table the pipeline names without one. */
  readonly defaultSchema: string;
  /** Orders two positions: negative when `a` comes first, 0 when equal. */
  compare(a: ChangePosition, b: ChangePosition): number;
  /** Opens a session on the source for the pipeline's slot and publication. */
  open(names: CaptureNames): Promise<CaptureSession>;
}

/** A column of a captured table. */
export interface CapturedColumn {
  readonly name: string;
  /** The data-plane type its values travel as, and that its destination column is made from. */
  readonly type: string;
  /** The source's own type name, for messages. */
  readonly sourceType: string;
}

/** A captured table as the source describes it. */
export interface CapturedTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly CapturedColumn[];
  /** The columns that identify a row downstream (a primary key, or the source's replica identity). */
  readonly key: readonly string[];
  /** `schema.table`, for messages and as the key of its changes in a `ChangeBatch`. */
  readonly label: string;
}

/** The slot as the source sees it. */
export interface SlotStatus {
  /** A sync is reading from it now. */
  readonly active: boolean;
  /** The last position the source was told is applied; the slot holds the log after it. */
  readonly confirmed: ChangePosition | undefined;
  /** Bytes of log the slot keeps on the source. */
  readonly lagBytes: bigint | undefined;
}

/** The slot's first contents: the tables as of the slot's first position. */
export interface CaptureSnapshot {
  /** Every change before it is in the snapshot; the stream starts after it. */
  readonly position: ChangePosition;
  /** The table's rows as of `position`, in chunks. */
  rows(table: CapturedTable): AsyncIterable<readonly ChangeRow[]>;
  close(): Promise<void>;
}

export interface StreamChangesOptions {
  /** The destination's committed position: transactions ending at or before it are already applied and skipped. */
  readonly after: ChangePosition;
  /** Stop once the source has sent everything up to here; undefined streams until `signal` aborts. */
  readonly until: ChangePosition | undefined;
  /** Source row changes per batch; a batch always ends on a transaction boundary. */
  readonly batchSize: number;
  readonly signal: AbortSignal;
}

/** What the stream says between batches, for the caller to act on. */
export type ChangeEvent =
  | { readonly type: 'batch'; readonly batch: ChangeBatch }
  /** Nothing is pending and the source has read up to `position`: it is safe to confirm it. */
  | { readonly type: 'idle'; readonly position: ChangePosition };

/** The source's changes after a position, as batches of whole transactions. */
export interface ChangeStream {
  readonly events: AsyncIterable<ChangeEvent>;
  /** Tells the source everything up to `position` is durably applied, so the slot may release that log. */
  confirm(position: ChangePosition): void;
  close(): Promise<void>;
}

/** A session on a change source for one pipeline's slot and publication. */
export interface CaptureSession {
  /**
   * Reads the tables' columns and keys, refusing (before any slot exists) a
   * table whose updates and deletes cannot be told apart downstream.
   */
  describe(tables: readonly { readonly schema: string; readonly name: string }[]): Promise<CapturedTable[]>;
  /** Makes the publication list exactly these tables. It must exist before the slot. */
  publish(tables: readonly CapturedTable[]): Promise<void>;
  /** The slot, or undefined when it does not exist. */
  slot(): Promise<SlotStatus | undefined>;
  /** The position the source's log has reached now. */
  currentPosition(): Promise<ChangePosition>;
  /** Creates the slot together with a snapshot that meets its stream without a gap or an overlap. */
  snapshot(): Promise<CaptureSnapshot>;
  /** Streams the tables' changes committed after `options.after`. */
  stream(tables: readonly CapturedTable[], options: StreamChangesOptions): Promise<ChangeStream>;
  /** Removes the slot, releasing the log it holds; false when there was none. */
  dropSlot(): Promise<boolean>;
  /** Removes the publication; false when there was none. */
  dropPublication(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A value as it travels from a captured source to a destination. Integers
 * beyond 2^53 stay exact as bigint; decimals, dates, times and JSON stay as the
 * source's text so no precision is lost on the way.
 */
export type ChangeValue = null | boolean | number | bigint | string;

export type ChangeRow = Readonly<Record<string, ChangeValue>>;

/**
 * The net effect of a run of source transactions on one table: per key, the
 * row as it ended (an upsert) or its absence (a delete). A key touched many
 * times in a batch is written once.
 */
export interface TableChanges {
  /** Full rows, keyed in the destination by the table's key. */
  readonly upserts: ChangeRow[];
  /** Rows where some values did not change (values the source did not resend): only the present columns are written. */
  readonly partialUpdates: ChangeRow[];
  /** Key values of deleted rows. */
  readonly deletes: ChangeRow[];
}

/** Changes covering whole source transactions, up to and including the one that ended at `position`. */
export interface ChangeBatch {
  /** Per captured table, by its label (`schema.table`). */
  readonly tables: ReadonlyMap<string, TableChanges>;
  readonly position: ChangePosition;
  readonly commitTime: Date;
  readonly transactions: number;
  /** Source row changes before coalescing. */
  readonly changes: number;
  /**
   * Per captured table whose columns changed at the source since the last
   * batch (a column added, dropped or retyped), its columns as of this
   * batch's end. Rows carry the columns the table had when they changed.
   */
  readonly columns?: ReadonlyMap<string, readonly CapturedColumn[]> | undefined;
}
