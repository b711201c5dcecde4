/**
 * The data plane stores every block's output and runs SQL over those outputs.
 * Blocks and connectors speak to it through this contract; the embedded
 * implementation is DuckDB with one Parquet file per stored output.
 */
import type { ColumnChunk } from './column-chunk.ts';

/** A plain row as user code sees it. */
export type Row = Record<string, unknown>;

export interface Column {
  readonly name: string;
  /** The data plane's type name, e.g. `BIGINT`, `DECIMAL(12,2)`, `VARCHAR`. */
  readonly type: string;
}

/** A block output kept for a run: immutable, readable by any process. */
export interface StoredOutput {
  /** Where the output lives (a Parquet file for the embedded data plane). */
  readonly location: string;
  readonly rows: number;
  readonly columns: readonly Column[];
}

/** Text encodings of CSV files. */
export type CsvEncoding = 'utf-8' | 'utf-16' | 'latin-1' | 'windows-1252';

export interface FileReadSpec {
  /** Absolute paths (already expanded from globs). */
  readonly paths: readonly string[];
  readonly format: 'csv' | 'json' | 'jsonl' | 'parquet';
  readonly csv?: {
    readonly delimiter?: string | undefined;
    readonly quote?: string | undefined;
    readonly escape?: string | undefined;
    readonly header?: boolean | undefined;
    /** `utf-8`, `utf-16`, `latin-1` or `windows-1252` (see docs/connectors.md for the spellings users may write). */
    readonly encoding?: CsvEncoding | undefined;
    /** Unquoted text read as NULL (one or several); a quoted value never is unless `allowQuotedNulls`. */
    readonly nullString?: string | readonly string[] | undefined;
    /** Formats tried in order for columns declared DATE; ISO 8601 always parses, and a value two formats read differently is refused. */
    readonly dateFormats?: readonly string[] | undefined;
    /** Decimal separator of numbers (`.` by default). */
    readonly decimal?: string | undefined;
    /** Thousands separator of numbers (none by default). */
    readonly thousands?: string | undefined;
    /** NaN and infinities are bad values unless this is set. */
    readonly allowNanInfinity?: boolean | undefined;
    readonly skip?: number | undefined;
    /** Column name to type; others are detected. */
    readonly columns?: Readonly<Record<string, string>> | undefined;
    /** Every column in file order, with its type: nothing is detected (names need not match a header). */
    readonly schema?: readonly Column[] | undefined;
    /** A quoted empty field ("") is NULL, as an unquoted one is; false keeps it an empty string. */
    readonly allowQuotedNulls?: boolean | undefined;
    /** Longest line, in bytes, before a row is an error (the engine's default is 2 MB). */
    readonly maxLineSize?: number | undefined;
  };
  readonly json?: {
    /** Column name to type; a value that does not fit is a bad record, never rounded or nulled. */
    readonly columns?: Readonly<Record<string, string>> | undefined;
  };
  /** 'gzip', 'none' or undefined to decide from the file name. */
  readonly compression?: 'gzip' | 'none' | undefined;
  /** Keep going past rows that do not parse and return them, instead of failing. */
  readonly collectRejects?: boolean | undefined;
  /** Add the source file name as a column of this name. */
  readonly filenameColumn?: string | undefined;
}

export interface RejectedRow {
  readonly file: string;
  /** The line a text format's bad row starts on. */
  readonly line?: number | undefined;
  /** The record's number within its file, for formats whose records are not lines (JSON). */
  readonly record?: number | undefined;
  readonly column?: string | undefined;
  readonly reason: string;
  readonly text: string;
}

/** Files read into a stored output; rows that did not load are kept apart when the spec asks. */
export interface StoredFiles extends StoredOutput {
  /** The first rejected rows (at most 1000). */
  readonly rejects: readonly RejectedRow[];
  /** Every rejected row, also those beyond `rejects`. */
  readonly rejectedCount: number;
}

export interface FileWriteSpec {
  readonly path: string;
  readonly format: 'csv' | 'json' | 'jsonl' | 'parquet';
  readonly delimiter?: string | undefined;
  readonly header?: boolean | undefined;
  readonly compression?: 'gzip' | 'zstd' | 'snappy' | 'none' | undefined;
}

export interface StreamOptions {
  /** Rows per batch handed to user code. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal | undefined;
  /**
   * Rows the query must yield. The engine ends a stream that fails midway
   * (out of memory, say) exactly as if it were complete, so callers that know
   * the count pass it and a short stream becomes an error instead of lost rows.
   */
  readonly expectedRows?: number | undefined;
}

/** A column chunk with the data plane's type name of each column (`BIGINT`, `DECIMAL(12,2)`, ...). */
export interface TypedColumnChunk extends ColumnChunk {
  readonly types: readonly string[];
}

/** Output column types a TS block declares; others are inferred from values. */
export type ColumnTypes = Readonly<Record<string, string>>;

/**
 * One unit of work over the data plane (a run). Names given to `attach` are
 * visible as tables to every query of the session.
 */
export interface DataPlaneSession {
  /** Makes a stored output visible as the table `name`. */
  attach(name: string, output: StoredOutput): Promise<void>;
  /**
   * Runs a query and stores its result at `location`; `params` bind as `$1`, `$2`, ...
   * `columns`, when the caller knows what the query yields, spares describing it first.
   */
  storeQuery(sql: string, location: string, signal?: AbortSignal, params?: readonly unknown[], columns?: readonly Column[]): Promise<StoredOutput>;
  /** Stores rows produced by user code; batches are arrays of plain rows. */
  storeRows(rows: AsyncIterable<readonly Row[]>, location: string, types?: ColumnTypes): Promise<StoredOutput>;
  /** Reads files through the data plane's own readers and stores them. */
  storeFiles(spec: FileReadSpec, location: string, signal?: AbortSignal): Promise<StoredFiles>;
  /** Writes a query's result to a file. Returns rows written. */
  writeFile(sql: string, spec: FileWriteSpec, signal?: AbortSignal): Promise<number>;
  /**
   * Writes a query's result as CSV (header-less, PostgreSQL-compatible) to a
   * path, which may be a named pipe. Returns rows written.
   */
  writeCsv(sql: string, path: string, signal?: AbortSignal): Promise<number>;
  /**
   * Splits a table into at most `parts` queries that together return every
   * row exactly once, each reading only its share: for parallel writers.
   */
  partitionQueries(table: string, parts: number): Promise<string[]>;
  /**
   * One page of a stored output, in its stored order (stable across calls),
   * reading only the row groups the page touches; with the total row count.
   */
  pageOutput(location: string, offset: number, limit: number): Promise<OutputPage>;
  /** Streams a query's rows in batches of plain JS values. */
  stream(sql: string, options?: StreamOptions): AsyncIterable<Row[]>;
  /**
   * Streams a query's rows as column chunks in the engine's memory layout,
   * for bulk encoders (a binary COPY) that must not build a JS value per
   * cell. Each chunk names its columns' types; it is valid until the next.
   */
  streamColumns(sql: string, signal?: AbortSignal): AsyncIterable<TypedColumnChunk>;
  /** Runs a statement or a small query; `params` bind as `$1`, `$2`, ... */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Column names and types of a query's result, without running it. */
  describe(sql: string): Promise<Column[]>;
  /** Sets variables readable in SQL through `getvariable('name')`, in one round trip to the engine. */
  setVariables(values: Readonly<Record<string, string | number | boolean>>): Promise<void>;
  /** Attaches another database file of the data plane's own kind under an alias. */
  attachDatabase(file: string, alias: string, options?: { readOnly?: boolean }): Promise<void>;
  detachDatabase(alias: string): Promise<void>;
  /** Runs `work` with unqualified table names resolving in the session's tables, then in an attached database. */
  withDatabaseInScope<T>(alias: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DataPlane {
  openSession(): Promise<DataPlaneSession>;
  /** How many threads the engine runs statements on, from now on, across its sessions. */
  setThreads(threads: number): Promise<void>;
  close(): Promise<void>;
}

export interface OutputPage {
  readonly columns: readonly Column[];
  readonly total: number;
  readonly rows: readonly Row[];
}

