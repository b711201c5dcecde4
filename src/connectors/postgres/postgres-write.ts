import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError, SluiceError, assertNever } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { ConnectorContext, WriteRequest, WriteResult } from '../../core/connectors/connector.ts';
import {
  carryOverStatements,
  describeTarget,
  hasUniqueIndexOn,
  pairIndexes,
  storesRowsOnly,
  siblingRef,
  swapBlockers,
  tableRef,
  type TableRef,
  type TargetTable,
} from './postgres-catalog.ts';
import { decimalScale, describeRounded, findRoundedValue } from '../shared/decimal-scale.ts';
import type { PostgresWriteSettings } from './postgres-config.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { copyInParallel, copyRows, type CopyTarget } from './postgres-copy.ts';
import { binaryCopyPlan, type BinaryCopyPlan } from './postgres-binary-encoder.ts';
import { isServerError, queryError } from './postgres-errors.ts';
import { watchLockWaits } from '../shared/watch-lock-waits.ts';
import { dropAbandonedStages, holdStage, releaseStage, stageName } from './postgres-stages.ts';
import { duckCsvExpression, postgresTypeForDuck } from './postgres-types.ts';
import { checkWriteColumns, checkWriteInput } from '../shared/check-write-input.ts';
import { postgresIdentifiers } from './postgres-identifiers.ts';

/** Everything a write mode needs, resolved once. */
interface WritePlan {
  readonly driver: PostgresDriver;
  readonly control: PoolClient;
  readonly target: TableRef;
  readonly existing: TargetTable | undefined;
  readonly columns: readonly Column[];
  readonly key: readonly string[];
  readonly settings: PostgresWriteSettings;
  readonly context: ConnectorContext;
  /** The input as data-plane queries, one per COPY session: its own columns for binary COPY, else rendered as PostgreSQL-ready CSV. */
  readonly selects: readonly string[];
  /** How the columns become binary COPY fields; undefined for CSV (the default), or when some column has no exact binary form. */
  readonly binary: BinaryCopyPlan | undefined;
  readonly interval: WriteRequest<PostgresWriteSettings>['interval'];
}

/**
 * Writes the input table into PostgreSQL. Every mode loads through COPY and
 * changes the target in one transaction, so a failed load leaves the target
 * exactly as it was; columns are checked before anything is written.
 */
export async function writePostgres(driver: PostgresDriver, request: WriteRequest<PostgresWriteSettings>, context: ConnectorContext): Promise<WriteResult> {
  const { settings, input } = request;
  const target = tableRef(settings.table, driver.schema);
  const key = settings.key ?? [];
  checkWriteInput(postgresIdentifiers, { kind: 'postgres', label: target.label, mode: settings.mode, key, input: input.columns });
  const control = await driver.session();
  const stopWatching = driver.cancelOnAbort(control, context.signal);
  const pid = (control as { processID?: number }).processID;
  const stopLockWatch = pid === undefined ? () => undefined : watchLockWaits(() => driver.lockWaits([pid]), context.logger);
  let failed = false;
  try {
    const existing = await describeTarget(control, target);
    if (!existing && !settings.create) {
      throw new ConnectorError('postgres.table_missing', `${target.label} does not exist in '${driver.name}' (set create: true to create it)`);
    }
    if (existing) checkColumns(target, existing, input.columns);
    await dropAbandonedStages(control, target.schema, context);
    if (existing && settings.mode === 'upsert' && !(await hasUniqueIndexOn(control, existing.oid, key))) {
      throw new ConnectorError(
        'postgres.key_not_unique',
        `upsert into ${target.label} needs a primary key or unique index on exactly (${key.join(', ')}); add one, or use mode: merge`,
      );
    }
    const targetTypes = new Map(existing?.columns.map((c) => [c.name, c.type]));
    const rounded = existing && (await findRoundedValue(context.session, input.table, input.columns, (name) => decimalScale(targetTypes.get(name) ?? '')));
    if (rounded) throw new ConnectorError('postgres.value_rejected', `writing ${target.label} in '${driver.name}' failed: ${describeRounded(rounded)}`);
    // Every mode loads into the target's own column types, or into the types definedFrom() gives a new table.
    const binary =
      settings.copy_format === 'binary'
        ? binaryCopyPlan(input.columns, input.columns.map((c) => (existing ? (targetTypes.get(c.name) ?? '') : postgresTypeForDuck(c.type))))
        : undefined;
    const render = binary
      ? columnList(input.columns)
      : input.columns.map((c) => `${duckCsvExpression(c.name, c.type, targetTypes.get(c.name))} AS ${quoteIdent(c.name)}`).join(', ');
    const partitions = await context.session.partitionQueries(input.table, settings.mode === 'append' ? 1 : settings.parallel);
    const selects = partitions.map((sql) => `SELECT ${render} FROM (${sql}) AS part`);
    const plan: WritePlan = { driver, control, target, existing, columns: input.columns, key, settings, context, selects, binary, interval: request.interval };
    const result = await modes[settings.mode](plan);
    const sessions = `${selects.length} COPY session${selects.length === 1 ? '' : 's'}`;
    return { rows: result.rows, summary: `${result.summary} (${sessions})` };
  } catch (error) {
    failed = true;
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'postgres.cancelled')) {
      throw new ConnectorError('postgres.cancelled', `writing ${target.label} in '${driver.name}' was cancelled`, { cause: error });
    }
    throw error instanceof SluiceError ? error : queryError('postgres.write_failed', `writing ${target.label} in '${driver.name}' failed`, error);
  } finally {
    stopLockWatch();
    stopWatching();
    // After a failure the session may sit in an aborted COPY or transaction: discard it rather than reuse it.
    control.release(failed);
  }
}

type ModeResult = { readonly rows: number; readonly summary: string };

const modes = {
  replace: replaceTable,
  append: appendRows,
  upsert: (plan: WritePlan) => upsertOrMerge(plan, 'upsert'),
  merge: (plan: WritePlan) => upsertOrMerge(plan, 'merge'),
  partition: replacePartition,
} satisfies Record<PostgresWriteSettings['mode'], (plan: WritePlan) => Promise<ModeResult>>;

/** Loads a full copy beside the target, then swaps it in; falls back to truncate-and-insert when the target has dependents. */
async function replaceTable(plan: WritePlan): Promise<ModeResult> {
  const { control, target, existing, context } = plan;
  const rowsText = (rows: number): string => `${rows.toLocaleString('en-US')} rows`;
  if (!existing) {
    const rows = await withStage(plan, definedFrom(plan.columns), { unlogged: false, analyze: true }, async (stage) => {
      await transaction(control, async () => {
        await createSchema(control, target);
        await control.query(`ALTER TABLE ${stage.sql} RENAME TO ${quoteIdent(target.name)}`);
      });
      return true;
    });
    return { rows, summary: `created ${target.label} with ${rowsText(rows)}` };
  }
  const blockers = await swapBlockers(control, existing.oid);
  if (blockers.length) {
    context.logger.debug(`replacing ${target.label} by truncate and insert: ${blockers.join('; ')}`);
    const rows = await withStage(plan, likeTarget(plan), { unlogged: true, analyze: false }, async (stage) => {
      await transaction(control, () => truncateAndInsert(plan, existing, stage));
      return false;
    });
    return { rows, summary: `replaced ${target.label} with ${rowsText(rows)}` };
  }
  const definition = `(LIKE ${target.sql} INCLUDING ALL)`;
  const rows = await withStage(plan, definition, { unlogged: existing.unlogged, analyze: true }, async (stage, stageOid) => {
    const indexNames = await pairIndexes(control, existing.oid, stageOid);
    const carryOver = await carryOverStatements(control, existing.oid, target);
    const old = siblingRef(target, `_sluice_old_${randomBytes(5).toString('hex')}`);
    let swapped = false;
    await transaction(control, async () => {
      await control.query(`LOCK TABLE ${target.sql} IN ACCESS EXCLUSIVE MODE`);
      // Someone may have added a view or trigger since the first look; then keep the table and swap its rows.
      if (!indexNames || (await swapBlockers(control, existing.oid)).length) return truncateAndInsert(plan, existing, stage);
      await control.query(`ALTER TABLE ${target.sql} RENAME TO ${quoteIdent(old.name)}`);
      await control.query(`ALTER TABLE ${stage.sql} RENAME TO ${quoteIdent(target.name)}`);
      await control.query(`DROP TABLE ${old.sql}`);
      for (const [from, to] of indexNames) {
        await control.query(`ALTER INDEX ${quoteIdent(target.schema)}.${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
      }
      for (const sql of carryOver) await control.query(sql);
      swapped = true;
    });
    return swapped;
  });
  return { rows, summary: `replaced ${target.label} with ${rowsText(rows)}` };
}

async function truncateAndInsert(plan: WritePlan, existing: TargetTable, stage: TableRef): Promise<void> {
  const { control, target } = plan;
  const referenced = await control.query('SELECT 1 FROM pg_constraint WHERE confrelid = $1 AND contype = $2', [existing.oid, 'f']);
  // TRUNCATE refuses a table other tables reference even when no row does; DELETE checks the rows.
  await control.query((referenced.rowCount ?? 0) > 0 ? `DELETE FROM ${target.sql}` : `TRUNCATE ${target.sql}`);
  const list = columnList(plan.columns);
  await control.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage.sql}`);
}

/**
 * One COPY straight into the target inside a transaction. Measured against
 * parallel COPY into a staging table plus one INSERT ... SELECT, the single
 * COPY finishes first: the insert costs more than the second session saves.
 */
async function appendRows(plan: WritePlan): Promise<ModeResult> {
  const { control, target, existing, context } = plan;
  const rows = await transaction(control, async () => {
    if (!existing) await createTargetOnce(control, target, definedFrom(plan.columns));
    const copy: CopyTarget = { copySql: copySql(target, plan), label: target.label, rename: [], binary: plan.binary };
    let rows = 0;
    for (const select of plan.selects) rows += await copyRows(plan.driver, control, select, copy, context, context.signal, plan.selects.length === 1);
    return rows;
  });
  return { rows, summary: `appended ${rows.toLocaleString('en-US')} rows to ${target.label}` };
}

async function upsertOrMerge(plan: WritePlan, mode: 'upsert' | 'merge'): Promise<ModeResult> {
  const { control, target, existing, key } = plan;
  const list = columnList(plan.columns);
  const keys = key.map(quoteIdent);
  let replaced = 0;
  // Merge joins the stage (its DELETE ... WHERE EXISTS) and is analyzed first. Upsert's joins go by the stage's size, which the planner reads from its pages.
  const rows = await withStage(plan, existing ? likeTarget(plan) : definedFrom(plan.columns), { unlogged: true, analyze: mode === 'merge' }, async (stage, _oid, loaded) => {
    await transaction(control, async () => {
      if (!existing) await createTargetOnce(control, target, definedFrom(plan.columns, mode === 'upsert' ? `, PRIMARY KEY (${keys.join(', ')})` : ''));
      switch (mode) {
        case 'upsert': {
          const others = plan.columns.filter((c) => !key.includes(c.name));
          // The split is the same change with less work for the server, and it says when it cannot be sure of that.
          if (others.length && existing && (await storesRowsOnly(control, existing.oid)) && (await updateThenInsert(plan, stage, others, loaded))) break;
          const sets = others.map((c) => quoteIdent(c.name));
          const action = sets.length ? `DO UPDATE SET ${sets.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'DO NOTHING';
          await control.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage.sql} ON CONFLICT (${keys.join(', ')}) ${action}`).catch((error: unknown) => {
            throw duplicateKeyError(error, plan) ?? error;
          });
          break;
        }
        case 'merge': {
          const match = keys.map((k) => `s.${k} = t.${k}`).join(' AND ');
          const deleted = await control.query(`DELETE FROM ${target.sql} AS t WHERE EXISTS (SELECT 1 FROM ${stage.sql} AS s WHERE ${match})`);
          replaced = deleted.rowCount ?? 0;
          await control.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage.sql}`);
          break;
        }
        default:
          assertNever(mode);
      }
    });
    return false;
  });
  const count = rows.toLocaleString('en-US');
  return mode === 'upsert'
    ? { rows, summary: `upserted ${count} rows into ${target.label}` }
    : { rows, summary: `merged ${count} rows into ${target.label}, replacing ${replaced.toLocaleString('en-US')}` };
}

/**
 * Replaces the rows of the run's data interval: in one transaction, deletes
 * the target's rows whose partition column falls in [start, end) and inserts
 * the input. Rerunning a date replaces that date; input rows outside the
 * interval are refused (a rerun could not remove them again).
 */
async function replacePartition(plan: WritePlan): Promise<ModeResult> {
  const { control, target, existing, interval, settings } = plan;
  const column = settings.partition_column!;
  if (!interval) {
    throw new ConfigError('postgres.partition_needs_interval', `mode partition into ${target.label} replaces one data interval; run with --date, --backfill or on a schedule`);
  }
  if (!plan.columns.some((c) => c.name === column)) {
    throw new ConfigError('postgres.partition_column_missing', `partition_column '${column}' is not a column of the input (input columns: ${names(plan.columns)})`);
  }
  const list = columnList(plan.columns);
  const col = quoteIdent(column);
  let replaced = 0;
  const rows = await withStage(plan, existing ? likeTarget(plan) : definedFrom(plan.columns), { unlogged: true, analyze: false }, async (stage) => {
    const outside = await control.query<{ n: string }>(`SELECT count(*) AS n FROM ${stage.sql} WHERE ${col} IS NULL OR NOT (${col} >= $1 AND ${col} < $2)`, [interval.start, interval.end]);
    const stray = Number(outside.rows[0]?.n ?? 0);
    if (stray > 0) {
      throw new ConnectorError('postgres.rows_outside_partition', `${stray.toLocaleString('en-US')} input row(s) have ${column} outside the run's interval [${interval.start}, ${interval.end}); filter the input to the interval (data_interval_start/end)`);
    }
    await transaction(control, async () => {
      if (!existing) await createTargetOnce(control, target, definedFrom(plan.columns));
      const deleted = await control.query(`DELETE FROM ${target.sql} WHERE ${col} >= $1 AND ${col} < $2`, [interval.start, interval.end]);
      replaced = deleted.rowCount ?? 0;
      await control.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage.sql}`);
    });
    return false;
  });
  return { rows, summary: `replaced ${interval.start}..${interval.end} of ${target.label}: ${replaced.toLocaleString('en-US')} rows out, ${rows.toLocaleString('en-US')} in` };
}

/** Memory for the hash joins of an upsert, so a million keys are matched without spilling to disk; a larger server setting is kept. */
const upsertWorkMem = 64 * 1024 * 1024;

/**
 * Upsert as two plain statements in the caller's transaction: UPDATE ONLY
 * the target's rows whose key is in the stage, then INSERT the stage's rows
 * whose key is not in the target. The server does less than for
 * `INSERT ... ON CONFLICT DO UPDATE`: no speculative insertion with its
 * index probe and extra WAL record per row (measured: about a third fewer
 * WAL records at a million rows, 10% of them updates).
 *
 * It runs inside a savepoint and returns false (having rolled back to it)
 * whenever the result could differ from ON CONFLICT's: a key that arrived
 * meanwhile from another session (a unique violation, or fewer rows changed
 * than loaded), a key twice in the input, or any other unique index that
 * refuses a row. The caller then runs ON CONFLICT, which updates, or names
 * the fault, as it always has.
 */
async function updateThenInsert(plan: WritePlan, stage: TableRef, others: readonly Column[], loaded: number): Promise<boolean> {
  const { control, target, key } = plan;
  const list = columnList(plan.columns);
  const match = key.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
  const sets = others.map((c) => `${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`).join(', ');
  await control.query('SAVEPOINT sluice_upsert');
  try {
    await control.query("SELECT set_config('work_mem', $1, true) WHERE pg_size_bytes(current_setting('work_mem')) < $2", [`${upsertWorkMem / 1024}kB`, upsertWorkMem]);
    const updated = await control.query(`UPDATE ONLY ${target.sql} AS t SET ${sets} FROM ${stage.sql} AS s WHERE ${match}`);
    const inserted = await control.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage.sql} AS s WHERE NOT EXISTS (SELECT 1 FROM ONLY ${target.sql} AS t WHERE ${match})`);
    // Each stage row either updated its one target row or was inserted; fewer means two stage rows met one target row, or a row arrived between the statements.
    if ((updated.rowCount ?? 0) + (inserted.rowCount ?? 0) === loaded) {
      await control.query('RELEASE SAVEPOINT sluice_upsert');
      return true;
    }
  } catch (error) {
    if ((error as { code?: unknown }).code !== '23505') throw error;
  }
  await control.query('ROLLBACK TO SAVEPOINT sluice_upsert');
  plan.context.logger.debug(`upsert into ${target.label}: the update-then-insert path could not account for every row; upserting with ON CONFLICT instead`);
  return false;
}

function duplicateKeyError(error: unknown, plan: WritePlan): ConnectorError | undefined {
  if ((error as { code?: unknown }).code !== '21000') return undefined;
  return new ConnectorError('postgres.duplicate_key', `the input has more than one row for the same key (${plan.key.join(', ')}); upsert into ${plan.target.label} needs one row per key`, { cause: error });
}

/**
 * Creates a staging table beside the target, loads the input into it with
 * parallel COPY sessions, then runs `finish`, which returns true when the
 * staging table became the target (`finish` is told the rows loaded).
 * Otherwise (and on any failure) it is dropped.
 * `analyze` gathers the stage's statistics first: for a stage that becomes the
 * target or that a statement joins, not for one that is only read through.
 */
async function withStage(
  plan: WritePlan,
  definition: string,
  { unlogged, analyze }: { readonly unlogged: boolean; readonly analyze: boolean },
  finish: (stage: TableRef, stageOid: number, rows: number) => Promise<boolean>,
): Promise<number> {
  const { control, target, driver, context } = plan;
  const stage = siblingRef(target, stageName());
  let keep = false;
  let mayExist = false;
  await holdStage(control, stage.name);
  try {
    await createSchema(control, target);
    await control.query(`CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE ${stage.sql} ${definition}`).catch((error: unknown) => {
      // The server refused or stopped the statement (a lock timeout, a cancel): nothing was created. A lost connection leaves it unknown.
      mayExist = !isServerError(error);
      throw error;
    });
    mayExist = true;
    const oid = await control.query<{ oid: number }>('SELECT to_regclass($1)::oid::int AS oid', [stage.sql]);
    const copy: CopyTarget = { copySql: copySql(stage, plan), label: target.label, rename: [[stage.name, target.label]], binary: plan.binary };
    const rows = await copyInParallel(driver, plan.selects, copy, context);
    if (analyze) await control.query(`ANALYZE ${stage.sql}`);
    keep = await finish(stage, oid.rows[0]!.oid, rows).catch((error: unknown) => {
      throw queryError('postgres.write_failed', `writing ${target.label} in '${driver.name}' failed`, error, { rename: copy.rename });
    });
    return rows;
  } finally {
    if (!keep && mayExist) await dropStage(driver, stage, context);
    await releaseStage(control, stage.name);
  }
}

async function dropStage(driver: PostgresDriver, stage: TableRef, context: ConnectorContext): Promise<void> {
  try {
    const session = await driver.session();
    try {
      await session.query(`DROP TABLE IF EXISTS ${stage.sql}`);
    } finally {
      session.release();
    }
  } catch (error) {
    context.logger.warn(`could not drop the staging table ${stage.label} (the next load into schema ${stage.schema} drops it): ${(error as Error).message}`);
  }
}

async function transaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function createSchema(client: PoolClient, target: TableRef): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [target.schema]);
  if (!found.rowCount) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
}

/** The first key of the advisory locks that make creating a target one writer's job: "SLCT" as an integer. */
const createLockSpace = 0x534c4354;

/**
 * Creates the target (in the caller's transaction) unless a writer beside
 * this one created it since it was looked up: runs of a backfill load their
 * dates into one new table at once. `IF NOT EXISTS` alone still races in
 * PostgreSQL's catalog (a duplicate key in pg_type), so writers take turns on
 * a lock held until their transaction ends; the next one finds the table.
 */
async function createTargetOnce(client: PoolClient, target: TableRef, definition: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [createLockSpace, target.sql]);
  await createSchema(client, target);
  await client.query(`CREATE TABLE IF NOT EXISTS ${target.sql} ${definition}`);
}

/** The staging shape for an existing target: exactly the input's columns, with the target's types, no constraints. */
function likeTarget(plan: WritePlan): string {
  return `AS SELECT ${columnList(plan.columns)} FROM ${plan.target.sql} WITH NO DATA`;
}

function definedFrom(columns: readonly Column[], extra = ''): string {
  return `(${columns.map((c) => `${quoteIdent(c.name)} ${postgresTypeForDuck(c.type)}`).join(', ')}${extra})`;
}

function copySql(table: TableRef, plan: WritePlan): string {
  return `COPY ${table.sql} (${columnList(plan.columns)}) FROM STDIN (FORMAT ${plan.binary ? 'binary' : 'csv'})`;
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

function names(columns: readonly { name: string }[]): string {
  return columns.map((c) => c.name).join(', ') || '(none)';
}

/** Refuses an input whose columns do not fit the existing target, before anything is written. */
function checkColumns(target: TableRef, table: TargetTable, input: readonly Column[]): void {
  checkWriteColumns(postgresIdentifiers, 'postgres', target.label, table.columns, input);
}
