import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Column, StoredOutput } from '../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError, SluiceError } from '../core/errors.ts';
import type { Logger } from '../core/run/logger.ts';
import { quoteIdent } from '../core/sql/quote.ts';
import { appendRejects, applySchemaContract, logChanges, type SchemaChange } from '../core/connectors/apply-schema-contract.ts';
import type { SyncStreamSpec } from '../core/pipeline/integration-schema.ts';
import type { JudgedBatch, StreamDrift } from '../core/quality/judge-stream-drift.ts';
import { batchQuery, cursorLiteral } from './source-dialect.ts';
import type { SourceReader } from './source-reader.ts';
import type { StreamState, SyncContext, SyncDestination, SyncInput, SyncTable } from '../core/connectors/sync-destination.ts';

/** The state an incremental stream commits with each batch. */
export interface IncrementalState extends StreamState {
  readonly mode: SyncStreamSpec['mode'];
  readonly cursor_column: string;
  /** The largest cursor value committed, as text. */
  readonly cursor: string;
  readonly cursor_kind: 'number' | 'text';
  /** Rows committed by this stream since its state was last reset. */
  readonly rows: number;
}

export interface StreamSyncRequest {
  readonly pipeline: string;
  readonly spec: SyncStreamSpec;
  readonly source: SourceReader;
  readonly destination: SyncDestination;
  readonly context: SyncContext;
  readonly logger: Logger;
  /** Called after each committed batch (the metadata store's mirror). */
  readonly committed: (state: StreamState) => Promise<void>;
  /** Called for each schema change, before the batch that needed it is written. */
  readonly schemaChanged: (table: SyncTable, change: SchemaChange) => Promise<void>;
  /** Judges each batch for drift before it is written; without it, no drift is judged. */
  readonly drift?: StreamDrift | undefined;
}

export interface StreamSyncResult {
  readonly rows: number;
  readonly batches: number;
  readonly rejected: number;
  readonly summary: string;
}

/**
 * Syncs one stream: reads the source in batches ordered by the cursor (each
 * landed in the data plane on disk, never the table in memory), fits each to
 * the destination's schema, and commits each with its state.
 */
export async function syncStream(request: StreamSyncRequest): Promise<StreamSyncResult> {
  const { spec, context } = request;
  const table: SyncTable = { name: spec.destinationTable };
  await request.destination.prepare(context);
  const probe = await readSource(request, `SELECT * FROM ${request.source.from} WHERE 1 = 0`, 'probe');
  const cursor = spec.cursor === undefined ? undefined : resolveColumn(request, probe.columns, spec.cursor, 'cursor');
  const key = await primaryKey(request, probe.columns);
  if (spec.mode === 'incremental_dedupe' && !key.length) {
    throw new ConfigError('integration.key_required', `stream '${spec.stream}': incremental_dedupe needs a primary key, and ${spec.table ?? 'the query'} has none; set primary_key`);
  }
  if (spec.mode === 'full_refresh') return fullRefresh(request, table, key);
  // A table's own primary key holds each key once, so its batches need no search for repeated keys.
  const keyUnique = spec.primaryKey === undefined && spec.table !== undefined;
  return incremental(request, table, key, cursor!, keyUnique);
}

async function fullRefresh(request: StreamSyncRequest, table: SyncTable, key: readonly string[]): Promise<StreamSyncResult> {
  const { spec } = request;
  const previous = await committedState(request);
  const output = await readSource(request, `SELECT * FROM ${request.source.from}`, 'full');
  const judged = await request.drift?.judge(output, 0);
  const input = await land(request, judged?.batch ?? output, '_sluice_batch');
  const fitted = await fit(request, table, key, input, judged);
  const rejected = (await writeDriftRejects(request, table, judged, previous)) + (await writeRejects(request, table, fitted.rejects, previous));
  const before = rejected ? (previous ?? {}) : previous;
  const state: StreamState = { mode: spec.mode, rows: fitted.input.rows, synced_at: new Date().toISOString() };
  const result = await request.destination.applyBatch({ pipeline: request.pipeline, stream: spec.stream, table, change: { kind: 'replace', input: fitted.input, key }, state, previousState: before }, request.context);
  await request.committed(state);
  await judged?.committed();
  return { rows: result.rows, batches: 1, rejected, summary: `replaced ${table.name} in '${request.destination.name}' with ${count(result.rows)} rows (full_refresh)${rejectedText(rejected)}` };
}

async function incremental(request: StreamSyncRequest, table: SyncTable, key: readonly string[], cursor: string, keyUnique: boolean): Promise<StreamSyncResult> {
  const { spec, destination, context, logger } = request;
  const dialect = request.source.dialect;
  let previous = await committedState(request);
  let state = incrementalState(request, previous, cursor);
  const startedAt = state?.cursor;
  let rows = 0;
  let batches = 0;
  let rejected = 0;
  const readBatch = (after: string | undefined, kind: IncrementalState['cursor_kind'], n: number): Promise<StoredOutput> =>
    readSource(request, batchQuery(dialect, request.source.from, cursor, after === undefined ? undefined : cursorLiteral(dialect, after, kind), spec.batchSize), `batch-${n}`);
  // The next batch, read from the source while this one is fitted and written: its position is known once this one has landed.
  let ahead: Promise<StoredOutput> | undefined;
  try {
    for (;;) {
      if (context.signal.aborted) throw new SluiceError('integration.cancelled', `stream '${spec.stream}' was cancelled after ${batches} batch(es)`, { cause: context.signal.reason });
      const output = await (ahead ?? readBatch(state?.cursor, state?.cursor_kind ?? 'text', batches));
      ahead = undefined;
      if (!output.rows) break;
      let input = await land(request, output, '_sluice_batch');
      const cursorType = input.columns.find((c) => c.name === cursor)?.type ?? 'VARCHAR';
      const [last] = await context.session.query(`SELECT CAST(max(${quoteIdent(cursor)}) AS VARCHAR) AS v FROM ${quoteIdent(input.table)}`);
      const position = { cursor: String(last?.v), kind: isNumericType(cursorType) ? ('number' as const) : ('text' as const) };
      // The batch query takes up to batch_size rows plus ties: fewer means the source had no more.
      const more = output.rows >= spec.batchSize;
      if (more) {
        ahead = readBatch(position.cursor, position.kind, batches + 1);
        // Its failure is reported when it is awaited, as the next batch's read.
        ahead.catch(() => undefined);
      }
      // The position counts the rows drift sets aside: they are read, and kept in the rejects.
      const judged = await request.drift?.judge(output, batches);
      if (judged && judged.batch !== output) input = await land(request, judged.batch, '_sluice_judged');
      if (spec.mode === 'incremental_dedupe' && !keyUnique) input = await latestPerKey(request, input, key, cursor);
      const fitted = await fit(request, table, key, input, judged);
      const set = (await writeDriftRejects(request, table, judged, previous)) + (await writeRejects(request, table, fitted.rejects, previous));
      if (set) previous ??= {};
      rejected += set;
      const next: IncrementalState = {
        mode: spec.mode,
        cursor_column: cursor,
        cursor: position.cursor,
        cursor_kind: position.kind,
        rows: (state?.rows ?? 0) + fitted.input.rows,
      };
      const change = spec.mode === 'incremental_append' ? ({ kind: 'append', input: fitted.input } as const) : ({ kind: 'upsert', input: fitted.input, key } as const);
      const result = await destination.applyBatch({ pipeline: request.pipeline, stream: spec.stream, table, change, state: next, previousState: previous }, context);
      await request.committed(next);
      await judged?.committed();
      rmSync(output.location, { force: true });
      state = next;
      previous = next;
      rows += result.rows;
      batches++;
      logger.info(`batch ${batches}: ${count(result.rows)} rows committed to ${table.name}, cursor ${cursor} = ${next.cursor}`);
      if (!more) break;
    }
  } finally {
    // A batch that failed leaves the read ahead unused: let it finish and remove what it landed.
    await ahead?.then(
      (unused) => rmSync(unused.location, { force: true }),
      () => undefined,
    );
  }
  const from = startedAt === undefined ? 'from the start' : `after ${cursor} = ${startedAt}`;
  const position = state ? `; cursor ${cursor} = ${state.cursor}` : '';
  return {
    rows,
    batches,
    rejected,
    summary: `${spec.mode === 'incremental_append' ? 'appended' : 'upserted'} ${count(rows)} rows into ${table.name} in '${destination.name}' in ${batches} batch(es), ${from}${position}${rejectedText(rejected)}`,
  };
}

/** The stream's committed state in the destination, null when it has none. */
async function committedState(request: StreamSyncRequest): Promise<StreamState | null> {
  const [stored] = await request.destination.readState(request.pipeline, request.spec.stream);
  return stored?.state ?? null;
}

/** The committed state as an incremental position, when it belongs to this cursor; a stream whose cursor changed must be reset first. */
function incrementalState(request: StreamSyncRequest, committed: StreamState | null, cursor: string): IncrementalState | undefined {
  const state = (committed ?? undefined) as Partial<IncrementalState> | undefined;
  if (!state || typeof state.cursor !== 'string') return undefined;
  if (state.cursor_column !== cursor) {
    throw new ConfigError(
      'integration.cursor_changed',
      `stream '${request.spec.stream}': its state was committed for cursor ${state.cursor_column} but the pipeline now names ${cursor}; run 'sluice state reset ${request.pipeline} --stream ${request.spec.stream}' to start over`,
    );
  }
  return state as IncrementalState;
}

/** Keeps one row per key, the one with the latest cursor, so an upsert batch never holds a key twice. */
async function latestPerKey(request: StreamSyncRequest, input: SyncInput, key: readonly string[], cursor: string): Promise<SyncInput> {
  const session = request.context.session;
  const keys = key.map(quoteIdent).join(', ');
  const [counts] = await session.query(`SELECT count(*) AS n, count(DISTINCT (${keys})) AS k FROM ${quoteIdent(input.table)}`);
  if (Number(counts?.n) === Number(counts?.k)) return input;
  const output = await session.storeQuery(
    `SELECT * FROM ${quoteIdent(input.table)} QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${quoteIdent(cursor)} DESC) = 1`,
    path.join(request.context.tempDir, 'latest.parquet'),
    request.context.signal,
  );
  return land(request, output, '_sluice_latest');
}

async function fit(request: StreamSyncRequest, table: SyncTable, key: readonly string[], input: SyncInput, judged: JudgedBatch | undefined): Promise<{ input: SyncInput; rejects?: SyncInput | undefined }> {
  const result = await applySchemaContract({
    destination: request.destination,
    table,
    // An appended stream repeats a key each time its row changes: its table gets no primary key.
    key: request.spec.mode === 'incremental_append' ? [] : key,
    contract: request.spec.schemaContract,
    input,
    stream: request.spec.stream,
    context: request.context,
    scratch: (name) => path.join(request.context.tempDir, `${name}.parquet`),
  }).catch(async (error: unknown) => {
    const refused = error instanceof SluiceError && error.code === 'integration.schema_frozen';
    if (refused) {
      await request.schemaChanged(table, { kind: 'freeze_violation', detail: error.message.split('Differences:\n')[1]?.split('\n(')[0]?.trim().replace(/\n\s*/g, '; ') ?? error.message });
    }
    await judged?.record({ refused, rejected: 0 });
    throw error;
  });
  logChanges(request.logger, table, result.changes);
  for (const change of result.changes) await request.schemaChanged(table, change);
  await judged?.record({ refused: false, rejected: result.rejects?.rows ?? 0 });
  return result;
}

async function writeRejects(request: StreamSyncRequest, table: SyncTable, rejects: SyncInput | undefined, previous: StreamState | null): Promise<number> {
  return appendRejects({ destination: request.destination, pipeline: request.pipeline, stream: request.spec.stream, table, rejects, previous, context: request.context });
}

/** The rows drift set aside under `discard_row` go to `<table>__rejects` as the contract's do. */
async function writeDriftRejects(request: StreamSyncRequest, table: SyncTable, judged: JudgedBatch | undefined, previous: StreamState | null): Promise<number> {
  if (!judged?.rejects?.rows) return 0;
  return writeRejects(request, table, await land(request, judged.rejects, '_sluice_drift_rejects'), previous);
}

async function land(request: StreamSyncRequest, output: StoredOutput, name: string): Promise<SyncInput> {
  await request.context.session.attach(name, output);
  return { table: name, columns: output.columns, rows: output.rows };
}

async function readSource(request: StreamSyncRequest, query: string, name: string): Promise<StoredOutput> {
  const { spec } = request;
  try {
    return await request.source.read(query, path.join(request.context.tempDir, `${name}.parquet`));
  } catch (error) {
    const what = spec.table !== undefined ? `table ${spec.table}` : spec.file !== undefined ? 'its files' : 'its query';
    const text = error instanceof Error ? error.message : String(error);
    throw new ConnectorError('integration.source_failed', `stream '${spec.stream}': reading ${what} from connection '${spec.source}' failed: ${text}`, {
      cause: error,
      retryable: error instanceof SluiceError ? error.retryable : false,
    });
  }
}

/** The source's spelling of a column the pipeline names (exactly, or ignoring case when that is unambiguous). */
function resolveColumn(request: StreamSyncRequest, columns: readonly Column[], name: string, role: string): string {
  const exact = columns.find((c) => c.name === name);
  if (exact) return exact.name;
  const loose = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  if (loose.length === 1) return loose[0]!.name;
  const { spec } = request;
  throw new ConfigError(
    'integration.column_missing',
    `stream '${spec.stream}': the ${role} column '${name}' is not in ${spec.table !== undefined ? `table ${spec.table}` : 'the query'} of connection '${spec.source}' (columns: ${columns.map((c) => c.name).join(', ')})`,
  );
}

/** The configured key, or the source table's primary key. */
async function primaryKey(request: StreamSyncRequest, columns: readonly Column[]): Promise<string[]> {
  const { spec } = request;
  if (spec.primaryKey) return spec.primaryKey.map((k) => resolveColumn(request, columns, k, 'primary key'));
  return request.source.primaryKey();
}

function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DECIMAL|FLOAT|DOUBLE)/i.test(type);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function rejectedText(rejected: number): string {
  return rejected ? `; ${count(rejected)} row(s) rejected` : '';
}
