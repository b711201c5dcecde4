import { randomBytes } from 'node:crypto';
import type { ExecuteValues } from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { ConnectorContext, WriteRequest, WriteResult } from '../../core/connectors/connector.ts';
import { describeTarget, hasUniqueKeyOn, type TargetTable } from './mysql-catalog.ts';
import { LoadDataRefused, loadDataInto } from './mysql-load-data.ts';
import { describeRounded, findRoundedValue } from '../shared/decimal-scale.ts';
import type { MysqlWriteSettings } from './mysql-config.ts';
import type { MysqlDriver } from './mysql-driver.ts';
import { queryError } from './mysql-errors.ts';
import { dropAbandonedStages, holdStage } from './mysql-stages.ts';
import { watchLockWaits } from '../shared/watch-lock-waits.ts';
import { mergeInput } from './mysql-merge.ts';
import { mysqlColumnList, mysqlIdentifiers, quoteMysqlIdent, mysqlTableRef, siblingTable, type MysqlTableRef } from './mysql-names.ts';
import { inTransaction } from './mysql-transaction.ts';
import { mysqlTypeForDuck, writeColumnFor } from './mysql-types.ts';
import { checkWriteColumns, checkWriteInput } from '../shared/check-write-input.ts';

/** Everything a write mode needs, resolved once. */
export interface WritePlan {
  readonly conn: PromiseConnection;
  readonly target: MysqlTableRef;
  readonly existing: TargetTable | undefined;
  readonly input: WriteRequest<MysqlWriteSettings>['input'];
  readonly key: readonly string[];
  readonly context: ConnectorContext;
  /** Tables this write created and must drop when it fails. */
  readonly scratch: MysqlTableRef[];
  /** `writing db.table in 'connection'`, for messages. */
  readonly doing?: string;
  /** False once the server refused LOAD DATA LOCAL: multi-row INSERTs from then on. */
  loadData?: boolean;
}

type ModeResult = { readonly rows: number; readonly summary: string };

/** Rows per INSERT statement, and the most bytes of values one statement carries (well under max_allowed_packet). */
const rowsPerInsert = 1_000;
const bytesPerInsert = 4 * 1024 * 1024;
/** The protocol's limit on placeholders in one prepared statement. */
const maxPlaceholders = 65_535;

/**
 * Writes the input table into MySQL. Every mode changes the target in one
 * InnoDB transaction (or swaps in a fully loaded copy), so a failed load
 * leaves the target exactly as it was; columns are checked before anything
 * is written.
 */
export async function writeMysql(driver: MysqlDriver, request: WriteRequest<MysqlWriteSettings>, context: ConnectorContext): Promise<WriteResult> {
  const { settings, input } = request;
  const target = mysqlTableRef(settings.table, driver.database);
  const key = settings.key ?? [];
  checkWriteInput(mysqlIdentifiers, { kind: 'mysql', label: target.label, mode: settings.mode, key, input: input.columns });
  const raw = await driver.dedicated();
  const conn = raw.promise();
  const abort = (): void => {
    driver.killQuery(raw.threadId);
    raw.destroy();
  };
  context.signal.addEventListener('abort', abort, { once: true });
  const threadId = raw.threadId;
  const stopLockWatch = threadId === null ? () => undefined : watchLockWaits(() => driver.lockWaits(threadId), context.logger);
  const plan: WritePlan = { conn, target, existing: undefined, input, key, context, scratch: [], doing: `writing ${target.label} in '${driver.name}'` };
  try {
    // Strict: a NULL into NOT NULL or a value that does not fit fails the load instead of being adjusted quietly.
    await conn.query("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')");
    const existing = await describeTarget(conn, target);
    if (!existing && !settings.create) {
      throw new ConnectorError('mysql.table_missing', `${target.label} does not exist in '${driver.name}' (set create: true to create it)`);
    }
    if (existing) {
      checkColumns(target, existing, input.columns);
      const scales = new Map(existing.columns.map((c) => [c.name.toLowerCase(), c.scale]));
      const rounded = await findRoundedValue(context.session, input.table, input.columns, (name) => scales.get(name.toLowerCase()));
      if (rounded) throw new ConnectorError('mysql.write_failed', `${plan.doing} failed: ${describeRounded(rounded)}`);
      if (existing.engine.toLowerCase() !== 'innodb') {
        context.logger.warn(`${target.label} uses the ${existing.engine} engine, which has no transactions: a failed write may leave part of it changed`);
      }
      if (settings.mode === 'upsert' && !(await hasUniqueKeyOn(conn, target, key))) {
        throw new ConnectorError(
          'mysql.key_not_unique',
          `upsert into ${target.label} needs a primary key or unique index on exactly (${key.join(', ')}); add one, or use mode: merge`,
        );
      }
    }
    await dropAbandonedStages(conn, target.database, context);
    const result = await modes[settings.mode]({ ...plan, existing });
    return result;
  } catch (error) {
    await dropScratch(driver, plan, raw.threadId === null || context.signal.aborted);
    if (context.signal.aborted && !(error instanceof SluiceError && error.code === 'mysql.cancelled')) {
      throw new ConnectorError('mysql.cancelled', `writing ${target.label} in '${driver.name}' was cancelled`, { cause: error });
    }
    throw error instanceof SluiceError ? error : queryError('mysql.write_failed', `writing ${target.label} in '${driver.name}' failed`, error, context.block);
  } finally {
    stopLockWatch();
    context.signal.removeEventListener('abort', abort);
    raw.destroy();
  }
}

const modes = {
  replace: replaceTable,
  append: (plan: WritePlan) => changeInPlace(plan, 'append'),
  upsert: (plan: WritePlan) => changeInPlace(plan, 'upsert'),
  merge: (plan: WritePlan) => changeInPlace(plan, 'merge'),
} satisfies Record<MysqlWriteSettings['mode'], (plan: WritePlan) => Promise<ModeResult>>;

/** Loads a full copy beside the target, then swaps it in with one atomic RENAME TABLE. */
async function replaceTable(plan: WritePlan): Promise<ModeResult> {
  const { conn, target, existing } = plan;
  if (!existing) return createWithRows(plan, 'replace');
  const stage = await stageTable(plan);
  await conn.query(`CREATE TABLE ${stage.sql} LIKE ${target.sql}`);
  const rows = await inTransaction(conn, () => insertInput(plan, stage));
  const old = siblingTable(target.database, `_sluice_old_${randomBytes(5).toString('hex')}`);
  await conn.query(`RENAME TABLE ${target.sql} TO ${old.sql}, ${stage.sql} TO ${target.sql}`);
  plan.scratch.splice(plan.scratch.indexOf(stage), 1);
  // The new rows are in place; a failed drop only leaves the old copy behind.
  await conn.query(`DROP TABLE ${old.sql}`).catch((error: unknown) => plan.context.logger.warn(`could not drop ${old.label} after replacing ${target.label}: ${String(error)}`));
  return { rows, summary: `replaced ${target.label} with ${count(rows)} rows` };
}

/** append, upsert and merge change an existing target in one transaction. */
async function changeInPlace(plan: WritePlan, mode: 'append' | 'upsert' | 'merge'): Promise<ModeResult> {
  const { conn, target, existing, key } = plan;
  if (!existing) return createWithRows(plan, mode);
  switch (mode) {
    case 'append': {
      const rows = await inTransaction(conn, () => insertInput(plan, target));
      return { rows, summary: `appended ${count(rows)} rows to ${target.label}` };
    }
    case 'upsert': {
      const rows = await inTransaction(conn, () => upsertInput(plan, target, key));
      return { rows, summary: `upserted ${count(rows)} rows into ${target.label}` };
    }
    case 'merge': {
      const { rows, replaced } = await mergeInput({ ...plan, existing }, (into) => insertInput(plan, into));
      return { rows, summary: `merged ${count(rows)} rows into ${target.label}${replaced === undefined ? '' : `, replacing ${count(replaced)}`}` };
    }
  }
}

/**
 * A missing target: load a new table beside it and rename it into place, so a
 * failed load never leaves a half-filled (or empty) table behind.
 */
async function createWithRows(plan: WritePlan, mode: MysqlWriteSettings['mode']): Promise<ModeResult> {
  const { conn, target, key, input } = plan;
  const stage = await stageTable(plan);
  const keyed = new Set(key.map((k) => k.toLowerCase()));
  const definitions = input.columns.map((c) => `${quoteMysqlIdent(c.name)} ${mysqlTypeForDuck(c.type, keyed.has(c.name.toLowerCase()))}`);
  const keyList = key.map(quoteMysqlIdent).join(', ');
  if (mode === 'upsert') definitions.push(`PRIMARY KEY (${keyList})`);
  if (mode === 'merge') definitions.push(`INDEX (${keyList})`);
  await conn.query(`CREATE TABLE ${stage.sql} (${definitions.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  const rows = await inTransaction(conn, () => (mode === 'upsert' ? upsertInput(plan, stage, key) : insertInput(plan, stage)));
  await conn.query(`RENAME TABLE ${stage.sql} TO ${target.sql}`);
  plan.scratch.splice(plan.scratch.indexOf(stage), 1);
  return { rows, summary: `created ${target.label} with ${count(rows)} rows` };
}

/**
 * Loads the input into `into`: through LOAD DATA LOCAL INFILE (the bulk
 * path) when the statement needs no suffix and the server allows it,
 * otherwise with multi-row INSERTs. Returns rows written.
 */
export async function insertInput(plan: WritePlan, into: MysqlTableRef, suffix = ''): Promise<number> {
  if (!suffix && plan.loadData !== false) {
    try {
      return await loadDataInto(plan.conn, into, plan.input, plan.context);
    } catch (error) {
      if (!(error instanceof LoadDataRefused)) {
        throw error instanceof SluiceError && plan.doing
          ? new ConnectorError(error.code, `${plan.doing} failed: ${error.message}`, { cause: error.cause, retryable: error.retryable })
          : error;
      }
      plan.context.logger.debug(`LOAD DATA LOCAL is refused (${error.message}); writing with INSERT statements`);
      plan.loadData = false;
    }
  }
  return insertRows(plan, into, suffix);
}

/**
 * Inserts the input into `into`, updating the rows whose key is already
 * there. The bulk path: LOAD DATA into a session-private copy, then one
 * INSERT ... SELECT ... ON DUPLICATE KEY UPDATE; multi-row INSERTs only when
 * the server refuses LOAD DATA LOCAL. Returns rows written.
 */
export async function upsertInput(plan: WritePlan, into: MysqlTableRef, key: readonly string[]): Promise<number> {
  const suffix = onDuplicateKey(plan.input.columns, key);
  if (plan.loadData === false) return insertRows(plan, into, suffix);
  const { conn } = plan;
  const list = mysqlColumnList(plan.input.columns);
  // A TEMPORARY table neither commits the caller's transaction nor is seen by other sessions.
  const held = siblingTable(into.database, `_sluice_upsert_${randomBytes(5).toString('hex')}`);
  await conn.query(`CREATE TEMPORARY TABLE ${held.sql} ENGINE=InnoDB AS SELECT ${list} FROM ${into.sql} LIMIT 0`);
  try {
    const rows = await insertInput(plan, held);
    await conn.query(`INSERT INTO ${into.sql} (${list}) SELECT ${list} FROM ${held.sql}${suffix}`);
    return rows;
  } finally {
    await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${held.sql}`).catch(() => undefined);
  }
}

/**
 * Streams the input from the data plane into `into` with multi-row INSERTs
 * of up to 1,000 rows, every value a bound parameter. Returns rows written.
 */
async function insertRows(plan: WritePlan, into: MysqlTableRef, suffix: string): Promise<number> {
  const { conn, input, context } = plan;
  const columns = input.columns.map((c) => writeColumnFor(c.name, c.type));
  const width = columns.length;
  const perStatement = Math.max(1, Math.min(rowsPerInsert, Math.floor(maxPlaceholders / width)));
  const tuple = `(${columns.map((c) => c.placeholder).join(', ')})`;
  const statement = (rows: number): string => `INSERT INTO ${into.sql} (${mysqlColumnList(input.columns)}) VALUES ${Array(rows).fill(tuple).join(', ')}${suffix}`;
  const full = statement(perStatement);
  const select = `SELECT ${columns.map((c) => c.select).join(', ')} FROM ${quoteIdent(input.table)}`;
  const names = input.columns.map((c) => c.name);

  let params: ExecuteValues[] = [];
  let pending = 0;
  let bytes = 0;
  let written = 0;
  const flush = async (): Promise<void> => {
    if (!pending) return;
    try {
      if (pending === perStatement) await conn.execute(full, params);
      else {
        // Odd-sized statements run once: free them on the server rather than fill its statement cache.
        const sql = statement(pending);
        await conn.execute(sql, params);
        conn.unprepare(sql);
      }
    } catch (error) {
      throw withInputRow(error, written);
    }
    written += pending;
    params = [];
    pending = 0;
    bytes = 0;
  };
  // With the count given, a stream the data plane cut short (out of memory) fails instead of writing part of the input.
  for await (const batch of context.session.stream(select, { batchSize: perStatement, signal: context.signal, expectedRows: input.rows })) {
    for (const row of batch) {
      for (const name of names) {
        const value = row[name] ?? null;
        const param = typeof value === 'bigint' ? value.toString() : value;
        if (typeof param === 'string') bytes += param.length;
        params.push(param as ExecuteValues);
      }
      bytes += 8 * width;
      if (++pending === perStatement || bytes >= bytesPerInsert) await flush();
    }
  }
  await flush();
  return written;
}

/**
 * The server counts rows within one multi-row INSERT ("at row 3"); a person
 * needs the row of the input, so the count is moved past the rows already sent.
 */
function withInputRow(error: unknown, sent: number): unknown {
  if (!(error instanceof Error)) return error;
  error.message = error.message.replace(/\bat row (\d+)\b/, (_, row: string) => `at row ${(sent + Number(row)).toLocaleString('en-US')} of the input`);
  return error;
}

export function onDuplicateKey(columns: readonly Column[], key: readonly string[]): string {
  const keyed = new Set(key.map((k) => k.toLowerCase()));
  const others = columns.filter((c) => !keyed.has(c.name.toLowerCase())).map((c) => quoteMysqlIdent(c.name));
  // With nothing but the key, a repeated key is simply kept: assign a key column to itself.
  const sets = others.length ? others.map((c) => `${c} = VALUES(${c})`) : [`${quoteMysqlIdent(key[0]!)} = ${quoteMysqlIdent(key[0]!)}`];
  return ` ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
}

/** A staging table beside the target, marked live while this session lasts (see dropAbandonedStages). */
async function stageTable(plan: WritePlan): Promise<MysqlTableRef> {
  const stage = scratchTable(plan, 'stage');
  await holdStage(plan.conn, stage.name);
  return stage;
}

function scratchTable(plan: WritePlan, role: string): MysqlTableRef {
  const table = siblingTable(plan.target.database, `_sluice_${role}_${randomBytes(5).toString('hex')}`);
  plan.scratch.push(table);
  return table;
}

/** Drops what a failed write created; through the pool when its own session is gone or was cut. */
async function dropScratch(driver: MysqlDriver, plan: WritePlan, sessionGone: boolean): Promise<void> {
  for (const table of plan.scratch) {
    const sql = `DROP TABLE IF EXISTS ${table.sql}`;
    const own = sessionGone ? Promise.reject(new Error('session gone')) : plan.conn.query(sql);
    await own
      .catch(() => driver.pool.promise().query(sql))
      .catch((error: unknown) => plan.context.logger.warn(`could not drop the staging table ${table.label}; the next load into ${plan.target.label} drops it: ${String(error)}`));
  }
}

function count(rows: number): string {
  return rows.toLocaleString('en-US');
}

/** Refuses an input whose columns do not fit the existing target, before anything is written. */
function checkColumns(target: MysqlTableRef, table: TargetTable, input: readonly Column[]): void {
  checkWriteColumns(mysqlIdentifiers, 'mysql', target.label, table.columns, input);
}
