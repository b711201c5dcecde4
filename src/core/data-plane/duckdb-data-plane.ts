import { closeSync, mkdirSync, openSync, renameSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  JSDuckDBValueConverter,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { fastColumnValues } from './duckdb-fast-values.ts';
import { TextCache } from './text-cache.ts';
import { SluiceError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/quote.ts';
import type {
  Column,
  ColumnTypes,
  DataPlane,
  DataPlaneSession,
  FileReadSpec,
  FileWriteSpec,
  OutputPage,
  RejectedRow,
  Row,
  StoredFiles,
  StoredOutput,
  StreamOptions,
  TypedColumnChunk,
} from './data-plane.ts';
import { streamDuckColumns } from './duckdb-column-chunks.ts';
import { readAhead } from './duckdb-read-ahead.ts';
import { CsvRowEncoder } from './csv-row-encoder.ts';
import { CsvBytes } from './csv-bytes.ts';
import { createRowBuilder, type RowBuilder } from './row-shapes.ts';
import { lineNumbersAt } from './line-numbers.ts';
import { storeJsonFiles } from './json-scan.ts';
import { checkedTypeName } from './checked-type-name.ts';
import { storeCsvFiles } from './duckdb-csv-reader.ts';
import { csvBufferSize, engineMaxLineSize } from './csv-buffer-size.ts';

export interface DuckDbDataPlaneOptions {
  /** Where DuckDB spills when a query needs more than `memoryLimit`. */
  readonly tempDir: string;
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Relative file paths in SQL (read_csv('data/x.csv')) resolve here: the project folder. */
  readonly fileSearchPath?: string;
}

/**
 * The embedded data plane: an in-memory DuckDB per process, with every stored
 * output a Parquet file. Files are immutable once renamed into place, so any
 * number of processes (CLI runs, the server, workers) can read them while a
 * run writes its own: no DuckDB database file is shared between writers.
 */
export async function createDuckDbDataPlane(options: DuckDbDataPlaneOptions): Promise<DataPlane> {
  mkdirSync(options.tempDir, { recursive: true });
  const config: Record<string, string> = {
    memory_limit: options.memoryLimit ?? '160MB',
    temp_directory: options.tempDir,
    // Keeping insertion order makes DuckDB buffer whole results when the
    // consumer (a COPY into PostgreSQL) is slower than the producer.
    preserve_insertion_order: 'false',
    // Stored outputs are read once, by the next block: caching their bytes only holds memory.
    enable_external_file_cache: 'false',
    // The engine's allocator keeps up to 128 MB it has freed after each task by default;
    // returning it sooner keeps a run's peak near the memory limit rather than far above it.
    allocator_flush_threshold: '16MB',
    allocator_background_threads: 'true',
    // A Parquet write buffers this many row groups per thread before flushing them.
    write_buffer_row_group_count: '1',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  };
  if (options.threads) config.threads = String(options.threads);
  if (options.fileSearchPath) config.file_search_path = options.fileSearchPath;
  const instance = await DuckDBInstance.create(':memory:', config);
  const sessions = new Set<DuckDbSession>();
  let sessionCounter = 0;
  return {
    async openSession() {
      // Each session's tables live in a schema of its own, so runs side by side in one process never see each other's.
      const schema = `sluice_session_${++sessionCounter}`;
      const connect = async (): Promise<DuckDBConnection> => {
        const connection = await instance.connect();
        await connection.run(`SET search_path = ${quoteLiteral(`memory.${quoteIdent(schema)},memory.main`)}`);
        return connection;
      };
      const main = await instance.connect();
      await main.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}; SET search_path = ${quoteLiteral(`memory.${quoteIdent(schema)},memory.main`)};`);
      // A closed session leaves the set: a long-lived server opens one per block run.
      const session: DuckDbSession = new DuckDbSession(main, connect, options.tempDir, schema, () => sessions.delete(session));
      sessions.add(session);
      return session;
    },
    async setThreads(threads: number) {
      if (!Number.isInteger(threads) || threads < 1) throw new SluiceError('data_plane.bad_threads', `threads must be a whole number of at least 1; got ${threads}`);
      const connection = await instance.connect();
      try {
        await connection.run(`SET threads = ${threads}`);
      } finally {
        connection.closeSync();
      }
    },
    async close() {
      for (const session of sessions) await session.close();
      instance.closeSync();
      // The spill folder is this process's; once the engine is closed it holds nothing worth keeping.
      // Only an empty folder goes: another data plane of the same process may still be spilling there.
      try {
        rmdirSync(options.tempDir);
      } catch {
        // not empty, or already gone
      }
    },
  };
}

const batchRows = 8192;
const stagingFlushBytes = 1 << 20;
/** Chunks a row stream keeps fetched ahead of the block reading it: a few hundred kilobytes. */
const streamReadAhead = 4;
let stagingCounter = 0;

class DuckDbSession implements DataPlaneSession {
  private closed = false;
  /** Attached outputs by table name, so partitions can read their share of the file. */
  private readonly attached = new Map<string, StoredOutput>();
  private readonly extra: DuckDBConnection[] = [];
  /** Statements under way on this session's connections: close() interrupts them and waits, as closing a connection under a running statement crashes the engine. */
  private readonly busy = new Set<Promise<unknown>>();

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly connect: () => Promise<DuckDBConnection>,
    /** Where staged rows wait on disk while they are converted. */
    private readonly scratch: string,
    private readonly schema: string,
    private readonly onClose: () => void,
  ) {}

  async attach(name: string, output: StoredOutput): Promise<void> {
    await this.run(
      `CREATE OR REPLACE VIEW ${quoteIdent(this.schema)}.${quoteIdent(name)} AS SELECT * FROM read_parquet(${quoteLiteral(output.location)})`,
    );
    this.attached.set(name, output);
  }

  async partitionQueries(table: string, parts: number): Promise<string[]> {
    const output = this.attached.get(table);
    if (!output || parts <= 1 || output.rows < 2 * 122880) return [`SELECT * FROM ${quoteIdent(table)}`];
    // Ranges of file_row_number let DuckDB skip the row groups outside each share.
    const size = Math.ceil(output.rows / parts);
    const file = quoteLiteral(output.location);
    return Array.from(
      { length: parts },
      (_, k) =>
        `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${file}, file_row_number = true) ` +
        `WHERE file_row_number >= ${k * size} AND file_row_number < ${(k + 1) * size}`,
    );
  }

  async pageOutput(location: string, offset: number, limit: number): Promise<OutputPage> {
    const file = quoteLiteral(location);
    const columns = await this.describe(`SELECT * FROM read_parquet(${file})`);
    const [count] = await this.query(`SELECT count(*) AS n FROM read_parquet(${file})`);
    const from = Math.max(0, Math.floor(offset));
    const to = from + Math.max(0, Math.floor(limit));
    const rows = await this.query(
      `SELECT * EXCLUDE (file_row_number) FROM read_parquet(${file}, file_row_number = true)
        WHERE file_row_number >= ${from} AND file_row_number < ${to} ORDER BY file_row_number`,
    );
    return { columns, total: Number(count?.n ?? 0), rows };
  }

  async storeQuery(sql: string, location: string, signal?: AbortSignal, params: readonly unknown[] = [], columns?: readonly Column[]): Promise<StoredOutput> {
    return this.copyToParquet(this.connection, sql, location, signal, params, columns);
  }

  private async copyToParquet(connection: DuckDBConnection, sql: string, location: string, signal?: AbortSignal, params: readonly unknown[] = [], known?: readonly Column[]): Promise<StoredOutput> {
    mkdirSync(path.dirname(location), { recursive: true });
    const partial = `${location}.partial`;
    const rows = await this.guard(() => withInterrupt(connection, signal, async () => {
      const result = await connection.run(
        // A byte bound on row groups too: 122,880 rows of wide text, one group per thread, outgrow the memory limit.
        `COPY (${await this.parquetSafe(sql, params, known)}) TO ${quoteLiteral(partial)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, ROW_GROUP_SIZE_BYTES 16000000)`,
        params.length ? (params as DuckDBValue[]) : undefined,
      );
      return result.rowsChanged;
    })).catch((error: unknown) => {
      rmSync(partial, { force: true });
      throw error;
    });
    renameSync(partial, location);
    const columns = await this.describe(`SELECT * FROM read_parquet(${quoteLiteral(location)})`);
    return { location, rows, columns };
  }

  /**
   * Parquet has no 128-bit integers and DuckDB would write them as DOUBLE,
   * losing digits (sum() of BIGINT is one); DECIMAL(38,0) keeps them exact.
   */
  private async parquetSafe(sql: string, params: readonly unknown[], known?: readonly Column[]): Promise<string> {
    // Describing a query costs as much as planning it again: a caller that knows its columns says so.
    const columns = known ?? (params.length ? await this.describeWith(sql, params) : await this.describe(`(${sql})`).catch(() => undefined));
    const wide = columns?.filter((c) => c.type === 'HUGEINT' || c.type === 'UHUGEINT') ?? [];
    if (!wide.length) return sql;
    const replace = wide.map((c) => `CAST(${quoteIdent(c.name)} AS DECIMAL(38,0)) AS ${quoteIdent(c.name)}`).join(', ');
    return `SELECT * REPLACE (${replace}) FROM (${sql})`;
  }

  /**
   * Rows from JS travel as CSV, the fastest way across the JS/engine
   * boundary (bytes written per batch instead of a call per value), staged in
   * a scratch file that the engine then reads into Parquet with both cores.
   * The first batch fixes the columns and their types.
   */
  async storeRows(batches: AsyncIterable<readonly Row[]>, location: string, types: ColumnTypes = {}): Promise<StoredOutput> {
    mkdirSync(this.scratch, { recursive: true });
    const staging = path.join(this.scratch, `rows-${process.pid}-${++stagingCounter}.csv`);
    const encoder = new CsvRowEncoder(types);
    // Batches are encoded as bytes into one buffer, written out whenever it holds a megabyte.
    const bytes = new CsvBytes(stagingFlushBytes + (1 << 16));
    const file = openSync(staging, 'w');
    let open = true;
    try {
      for await (const batch of batches) {
        encoder.encodeInto(batch, bytes);
        if (bytes.pos >= stagingFlushBytes) writeAll(file, bytes);
      }
      writeAll(file, bytes);
      closeSync(file);
      open = false;
      const columns = encoder.columns;
      if (columns.length === 0) {
        // No rows: the table still has the declared columns (or one placeholder, as Parquet needs a column).
        const declared = Object.entries(types).map(([name, type]) => `CAST(NULL AS ${checkedTypeName(type, name)}) AS ${quoteIdent(name)}`);
        return await this.storeQuery(`SELECT ${declared.join(', ') || 'NULL::VARCHAR AS "empty"'} WHERE false`, location);
      }
      const csvTypes = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.staged.duck)}`).join(', ');
      const scan =
        `read_csv(${quoteLiteral(staging)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
        `nullstr = '', allow_quoted_nulls = false, new_line = '\\n', buffer_size = ${csvBufferSize(engineMaxLineSize)}, columns = {${csvTypes}})`;
      const select = columns
        .map(({ name, staged }) => {
          const wanted = types[name];
          const column = quoteIdent(name);
          if (wanted) return `CAST(${column} AS ${checkedTypeName(wanted, name)}) AS ${column}`;
          return staged.final === staged.duck ? column : `CAST(${column} AS ${staged.final}) AS ${column}`;
        })
        .join(', ');
      return await this.storeQuery(`SELECT ${select} FROM ${scan}`, location).catch(async (error: unknown) => {
        throw rowsError(error, await this.firstUncastable(scan, columns, types));
      });
    } finally {
      if (open) closeSync(file);
      rmSync(staging, { force: true });
    }
  }

  /** Which record holds the first value that does not convert to its declared type (lines are records here). */
  private async firstUncastable(
    scan: string,
    columns: readonly { name: string }[],
    types: ColumnTypes,
  ): Promise<{ record: number; column: string; value: string } | undefined> {
    for (const { name } of columns) {
      const type = types[name];
      if (!type) continue;
      const column = quoteIdent(name);
      const found = await this.query(
        `SELECT n, v FROM (SELECT row_number() OVER () AS n, ${column} AS v FROM ${scan.replace(/\)$/, ', parallel = false)')})
          WHERE v IS NOT NULL AND TRY_CAST(v AS ${checkedTypeName(type, name)}) IS NULL LIMIT 1`,
      ).catch(() => []);
      const [row] = found;
      if (row) return { record: Number(row.n), column: name, value: String(row.v) };
    }
    return undefined;
  }

  async storeFiles(spec: FileReadSpec, location: string, signal?: AbortSignal): Promise<StoredFiles> {
    if (spec.format === 'json' || spec.format === 'jsonl') {
      return storeJsonFiles(this, spec, location, checkedTypeName, signal).catch((error: unknown) => {
        throw fileError(spec, error);
      });
    }
    // A CSV with a fixed schema (a database's own export) needs no guessing; any other goes through the checked reader.
    if (spec.format === 'csv' && !spec.csv?.schema?.length) {
      return storeCsvFiles(
        { query: (sql) => this.query(sql), storeQuery: (sql, at, s, params, columns) => this.storeQuery(sql, at, s, params, columns), readRejects: (limit) => this.readRejects(limit), scratch: this.scratch },
        spec,
        location,
        signal,
      );
    }
    const scan = fileScanSql(spec, spec.collectRejects ?? false);
    if (!spec.collectRejects) {
      try {
        return { ...(await this.storeQuery(`SELECT * FROM ${scan}`, location, signal)), rejects: [], rejectedCount: 0 };
      } catch (error) {
        if (spec.format !== 'csv') throw fileError(spec, error);
        // Re-read collecting rejects only to say exactly which line failed.
        const [first] = await this.findRejects(spec, 1);
        if (first) {
          throw new SluiceError('file.bad_row', `${first.reason}${first.text ? ` (row: ${first.text})` : ''}`, {
            location: { file: first.file, line: first.line },
            cause: error,
          });
        }
        throw fileError(spec, error);
      }
    }
    await this.run('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;');
    const stored = await this.storeQuery(`SELECT * FROM ${scan}`, location, signal).catch((error: unknown) => {
      throw fileError(spec, error);
    });
    const [counted] = await this.query('SELECT count(DISTINCT (scan_id, file_id, line)) AS n FROM reject_errors');
    return { ...stored, rejects: await this.readRejects(1000), rejectedCount: Number(counted?.n ?? 0) };
  }

  private async findRejects(spec: FileReadSpec, limit: number): Promise<RejectedRow[]> {
    try {
      await this.run('DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans;');
      // count(COLUMNS(*)) makes every column parse; a bare count(*) would skip the bad value.
      await this.run(`SELECT count(COLUMNS(*)) FROM ${fileScanSql(spec, true)}`);
      return await this.readRejects(limit);
    } catch {
      return [];
    }
  }

  private async readRejects(limit: number): Promise<RejectedRow[]> {
    const rows = await this.query(
      `SELECT s.file_path AS file, e.line AS line, e.line_byte_position AS at, e.column_name AS column_name, e.error_message AS reason, e.csv_line AS text
         FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
        ORDER BY s.file_path, e.line LIMIT ${Number(limit)}`,
    );
    // The reader numbers rows; quoted fields may span lines, so count the real line from the byte offset.
    const lines = new Map<string, Map<number, number>>();
    for (const file of new Set(rows.map((r) => String(r.file)))) {
      const offsets = rows.filter((r) => String(r.file) === file && r.at != null).map((r) => Number(r.at));
      lines.set(file, await lineNumbersAt(file, offsets).catch(() => new Map<number, number>()));
    }
    return rows.map((r) => ({
      file: String(r.file),
      line: (r.at != null ? lines.get(String(r.file))?.get(Number(r.at)) : undefined) ?? Number(r.line),
      column: r.column_name == null ? undefined : String(r.column_name),
      // The whole reason: a quoted value with a newline in it would otherwise end it mid-value.
      reason: String(r.reason),
      text: r.text == null ? '' : String(r.text),
    }));
  }

  async writeFile(sql: string, spec: FileWriteSpec, signal?: AbortSignal): Promise<number> {
    mkdirSync(path.dirname(spec.path), { recursive: true });
    const options: string[] = [];
    switch (spec.format) {
      case 'csv':
        options.push('FORMAT csv', `HEADER ${spec.header === false ? 'false' : 'true'}`);
        if (spec.delimiter) options.push(`DELIMITER ${quoteLiteral(spec.delimiter)}`);
        break;
      case 'json':
        options.push('FORMAT json', 'ARRAY true');
        break;
      case 'jsonl':
        options.push('FORMAT json');
        break;
      case 'parquet':
        options.push('FORMAT parquet');
        break;
    }
    if (spec.compression) options.push(`COMPRESSION ${spec.compression === 'none' ? 'uncompressed' : spec.compression}`);
    return this.withAbort(signal, async () => {
      const result = await this.connection.run(`COPY (${sql}) TO ${quoteLiteral(spec.path)} (${options.join(', ')})`);
      return result.rowsChanged;
    });
  }

  writeCsv(sql: string, target: string, signal?: AbortSignal): Promise<number> {
    return this.guard(() => this.writeCsvOnOwnConnection(sql, target, signal));
  }

  private async writeCsvOnOwnConnection(sql: string, target: string, signal?: AbortSignal): Promise<number> {
    // Each call gets its own connection so several can stream at once.
    const connection = await this.connect();
    this.extra.push(connection);
    const abort = (): void => connection.interrupt();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const result = await connection.run(
        `COPY (${sql}) TO ${quoteLiteral(target)} (FORMAT csv, HEADER false, USE_TMP_FILE false)`,
      );
      return result.rowsChanged;
    } finally {
      signal?.removeEventListener('abort', abort);
      connection.closeSync();
      this.extra.splice(this.extra.indexOf(connection), 1);
    }
  }

  async *stream(sql: string, options: StreamOptions = {}): AsyncIterable<Row[]> {
    const size = options.batchSize ?? batchRows;
    // A dedicated connection: user code may query the session while it iterates.
    const connection = await this.connect();
    try {
      const result = await connection.stream(sql);
      const names = result.deduplicatedColumnNames();
      const types = result.columnTypes();
      const build = createRowBuilder(names);
      // One cache per column: each column's repeated values stay cached however many other columns there are.
      const texts = names.map(() => new TextCache());
      let pending: Row[] = [];
      let streamed = 0;
      // Chunks are fetched ahead, so the engine reads while JS converts rows and runs the block.
      for await (const chunk of readAhead(result, streamReadAhead)) {
        if (options.signal?.aborted) throw options.signal.reason;
        streamed += chunk.rowCount;
        chunkToRows(chunk, types, texts, build, pending);
        if (pending.length >= size) {
          let start = 0;
          for (; start + size <= pending.length; start += size) yield start === 0 && pending.length === size ? pending : pending.slice(start, start + size);
          pending = pending.slice(start);
        }
      }
      if (options.signal?.aborted) throw options.signal.reason;
      if (options.expectedRows !== undefined && streamed !== options.expectedRows) {
        throw new SluiceError(
          'data_plane.short_stream',
          `the data plane stopped after ${streamed.toLocaleString('en-US')} of ${options.expectedRows.toLocaleString('en-US')} rows (out of memory? raise data_plane.memory_limit in sluice.yaml)`,
          { retryable: true },
        );
      }
      if (pending.length) yield pending;
    } finally {
      connection.closeSync();
    }
  }

  async *streamColumns(sql: string, signal?: AbortSignal): AsyncIterable<TypedColumnChunk> {
    // A dedicated connection, as for stream(): several writers may read at once.
    const connection = await this.connect();
    const abort = (): void => connection.interrupt();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      yield* streamDuckColumns(connection, sql, signal);
    } finally {
      signal?.removeEventListener('abort', abort);
      connection.closeSync();
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const reader = await this.guard(() => this.connection.runAndReadAll(sql, params.length ? (params as DuckDBValue[]) : undefined));
    return reader.convertRowObjects(JSDuckDBValueConverter) as Row[];
  }

  /** Column names and types of a query that takes parameters (DESCRIBE cannot bind them): it runs with no rows. */
  private async describeWith(sql: string, params: readonly unknown[]): Promise<Column[] | undefined> {
    const reader = await this.guard(() => this.connection.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`, params as DuckDBValue[])).catch(() => undefined);
    return reader?.columnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
  }

  async describe(sql: string): Promise<Column[]> {
    const rows = await this.query(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  async setVariables(values: Readonly<Record<string, string | number | boolean>>): Promise<void> {
    // SET VARIABLE takes no parameters: each value goes in as a quoted literal, all in one call.
    const statements = Object.entries(values).map(([name, value]) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new SluiceError('variable.bad_number', `variable ${name} is not a finite number`);
      const literal = typeof value === 'string' ? quoteLiteral(value) : typeof value === 'boolean' ? String(value) : Number(value).toString();
      return `SET VARIABLE ${quoteIdent(name)} = ${literal};`;
    });
    if (statements.length) await this.run(statements.join('\n'));
  }

  async attachDatabase(file: string, alias: string, options: { readOnly?: boolean } = {}): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    await this.run(`ATTACH ${quoteLiteral(file)} AS ${quoteIdent(alias)}${options.readOnly ? ' (READ_ONLY)' : ''}`);
  }

  async withDatabaseInScope<T>(alias: string, work: () => Promise<T>): Promise<T> {
    // The session's own schema stays first (and so the default database): upstream tables win over same-named ones.
    await this.run(`SET search_path = ${quoteLiteral(`memory.${quoteIdent(this.schema)},${quoteIdent(alias)}.main,memory.main`)}`);
    try {
      return await work();
    } finally {
      await this.run(`SET search_path = ${quoteLiteral(`memory.${quoteIdent(this.schema)},memory.main`)}`);
    }
  }

  async detachDatabase(alias: string): Promise<void> {
    await this.run(`DETACH DATABASE IF EXISTS ${quoteIdent(alias)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    // A block that lost the race against its timeout may still have a statement running here.
    if (this.busy.size) {
      for (const c of [this.connection, ...this.extra]) c.interrupt();
      await Promise.allSettled([...this.busy]);
    }
    for (const c of this.extra) c.closeSync();
    await this.connection.run(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`).catch(() => undefined);
    this.connection.closeSync();
  }

  private async run(sql: string): Promise<void> {
    await this.guard(() => this.connection.run(sql));
  }

  private withAbort<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    return this.guard(() => withInterrupt(this.connection, signal, work));
  }

  /** Runs a statement on this session, refused once it is closed, and known to close() while it runs. */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SluiceError('data_plane.session_closed', 'the data plane session was closed (its block run ended or timed out)'));
    const running = work();
    this.busy.add(running);
    const settled = (): boolean => this.busy.delete(running);
    running.then(settled, settled);
    return running;
  }
}

async function withInterrupt<T>(connection: DuckDBConnection, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (!signal) return work();
  if (signal.aborted) throw signal.reason;
  const abort = (): void => connection.interrupt();
  signal.addEventListener('abort', abort, { once: true });
  try {
    return await work();
  } finally {
    signal.removeEventListener('abort', abort);
  }
}


/** Writes out what `bytes` holds and empties it. */
function writeAll(file: number, bytes: CsvBytes): void {
  let done = 0;
  while (done < bytes.pos) done += writeSync(file, bytes.buf, done, bytes.pos - done);
  bytes.clear();
}

function chunkToRows(chunk: DuckDBDataChunk, types: readonly DuckDBType[], texts: readonly TextCache[], build: RowBuilder, into: Row[]): void {
  // Common scalar columns are read from the vector's memory; the engine's converter handles the rest.
  const columns = types.map((type, i) => fastColumnValues(chunk, i, type, texts[i]) ?? chunk.convertColumnValues(i, JSDuckDBValueConverter));
  build(columns, chunk.rowCount, into);
}

function fileScanSql(spec: FileReadSpec, collectRejects: boolean): string {
  const paths = `[${spec.paths.map(quoteLiteral).join(', ')}]`;
  const opts: string[] = [];
  if (spec.compression) opts.push(`compression = ${quoteLiteral(spec.compression)}`);
  if (spec.filenameColumn) opts.push(`filename = ${quoteLiteral(spec.filenameColumn)}`);
  switch (spec.format) {
    case 'parquet':
      return `read_parquet(${paths}${opts.length ? `, ${opts.join(', ')}` : ''})`;
    case 'json':
    case 'jsonl':
      opts.push(`format = ${quoteLiteral(spec.format === 'json' ? 'array' : 'newline_delimited')}`);
      return `read_json(${paths}, ${opts.join(', ')})`;
    case 'csv': {
      const csv = spec.csv ?? {};
      if (csv.delimiter !== undefined) opts.push(`delim = ${quoteLiteral(csv.delimiter)}`);
      if (csv.quote !== undefined) opts.push(`quote = ${quoteLiteral(csv.quote)}`);
      if (csv.escape !== undefined) opts.push(`escape = ${quoteLiteral(csv.escape)}`);
      opts.push(`header = ${csv.header === false ? 'false' : 'true'}`);
      if (csv.encoding !== undefined) opts.push(`encoding = ${quoteLiteral(csv.encoding)}`);
      if (typeof csv.nullString === 'string') opts.push(`nullstr = ${quoteLiteral(csv.nullString)}`);
      if (csv.skip !== undefined) opts.push(`skip = ${Number(csv.skip)}`);
      if (csv.allowQuotedNulls === false) opts.push('allow_quoted_nulls = false');
      const lineLimit = csv.maxLineSize === undefined ? engineMaxLineSize : Number(csv.maxLineSize);
      if (csv.maxLineSize !== undefined) opts.push(`max_line_size = ${lineLimit}`);
      opts.push(`buffer_size = ${csvBufferSize(lineLimit)}`);
      if (csv.schema?.length) {
        // A struct literal keeps the written order, which is the file's column order.
        const columns = csv.schema.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(checkedTypeName(c.type, c.name))}`).join(', ');
        opts.push('auto_detect = false', `columns = {${columns}}`);
      } else if (csv.columns && Object.keys(csv.columns).length) {
        const types = Object.entries(csv.columns)
          .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(checkedTypeName(type, name))}`)
          .join(', ');
        opts.push(`types = {${types}}`);
      }
      if (collectRejects) opts.push('store_rejects = true');
      return `read_csv(${paths}, ${opts.join(', ')})`;
    }
  }
}

/** A value the engine could not convert names its record and column, without the engine's SQL. */
function rowsError(error: unknown, found?: { record: number; column: string; value: string }): SluiceError {
  if (found) {
    return new SluiceError('block.bad_value', `column '${found.column}': '${found.value.slice(0, 60)}' does not convert to the declared type`, {
      cause: error,
      location: { record: found.record },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  const line = /Line: (\d+)/.exec(message)?.[1];
  const detail = message.split('\n').filter((l) => l.trim() && !l.startsWith('  ') && !l.startsWith('Original Line') && !l.startsWith('LINE ')).slice(0, 2).join('; ');
  return new SluiceError('block.bad_value', `a returned value does not fit its column: ${detail}`, {
    cause: error,
    ...(line ? { location: { record: Number(line) } } : {}),
  });
}

function fileError(spec: FileReadSpec, error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstPath = spec.paths.length === 1 ? spec.paths[0] : undefined;
  const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
  const detail = message.split('\n').filter((l) => l.trim() && !l.startsWith('  ') && !l.startsWith('LINE ')).slice(0, 3).join('; ');
  return new SluiceError('file.read_failed', `cannot read ${spec.format}: ${detail}`, {
    cause: error,
    ...(firstPath ? { location: { file: firstPath, ...(line ? { line: Number(line) } : {}) } } : {}),
  });
}
