import type { Column, DataPlaneSession } from '../data-plane/data-plane.ts';
import { SluiceError } from '../errors.ts';
import type { Logger } from '../run/logger.ts';
import { joinQualified, quoteIdent, quoteLiteral, splitQualified } from '../sql/quote.ts';
import type { SchemaContract } from '../pipeline/integration-schema.ts';
import { compareColumns, describeDifference, destinationColumn, type ColumnDifference } from './schema-evolution.ts';
import type { DestinationTableShape, StreamState, SyncContext, SyncDestination, SyncInput, SyncTable } from './sync-destination.ts';

/** A schema change made (or refused), to record as a schema event. */
export interface SchemaChange {
  readonly kind: 'create_table' | 'add_column' | 'widen_column' | 'dropped_column' | 'reject_rows' | 'freeze_violation';
  readonly detail: string;
}

export interface ContractResult {
  /** The rows to load: the batch, or its rows that fit (`discard_row`). */
  readonly input: SyncInput;
  /** Rows that do not fit, as (reason, raw row JSON), already stored and attached; `discard_row` only. */
  readonly rejects?: SyncInput | undefined;
  readonly changes: readonly SchemaChange[];
}

export interface ContractRequest {
  readonly destination: SyncDestination;
  readonly table: SyncTable;
  readonly key: readonly string[];
  readonly contract: SchemaContract;
  readonly input: SyncInput;
  readonly stream: string;
  readonly context: SyncContext;
  /** Where to store the filtered batch and its rejects (parquet files). */
  readonly scratch: (name: string) => string;
  /**
   * The input carries some of the table's columns only (a replicated update
   * whose other values did not change): the columns it lacks are not dropped.
   */
  readonly partial?: boolean | undefined;
  /** The session names of the filtered batch and its rejects, `<prefix>_fit` and `<prefix>_rejects`: several inputs of one change set need their own. */
  readonly prefix?: string | undefined;
}

/**
 * Compares a batch's columns with the destination table before anything is
 * written and applies the stream's contract: `evolve` adds and widens
 * columns, `freeze` fails with the difference, `discard_row` splits the rows
 * that do not fit off into rejects. A missing table is created under every contract.
 */
export async function applySchemaContract(request: ContractRequest): Promise<ContractResult> {
  const { destination, table, key, contract, input, context } = request;
  const shape = await destination.describeTable(table);
  if (!shape) {
    await destination.createTable(table, input.columns, key, context);
    const columns = input.columns.map((c) => `${c.name} ${c.type}`).join(', ');
    return { input, changes: [{ kind: 'create_table', detail: `created with ${columns}${key.length ? `; key (${key.join(', ')})` : ''}` }] };
  }
  const differences = compareColumns(input.columns, shape.columns).filter((d) => !(request.partial && d.kind === 'dropped_column'));
  if (!differences.length) return { input, changes: [] };
  switch (contract) {
    case 'evolve':
      return { input, changes: await evolve(request, differences) };
    case 'freeze':
      throw new SluiceError(
        'integration.schema_frozen',
        `stream '${request.stream}': the source no longer matches ${table.name} in '${destination.name}' and the schema contract is freeze; nothing was written. Differences:\n  ${differences.map(describeDifference).join('\n  ')}\n(set schema_contract: evolve to apply them, or discard_row to set the rows aside)`,
        { retryable: false },
      );
    case 'discard_row':
      return discardRows(request, shape, differences);
  }
}

async function evolve(request: ContractRequest, differences: readonly ColumnDifference[]): Promise<SchemaChange[]> {
  refuseDroppedRequired(request, differences);
  const changes: SchemaChange[] = [];
  for (const d of differences) {
    switch (d.kind) {
      case 'new_column':
        await request.destination.alterTable(request.table, { kind: 'add_column', column: d.column, type: d.type }, request.context);
        changes.push({ kind: 'add_column', detail: `added ${d.column} ${d.type} (nullable)` });
        break;
      case 'type_change':
        await request.destination.alterTable(request.table, { kind: 'widen_column', column: d.column, type: d.widened }, request.context);
        changes.push({ kind: 'widen_column', detail: `widened ${d.column} from ${d.from} to ${d.widened} (the source sends ${d.to})` });
        break;
      case 'dropped_column':
        changes.push({ kind: 'dropped_column', detail: droppedDetail(d.column, d.type) });
        break;
    }
  }
  return changes;
}

/**
 * A column gone from the source is kept in the destination with the values
 * it has (dropping it would destroy data a sync cannot bring back); new rows
 * have NULL in it. Said as a schema event so the NULLs are never a surprise.
 */
function droppedDetail(column: string, type: string): string {
  return `${column} ${type} is no longer in the source; kept in the destination with its values, new rows have NULL in it`;
}

/** A NOT NULL destination column cannot take the NULLs a dropped source column leaves: fail before writing. */
function refuseDroppedRequired(request: ContractRequest, differences: readonly ColumnDifference[]): void {
  const required = differences.filter((d) => d.kind === 'dropped_column' && !d.nullable);
  if (!required.length) return;
  throw new SluiceError(
    'integration.dropped_required_column',
    `stream '${request.stream}': ${required.map((d) => d.column).join(', ')} ${required.length > 1 ? 'are' : 'is'} NOT NULL in ${request.table.name} in '${request.destination.name}' and no longer in the source; nothing was written (add the column back at the source, or make it nullable in the destination)`,
    { retryable: false },
  );
}

/** Rows with a value in a new column, or a value the destination's type cannot hold unchanged, go to the rejects. */
async function discardRows(request: ContractRequest, shape: DestinationTableShape, differences: readonly ColumnDifference[]): Promise<ContractResult> {
  const { input, context } = request;
  const session: DataPlaneSession = context.session;
  refuseDroppedRequired(request, differences);
  const dropped = differences.filter((d) => d.kind === 'dropped_column').map((d): SchemaChange => ({ kind: 'dropped_column', detail: droppedDetail(d.column, d.type) }));
  const misfits = differences.filter((d) => d.kind !== 'dropped_column');
  if (!misfits.length) return { input, changes: dropped };
  const reasons = misfits.map((d) => {
    const c = quoteIdent(d.column);
    if (d.kind === 'new_column') return { sql: `${c} IS NOT NULL`, reason: `column ${d.column} is not in the destination` };
    const target = destinationColumn(shape.columns, d.column)!.type;
    const cast = `TRY_CAST(${c} AS ${target})`;
    // A number that casts but rounds (12.345 into DECIMAL(10,2)) is changed, so it does not fit either.
    const changed = isNumeric(target) && isNumeric(d.to) ? ` OR ${cast} <> ${c}` : '';
    return { sql: `(${c} IS NOT NULL AND (${cast} IS NULL${changed}))`, reason: `${d.column} does not fit ${target}` };
  });
  const bad = reasons.map((r) => r.sql).join(' OR ');
  const reason = `concat_ws('; ', ${reasons.map((r) => `CASE WHEN ${r.sql} THEN ${quoteLiteral(r.reason)} END`).join(', ')})`;
  const from = quoteIdent(input.table);
  const rejected = await session.storeQuery(rejectRowsSql(request.stream, from, reason, bad), request.scratch('rejects'), context.signal);
  const kept = input.columns.filter((c) => destinationColumn(shape.columns, c.name));
  const good = await session.storeQuery(`SELECT ${kept.map((c) => quoteIdent(c.name)).join(', ')} FROM ${from} WHERE NOT (${bad})`, request.scratch('fit'), context.signal);
  const prefix = request.prefix ?? '_sluice';
  await session.attach(`${prefix}_fit`, good);
  await session.attach(`${prefix}_rejects`, rejected);
  const fitting: SyncInput = { table: `${prefix}_fit`, columns: kept as Column[], rows: good.rows };
  const rejects: SyncInput = { table: `${prefix}_rejects`, columns: rejected.columns, rows: rejected.rows };
  const changes: SchemaChange[] = [...dropped, ...(rejected.rows ? [{ kind: 'reject_rows' as const, detail: `${rejected.rows} row(s) set aside in ${rejectsTable(request.table).name}: ${misfits.map(describeDifference).join('; ')}` }] : [])];
  return { input: fitting, rejects: rejected.rows ? rejects : undefined, changes };
}

/** The rows of `from` where `where` holds, in the columns of `<table>__rejects`: the stream, why, the raw row as JSON, and when. */
export function rejectRowsSql(stream: string, from: string, reason: string, where: string): string {
  return `SELECT ${quoteLiteral(stream)} AS _sluice_stream, ${reason} AS _sluice_reason, CAST(to_json(b) AS VARCHAR) AS _sluice_row, now() AS _sluice_rejected_at FROM ${from} AS b WHERE ${where}`;
}

function isNumeric(type: string): boolean {
  return /^(DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|FLOAT|DOUBLE|REAL|U?(TINY|SMALL|BIG)?INT)/i.test(type.trim());
}

/** `<table>__rejects`, beside the table (in its schema, quoted as the table is). */
export function rejectsTable(table: SyncTable): SyncTable {
  const parts = splitQualified(table.name);
  return { name: joinQualified([...parts.slice(0, -1), `${parts[parts.length - 1]!}__rejects`]) };
}

export function logChanges(logger: Logger, table: SyncTable, changes: readonly SchemaChange[]): void {
  for (const change of changes) logger.info(`schema of ${table.name}: ${change.kind}: ${change.detail}`);
}

export interface RejectsRequest {
  readonly destination: SyncDestination;
  readonly pipeline: string;
  readonly stream: string;
  /** The stream's table: the rows go to the `<table>__rejects` beside it. */
  readonly table: SyncTable;
  readonly rejects: SyncInput | undefined;
  /** The stream's state before the batch, committed again with the rejects. */
  readonly previous: StreamState | null;
  readonly context: SyncContext;
}

/**
 * Appends rejected rows to `<table>__rejects`, committed with the state as it
 * was before the batch: a crash between the two repeats the rejects, never
 * loses the batch. Returns how many rows were set aside.
 */
export async function appendRejects(request: RejectsRequest): Promise<number> {
  const { destination, rejects, previous, context } = request;
  if (!rejects?.rows) return 0;
  const target = rejectsTable(request.table);
  if (!(await destination.describeTable(target))) await destination.createTable(target, rejects.columns, [], context);
  // A stream with no state yet gets an empty one, which reads as no position.
  const change = { kind: 'append', input: rejects } as const;
  await destination.applyBatch({ pipeline: request.pipeline, stream: request.stream, table: target, change, state: previous ?? {}, previousState: previous }, context);
  context.logger.warn(`${rejects.rows.toLocaleString('en-US')} row(s) did not fit ${request.table.name}; set aside in ${target.name}`);
  return rejects.rows;
}
