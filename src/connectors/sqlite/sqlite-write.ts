import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { ConnectorContext, WriteRequest, WriteResult } from '../../core/connectors/connector.ts';
import type { Column, Row } from '../../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { describeTable, hasUniqueKey, tableRef, type TableRef, type TargetColumn } from './sqlite-catalog.ts';
import type { SqliteWriteSettings } from './sqlite-config.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { sqliteError } from './sqlite-errors.ts';
import { writeTypeFor } from './sqlite-types.ts';
import { checkWriteColumns, checkWriteInput } from '../shared/check-write-input.ts';
import { sqliteIdentifiers } from './sqlite-identifiers.ts';

/** Everything a write mode needs, resolved once. */
export interface WritePlan {
  readonly db: Database;
  readonly target: TableRef;
  readonly existing: TargetColumn[] | undefined;
  readonly columns: readonly Column[];
  readonly key: readonly string[];
  readonly context: ConnectorContext;
  /** The input as a data-plane query whose columns are `c0`, `c1`, ... holding values the driver binds. */
  readonly select: string;
  /** Named parameters matching `select`'s columns. */
  readonly params: string;
  /** Rows the input holds: a stream that ends short of them failed, even if it ended quietly. */
  readonly expectedRows?: number;
}

/**
 * Writes the input table into SQLite. Each mode runs in ONE transaction
 * (BEGIN IMMEDIATE, so a second writer waits for the first rather than
 * failing halfway), with one prepared INSERT per row, so a failed load leaves
 * the target exactly as it was. Columns are checked before anything is written.
 */
export async function writeSqlite(driver: SqliteDriver, request: WriteRequest<SqliteWriteSettings>, context: ConnectorContext): Promise<WriteResult> {
  const { settings, input } = request;
  const target = tableRef(settings.table);
  const key = settings.key ?? [];
  checkWriteInput(sqliteIdentifiers, { kind: 'sqlite', label: target.label, mode: settings.mode, key, input: input.columns });
  if (driver.readonly) throw new ConfigError('sqlite.readonly', `connection '${driver.name}' is read-only; it cannot write ${target.label}`);
  const db = driver.open();
  try {
    const existing = describeTable(db, target);
    if (!existing && !settings.create) {
      throw new ConnectorError('sqlite.table_missing', `${target.label} does not exist in '${driver.name}' (set create: true to create it)`);
    }
    if (existing) checkColumns(target, existing, input.columns);
    if (existing && settings.mode === 'upsert' && !hasUniqueKey(db, target, key)) {
      throw new ConnectorError('sqlite.key_not_unique', `upsert into ${target.label} needs a primary key or unique index on exactly (${key.join(', ')}); add one, or use mode: merge`);
    }
    const select = `SELECT ${input.columns.map((c, i) => `${writeTypeFor(c.type).select(quoteIdent(c.name))} AS "c${i}"`).join(', ')} FROM ${quoteIdent(input.table)}`;
    const params = input.columns.map((_, i) => `@c${i}`).join(', ');
    const plan: WritePlan = { db, target, existing, columns: input.columns, key, context, select, params, expectedRows: input.rows };
    await driver.exclusive(db, 'BEGIN IMMEDIATE', context.signal);
    try {
      const result = await modes[settings.mode](plan);
      await driver.exclusive(db, 'COMMIT', context.signal);
      return result;
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } catch (error) {
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'sqlite.cancelled')) {
      throw new ConnectorError('sqlite.cancelled', `writing ${target.label} in '${driver.name}' was cancelled`, { cause: error });
    }
    throw sqliteError('sqlite.write_failed', `writing ${target.label} in '${driver.name}' failed`, error, { block: context.block });
  } finally {
    db.close();
  }
}

type ModeResult = WriteResult;

const modes = {
  replace: replaceTable,
  append: appendRows,
  upsert: upsertRows,
  merge: mergeRows,
} satisfies Record<SqliteWriteSettings['mode'], (plan: WritePlan) => Promise<ModeResult>>;

const count = (rows: number): string => rows.toLocaleString('en-US');

/**
 * A missing target is created and filled; an existing one is emptied and
 * refilled inside the transaction. Dropping it for a filled copy would lose
 * its indexes, constraints and triggers, and views naming it block the
 * rename; inside one SQLite transaction no reader ever sees the empty table.
 */
async function replaceTable(plan: WritePlan): Promise<ModeResult> {
  const { db, target, existing } = plan;
  if (existing) db.exec(`DELETE FROM ${target.sql}`);
  else db.exec(`CREATE TABLE ${target.sql} ${definedFrom(plan.columns)}`);
  const rows = await insertAll(plan, db.prepare(`INSERT INTO ${target.sql} (${columnList(plan.columns)}) VALUES (${plan.params})`));
  return { rows, summary: `${existing ? 'replaced' : 'created'} ${target.label} with ${count(rows)} rows` };
}

async function appendRows(plan: WritePlan): Promise<ModeResult> {
  const { db, target, existing } = plan;
  if (!existing) plan.db.exec(`CREATE TABLE ${target.sql} ${definedFrom(plan.columns)}`);
  const rows = await insertAll(plan, db.prepare(`INSERT INTO ${target.sql} (${columnList(plan.columns)}) VALUES (${plan.params})`));
  return { rows, summary: `appended ${count(rows)} rows to ${target.label}` };
}

/** INSERT ... ON CONFLICT (key) DO UPDATE: with several input rows for one key, the last one wins. */
async function upsertRows(plan: WritePlan): Promise<ModeResult> {
  const { db, target, existing, key } = plan;
  const keys = key.map(quoteIdent);
  if (!existing) db.exec(`CREATE TABLE ${target.sql} ${definedFrom(plan.columns, `, PRIMARY KEY (${keys.join(', ')})`)}`);
  const wanted = new Set(key.map((k) => k.toLowerCase()));
  const others = plan.columns.filter((c) => !wanted.has(c.name.toLowerCase())).map((c) => quoteIdent(c.name));
  const action = others.length ? `DO UPDATE SET ${others.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING';
  const sql = `INSERT INTO ${target.sql} (${columnList(plan.columns)}) VALUES (${plan.params}) ON CONFLICT (${keys.join(', ')}) ${action}`;
  const rows = await insertAll(plan, db.prepare(sql));
  return { rows, summary: `upserted ${count(rows)} rows into ${target.label}` };
}

/** Loads the input into a temporary table, deletes the target's rows with those keys, and inserts the input. */
async function mergeRows(plan: WritePlan): Promise<ModeResult> {
  const { db, target, existing, key } = plan;
  if (!existing) db.exec(`CREATE TABLE ${target.sql} ${definedFrom(plan.columns)}`);
  // No declared types: the staged values stay exactly as bound until the target's own columns take them.
  const stage = `temp.${quoteIdent(`_sluice_stage_${randomBytes(5).toString('hex')}`)}`;
  const list = columnList(plan.columns);
  db.exec(`CREATE TABLE ${stage} (${list})`);
  const rows = await insertAll(plan, db.prepare(`INSERT INTO ${stage} (${list}) VALUES (${plan.params})`));
  const match = key.map(quoteIdent).map((k) => `s.${k} = ${target.sql}.${k}`).join(' AND ');
  const deleted = db.prepare(`DELETE FROM ${target.sql} WHERE EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${match})`).run().changes;
  db.exec(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${stage}`);
  db.exec(`DROP TABLE ${stage}`);
  return { rows, summary: `merged ${count(rows)} rows into ${target.label}, replacing ${count(deleted)}` };
}

/** Streams the input from the data plane through `insert`, one row at a time; a failing row is named by its number. */
export async function insertAll(plan: WritePlan, insert: Statement): Promise<number> {
  const { context, target } = plan;
  const blobs = plan.columns.flatMap((c, i) => (c.type.toUpperCase() === 'BLOB' ? [`c${i}`] : []));
  let rows = 0;
  try {
    // With the count given, a stream the data plane cut short (out of memory) fails instead of writing part of the input.
    for await (const batch of context.session.stream(plan.select, { signal: context.signal, expectedRows: plan.expectedRows })) {
      if (context.signal.aborted) throw new ConnectorError('sqlite.cancelled', `writing ${target.label} was cancelled`);
      if (blobs.length) for (const row of batch) toBuffers(row, blobs);
      for (const row of batch) {
        insert.run(row);
        rows++;
      }
    }
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    const fromDriver = (error as { code?: unknown }).code !== undefined || error instanceof RangeError;
    const where = fromDriver ? `input row ${rows + 1}` : 'reading the input';
    throw sqliteError('sqlite.write_failed', `writing ${target.label} failed at ${where}`, error, {
      block: context.block,
      ...(fromDriver ? { record: rows + 1 } : {}),
    });
  }
  return rows;
}


/** The driver binds Buffers as blobs; the data plane may hand over plain Uint8Arrays. */
function toBuffers(row: Row, columns: readonly string[]): void {
  for (const name of columns) {
    const value = row[name];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) row[name] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}

function definedFrom(columns: readonly Column[], extra = ''): string {
  return `(${columns.map((c) => `${quoteIdent(c.name)} ${writeTypeFor(c.type).declared}`).join(', ')}${extra})`;
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** Refuses an input whose columns do not fit the existing target, before anything is written. */
function checkColumns(target: TableRef, table: readonly TargetColumn[], input: readonly Column[]): void {
  checkWriteColumns(sqliteIdentifiers, 'sqlite', target.label, table, input);
}
