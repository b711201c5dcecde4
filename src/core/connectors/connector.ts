import type { z } from 'zod';
import type { Column, DataPlaneSession, Row, StoredOutput } from '../data-plane/data-plane.ts';
import type { Logger } from '../run/logger.ts';
import type { ChangeCapture } from './change-capture.ts';
import type { IdentifierRules } from './identifier-rules.ts';
import type { OpenSyncDestination } from './sync-destination.ts';

/** How an exporter changes its target. Every mode is transactional. */
export type WriteMode = 'replace' | 'append' | 'upsert' | 'merge' | 'partition';

/** How an upsert or merge finds the rows it replaces. */
export type UpsertStrategy =
  /** `INSERT ... ON CONFLICT (key) DO UPDATE` (PostgreSQL, SQLite, DuckDB). */
  | 'on_conflict'
  /** `INSERT ... ON DUPLICATE KEY UPDATE` against a unique key (MySQL, MariaDB). */
  | 'on_duplicate_key'
  /** Deletes the rows whose key the input holds, then inserts the input, in one transaction. */
  | 'delete_insert'
  | 'none';

/** The fastest way a connector moves a data-plane table into its target. */
export type BulkPath =
  /** `COPY ... FROM STDIN` streamed from the data plane. */
  | 'copy'
  /** `LOAD DATA LOCAL INFILE` streamed from the data plane. */
  | 'load_data'
  /** The data plane writes the target itself (an attached DuckDB file). */
  | 'attach'
  /** Prepared multi-row INSERTs in one transaction. */
  | 'prepared_insert'
  /** The data plane writes a file. */
  | 'file'
  | 'none';

/**
 * What a connector can do, declared as data so the engine, integration, CDC,
 * the server and the CLI ask instead of branching on a connector's name.
 * `connector-registry.test.ts` checks that each declaration matches the parts
 * the connector implements.
 */
export interface ConnectorCapabilities {
  readonly read: boolean;
  /** The write modes an exporter block may use; empty when the connector cannot write. */
  readonly write: readonly WriteMode[];
  /** Can run a SQL block inside the connection (ELT pushdown). */
  readonly sql: boolean;
  /** Needs a named connection in connections.yaml. */
  readonly needsConnection: boolean;
  /** Every write commits whole or not at all. */
  readonly transactions: boolean;
  /**
   * What an integration sync reads from it: `query` runs each batch query
   * inside the source (quoted by its `identifiers`), `files` lands the files in
   * the data plane and batches there, `none` cannot be a sync source.
   */
  readonly syncSource: 'query' | 'files' | 'none';
  /** Can be a sync destination (`batches`), and also receive change sets (`changes`, what CDC writes). */
  readonly syncDestination: 'batches' | 'changes' | 'none';
  /** Can be the source of change data capture (its `changeCapture` part). */
  readonly changeCapture: boolean;
  readonly upsert: UpsertStrategy;
  readonly bulkPath: BulkPath;
}

export interface ConnectorContext {
  readonly projectRoot: string;
  /** Scratch space for this block run; removed afterwards. */
  readonly tempDir: string;
  readonly session: DataPlaneSession;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The block (for error messages). */
  readonly block: string;
}

export interface ReadRequest<S> {
  readonly settings: S;
  /** Where the block output must be stored (pass to the session's store* calls). */
  readonly location: string;
}

export interface ReadResult {
  readonly output: StoredOutput;
  /** Rows the source handed over, before anything was rejected. */
  readonly rowsIn?: number;
  /** Rows the source handed over that were kept apart as rejects instead of loaded. */
  readonly rowsRejected?: number;
  readonly summary?: string;
}

export interface WriteRequest<S> {
  readonly settings: S;
  /** The input visible to the session as this table name. */
  readonly input: { readonly table: string; readonly columns: readonly Column[]; readonly rows: number };
  /**
   * The run's data interval [start, end), for the `partition` mode: days
   * (YYYY-MM-DD) for daily or longer intervals, ISO times otherwise.
   */
  readonly interval?: { readonly start: string; readonly end: string } | undefined;
}

export interface WriteResult {
  readonly rows: number;
  /** e.g. "replaced public.daily_revenue with 31 rows". */
  readonly summary: string;
}

/** What `discover` looks at: one schema (database for MySQL), or the connection's own when left out. */
export interface DiscoverRequest {
  readonly schema?: string | undefined;
}

export interface DiscoveredColumn {
  readonly name: string;
  /** The source's own type name, e.g. `numeric(12,2)`, `varchar(255)`, `INTEGER`. */
  readonly type: string;
  readonly nullable: boolean;
}

/** A table as the source describes it, columns in their defined order. */
export interface DiscoveredTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly DiscoveredColumn[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
}

/** A connector bound to one configured connection (or to none, for files). */
export interface ConnectorConnection<R = unknown, W = unknown> {
  read?(request: ReadRequest<R>, context: ConnectorContext): Promise<ReadResult>;
  write?(request: WriteRequest<W>, context: ConnectorContext): Promise<WriteResult>;
  /** Lists the tables (not views) of a schema with their columns and primary keys, sorted by name. */
  discover?(request: DiscoverRequest, context: ConnectorContext): Promise<DiscoveredTable[]>;
  /** Runs a SQL block inside the connection and stores its result. */
  runSql?(sql: string, location: string, context: ConnectorContext): Promise<ReadResult>;
  /** For TypeScript blocks: a small query, parameters bound as $1, $2... */
  query?(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** A kind of system Sluice can read or write. One folder per connector. */
export interface Connector<C = unknown, R = unknown, W = unknown> {
  readonly kind: string;
  readonly description: string;
  readonly capabilities: ConnectorCapabilities;
  /** Settings of a named connection in connections.yaml. */
  readonly connectionSchema: z.ZodType<C>;
  /** Settings of a loader block that reads through this connector. */
  readonly readSchema: z.ZodType<R>;
  /** Settings of an exporter block that writes through this connector. */
  readonly writeSchema: z.ZodType<W>;
  /** How it names things: quoting, case and length. Every connector that speaks SQL has them. */
  readonly identifiers?: IdentifierRules | undefined;
  /** Opens a connection as a sync destination; present when `capabilities.syncDestination` is not `none`. */
  readonly syncDestination?: OpenSyncDestination | undefined;
  /** Change data capture from this source; present when `capabilities.changeCapture`. */
  readonly changeCapture?: ChangeCapture<C> | undefined;
  /** Opens the connection; heavy drivers load here, not at import. */
  connect(settings: C, context: { readonly name: string; readonly projectRoot: string; readonly warehousePath: string }): Promise<ConnectorConnection<R, W>>;
}

export type AnyConnector = Connector<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type ConnectorRegistry = ReadonlyMap<string, AnyConnector>;

export function createConnectorRegistry(connectors: readonly AnyConnector[]): ConnectorRegistry {
  return new Map(connectors.map((c) => [c.kind, c]));
}
