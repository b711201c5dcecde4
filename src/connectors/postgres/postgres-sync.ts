import type { Client, QueryResult } from 'pg';
import type { Column, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { ConnectorError, SluiceError } from '../../core/errors.ts';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import {
  syncStateTable,
  type DestinationTableShape,
  type OpenSyncDestination,
  type StoredStreamState,
  type StreamState,
  type SyncBatch,
  type SyncBatchResult,
  type SyncChangeSet,
  type SyncContext,
  type SyncDestination,
  type SyncInput,
  type SyncTable,
  type TableAlteration,
} from '../../core/connectors/sync-destination.ts';
import { checkPreviousState } from '../../core/connectors/check-previous-state.ts';
import { freshKeyRange } from '../../core/connectors/fresh-key-range.ts';
import { siblingRef, tableRef, type TableRef } from './postgres-catalog.ts';
import { postgresConnectionSchema } from './postgres-config.ts';
import { openPostgresDriver } from './postgres-connection.ts';
import { binaryCopyPlan } from './postgres-binary-encoder.ts';
import { copyRows } from './postgres-copy.ts';
import { copyCsvText } from './postgres-csv-text-copy.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { queryError } from './postgres-errors.ts';
import { duckCsvExpression, duckTypeForPostgres, postgresTypeForDuck } from './postgres-types.ts';

/**
 * PostgreSQL as a sync destination: each batch is COPYed (into the table, or
 * into a temporary table for upserts) and committed with the stream state in
 * one transaction on one session.
 */
export const openPostgresSync: OpenSyncDestination = async (raw, context) => {
  const settings = postgresConnectionSchema.parse(raw);
  const { driver, pool } = await openPostgresDriver(settings, context.name, 2);
  return new PostgresSyncDestination(driver, () => pool.end());
};

class PostgresSyncDestination implements SyncDestination {
  readonly name: string;
  readonly keepsNewerRows = true;
  readonly loadsCsv = true;
  private readonly state: TableRef;
  private client: Client | undefined;
  /** Temporary tables made in one transaction need distinct names. */
  private stages = 0;

  constructor(
    private readonly driver: PostgresDriver,
    private readonly end: () => Promise<void>,
  ) {
    this.name = driver.name;
    this.state = tableRef(quoteIdent(syncStateTable), driver.schema);
  }

  async prepare(): Promise<void> {
    await this.run('postgres.sync_prepare_failed', `creating ${this.state.label}`, async (q) => {
      await q(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.state.schema)}`).catch(ignoreRace);
      await q(
        `CREATE TABLE IF NOT EXISTS ${this.state.sql} (pipeline text NOT NULL, stream text NOT NULL, state jsonb NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, stream))`,
      ).catch(ignoreRace);
    });
  }

  async readState(pipeline: string, stream?: string): Promise<StoredStreamState[]> {
    const exists = await this.run('postgres.sync_state_failed', 'reading the sync state', (q) => q('SELECT to_regclass($1) IS NOT NULL AS found', [this.state.sql]));
    if (!exists[0]?.found) return [];
    const rows = await this.run('postgres.sync_state_failed', `reading ${this.state.label}`, (q) =>
      q(`SELECT pipeline, stream, state, updated_at FROM ${this.state.sql} WHERE pipeline = $1 AND ($2::text IS NULL OR stream = $2) ORDER BY stream`, [pipeline, stream ?? null]),
    );
    return rows.map((r) => ({ pipeline: r.pipeline as string, stream: r.stream as string, state: r.state as Record<string, unknown>, updatedAt: (r.updated_at as Date).toISOString() }));
  }

  async resetState(pipeline: string, stream?: string): Promise<number> {
    if (!(await this.readState(pipeline, stream)).length) return 0;
    const rows = await this.run('postgres.sync_state_failed', `resetting ${this.state.label}`, (q) =>
      q(`DELETE FROM ${this.state.sql} WHERE pipeline = $1 AND ($2::text IS NULL OR stream = $2) RETURNING 1`, [pipeline, stream ?? null]),
    );
    return rows.length;
  }

  async describeTable(table: SyncTable): Promise<DestinationTableShape | undefined> {
    const ref = tableRef(table.name, this.driver.schema);
    return this.run('postgres.sync_describe_failed', `describing ${ref.label}`, async (q) => {
      const found = await q('SELECT to_regclass($1)::oid::int AS oid', [ref.sql]);
      const oid = found[0]?.oid as number | null | undefined;
      if (oid == null) return undefined;
      const columns = await q(
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS native, atttypid::int AS typid, atttypmod AS typmod, NOT attnotnull AS nullable
           FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [oid],
      );
      const key = await q(
        `SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.n`,
        [oid],
      );
      return {
        columns: columns.map((c) => ({
          name: c.name as string,
          nativeType: c.native as string,
          type: duckTypeForPostgres({ oid: c.typid as number, typmod: c.typmod as number }),
          nullable: c.nullable as boolean,
        })),
        key: key.map((k) => k.name as string),
      };
    });
  }

  async createTable(table: SyncTable, columns: readonly Column[], key: readonly string[]): Promise<void> {
    const ref = tableRef(table.name, this.driver.schema);
    const defs = columns.map((c) => `${quoteIdent(c.name)} ${postgresTypeForDuck(c.type)}${key.includes(c.name) ? ' NOT NULL' : ''}`);
    if (key.length) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
    await this.run('postgres.sync_create_failed', `creating ${ref.label}`, async (q) => {
      await q(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ref.schema)}`).catch(ignoreRace);
      await q(`CREATE TABLE ${ref.sql} (${defs.join(', ')})`);
    });
  }

  async alterTable(table: SyncTable, change: TableAlteration): Promise<void> {
    const ref = tableRef(table.name, this.driver.schema);
    const column = quoteIdent(change.column);
    const type = postgresTypeForDuck(change.type);
    const sql =
      change.kind === 'add_column'
        ? `ALTER TABLE ${ref.sql} ADD COLUMN IF NOT EXISTS ${column} ${type}`
        : `ALTER TABLE ${ref.sql} ALTER COLUMN ${column} TYPE ${type} USING ${column}::${type}`;
    await this.run('postgres.sync_alter_failed', `changing ${ref.label} (${change.kind} ${change.column} ${type})`, (q) => q(sql));
  }

  async applyBatch(batch: SyncBatch, context: SyncContext): Promise<SyncBatchResult> {
    const ref = tableRef(batch.table.name, this.driver.schema);
    const client = (this.client ??= await this.driver.dedicated());
    const stopWatching = this.driver.cancelOnAbort(client, context.signal);
    const copy = this.copier(client, ref, batch.stream, context);
    try {
      // CSV text held in memory goes to the server as it is: the table's types matter only to a data-plane select.
      const inline = inputsOf(batch.change).every((input) => input.csv !== undefined);
      const types = inline ? new Map<string, string>() : new Map((await this.describeTable(batch.table))?.columns.map((c) => [c.name, c.nativeType]));
      // One round trip opens the transaction and locks the state row, another writes the state and commits: a
      // streaming micro-batch pays for each. Text timestamps are UTC wall times, as the binary path reads the data plane's.
      const lock = `SELECT state FROM ${this.state.sql} WHERE pipeline = ${client.escapeLiteral(batch.pipeline)} AND stream = ${client.escapeLiteral(batch.stream)} FOR UPDATE`;
      const opened = (await client.query(`${inline ? "BEGIN; SET LOCAL TimeZone = 'UTC'" : 'BEGIN'}; ${lock}`)) as unknown as QueryResult[];
      checkPreviousState(batch, opened.at(-1)!.rows[0]?.state as StreamState | undefined, this.name);
      const result = await this.change(client, ref, batch, types, copy, context.session);
      await this.writeState(client, batch, true);
      return result;
    } catch (error) {
      // The session may sit in an aborted COPY: drop it; the server rolls the transaction back.
      this.client = undefined;
      await client.end().catch(() => undefined);
      if (error instanceof SluiceError) throw error;
      throw queryError('postgres.sync_write_failed', `writing a batch of stream '${batch.stream}' into ${ref.label} in '${this.name}' failed`, error);
    } finally {
      stopWatching();
    }
  }

  async applyChanges(changes: SyncChangeSet, context: SyncContext): Promise<SyncBatchResult> {
    const client = (this.client ??= await this.driver.dedicated());
    const stopWatching = this.driver.cancelOnAbort(client, context.signal);
    const streams = changes.tables.map((t) => t.stream).join(', ');
    try {
      const shapes = await Promise.all(changes.tables.map(async (t) => new Map((await this.describeTable(t.table))?.columns.map((c) => [c.name, c.nativeType]))));
      await client.query('BEGIN');
      let rows = 0;
      let deleted = 0;
      for (const [i, t] of changes.tables.entries()) {
        const ref = tableRef(t.table.name, this.driver.schema);
        const types = shapes[i]!;
        const copy = this.copier(client, ref, t.stream, context);
        // TRUNCATE is transactional here: readers keep seeing the old rows until COMMIT.
        if (t.replace) await client.query(`TRUNCATE ${ref.sql}`);
        const change = t.replace ? (t.upserts ? { kind: 'append' as const, input: t.upserts } : { kind: 'state_only' as const }) : { kind: 'upsert' as const, input: t.upserts, key: t.key, deletes: t.deletes };
        const batch: SyncBatch = { pipeline: changes.pipeline, stream: t.stream, table: t.table, change, state: t.state };
        const result = await this.change(client, ref, batch, types, copy, context.session);
        rows += result.rows;
        deleted += result.deleted;
        for (const input of t.partialUpdates ?? []) rows += await this.updatePartial(client, ref, input, t.key, types, copy);
        await this.writeState(client, batch);
      }
      await client.query('COMMIT');
      return { rows, deleted };
    } catch (error) {
      this.client = undefined;
      await client.end().catch(() => undefined);
      if (error instanceof SluiceError) throw error;
      throw queryError('postgres.sync_write_failed', `applying changes of stream${changes.tables.length === 1 ? '' : 's'} ${streams} in '${this.name}' failed`, error);
    } finally {
      stopWatching();
    }
  }

  /** Sets only the columns the input carries, on the rows whose key it holds. */
  private async updatePartial(
    client: Client,
    ref: TableRef,
    input: SyncInput,
    key: readonly string[],
    types: ReadonlyMap<string, string>,
    copy: (input: SyncInput, into: TableRef, types: ReadonlyMap<string, string>) => Promise<number>,
  ): Promise<number> {
    const set = input.columns.filter((c) => !key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = s.${quoteIdent(c.name)}`);
    if (!input.rows || !set.length) return 0;
    const stage = siblingRef(ref, `_sluice_partial_${process.pid}_${++this.stages}`);
    const temp = { ...stage, sql: quoteIdent(stage.name) };
    await client.query(`CREATE TEMP TABLE ${temp.sql} ON COMMIT DROP AS SELECT ${input.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${ref.sql} WITH NO DATA`);
    await copy(input, temp, types);
    const match = key.map((k) => `${ref.sql}.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
    return (await client.query(`UPDATE ${ref.sql} SET ${set.join(', ')} FROM ${temp.sql} AS s WHERE ${match}`)).rowCount ?? 0;
  }

  private copier(client: Client, ref: TableRef, stream: string, context: SyncContext): (input: SyncInput, into: TableRef, types: ReadonlyMap<string, string>) => Promise<number> {
    const connectorContext: ConnectorContext = { projectRoot: '', tempDir: context.tempDir, session: context.session, logger: context.logger, signal: context.signal, block: stream };
    return async (input, into, types) => {
      const list = input.columns.map((c) => quoteIdent(c.name)).join(', ');
      if (input.csv !== undefined) {
        return copyCsvText(this.driver, client, input.csv, input.rows, { copySql: `COPY ${into.sql} (${list}) FROM STDIN (FORMAT csv)`, label: ref.label, rename: [[into.name, ref.label]] }, context.signal);
      }
      // Binary rows built from the data plane's columns when every column has an exact binary form: no CSV to render or parse.
      const binary = binaryCopyPlan(input.columns, input.columns.map((c) => types.get(c.name) ?? ''));
      const render = binary ? list : input.columns.map((c) => `${duckCsvExpression(c.name, c.type, types.get(c.name))} AS ${quoteIdent(c.name)}`).join(', ');
      const copySql = `COPY ${into.sql} (${list}) FROM STDIN (FORMAT ${binary ? 'binary' : 'csv'})`;
      return copyRows(this.driver, client, `SELECT ${render} FROM ${quoteIdent(input.table)}`, { copySql, label: ref.label, rename: [[into.name, ref.label]], binary }, connectorContext, context.signal, true);
    };
  }

  /** Writes the batch's state row; with `commit`, commits in the same round trip (as literals: a multi-statement query takes no parameters). */
  private async writeState(client: Client, batch: SyncBatch, commit = false): Promise<void> {
    // With no state row to lock, a second sync's insert of the first row fails on the key instead of overwriting it.
    const upsert = batch.previousState === null ? '' : 'ON CONFLICT (pipeline, stream) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at';
    const insert = `INSERT INTO ${this.state.sql} (pipeline, stream, state, updated_at) VALUES`;
    const values = [batch.pipeline, batch.stream, JSON.stringify(batch.state)];
    await (commit
      ? client.query(`${insert} (${values.map((v) => client.escapeLiteral(v)).join(', ')}::jsonb, now()) ${upsert}; COMMIT`)
      : client.query(`${insert} ($1, $2, $3::jsonb, now()) ${upsert}`, values)
    )
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') checkPreviousState(batch, {}, this.name);
        throw error;
      });
  }

  private async change(
    client: Client,
    ref: TableRef,
    batch: SyncBatch,
    types: ReadonlyMap<string, string>,
    copy: (input: SyncInput, into: TableRef, types: ReadonlyMap<string, string>) => Promise<number>,
    session: DataPlaneSession,
  ): Promise<SyncBatchResult> {
    const change = batch.change;
    switch (change.kind) {
      case 'append':
        return { rows: await copy(change.input, ref, types), deleted: 0 };
      case 'replace': {
        // TRUNCATE is transactional here: readers keep seeing the old rows until COMMIT.
        await client.query(`TRUNCATE ${ref.sql}`);
        return { rows: await copy(change.input, ref, types), deleted: 0 };
      }
      case 'upsert': {
        let deleted = 0;
        const on = (alias: string): string => change.key.map((k) => `${ref.sql}.${quoteIdent(k)} = ${alias}.${quoteIdent(k)}`).join(' AND ');
        if (change.deletes?.rows) {
          const keys = siblingRef(ref, `_sluice_keys_${process.pid}_${++this.stages}`);
          const temp = { ...keys, sql: quoteIdent(keys.name) };
          await client.query(`CREATE TEMP TABLE ${temp.sql} ON COMMIT DROP AS SELECT ${change.key.map(quoteIdent).join(', ')} FROM ${ref.sql} WITH NO DATA`);
          await copy(change.deletes, temp, types);
          deleted = (await client.query(`DELETE FROM ${ref.sql} USING ${temp.sql} AS k WHERE ${on('k')}`)).rowCount ?? 0;
        }
        if (!change.input?.rows) return { rows: 0, deleted };
        if (!deleted && (await this.allKeysNew(client, ref, change.input, change.key, types, session))) return { rows: await copy(change.input, ref, types), deleted };
        const stage = siblingRef(ref, `_sluice_upsert_${process.pid}_${++this.stages}`);
        const temp = { ...stage, sql: quoteIdent(stage.name) };
        const columns = change.input.columns.map((c) => quoteIdent(c.name));
        await client.query(`CREATE TEMP TABLE ${temp.sql} ON COMMIT DROP AS SELECT ${columns.join(', ')} FROM ${ref.sql} WITH NO DATA`);
        const rows = await copy(change.input, temp, types);
        const update = change.input.columns.filter((c) => !change.key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`);
        const newer = change.newerBy === undefined ? '' : ` WHERE ${ref.sql}.${quoteIdent(change.newerBy)} IS NULL OR excluded.${quoteIdent(change.newerBy)} > ${ref.sql}.${quoteIdent(change.newerBy)}`;
        const conflict = update.length ? `DO UPDATE SET ${update.join(', ')}${newer}` : 'DO NOTHING';
        await client.query(`INSERT INTO ${ref.sql} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${temp.sql} ON CONFLICT (${change.key.map(quoteIdent).join(', ')}) ${conflict}`);
        return { rows, deleted };
      }
      case 'state_only':
        return { rows: 0, deleted: 0 };
    }
  }

  /**
   * True when the table holds no row inside the batch's range of an integer key: every row is new, so
   * COPY into the table does the upsert's work without a staging table. A row that is there after all
   * fails the COPY on the key (the batch rolls back), never doubles.
   */
  private async allKeysNew(client: Client, ref: TableRef, input: SyncInput, key: readonly string[], types: ReadonlyMap<string, string>, session: DataPlaneSession): Promise<boolean> {
    if (!integerKeyTypes.has(types.get(key[0] ?? '') ?? '')) return false;
    const range = await freshKeyRange(session, input, key);
    if (!range) return false;
    const found = await client.query(`SELECT 1 FROM ${ref.sql} WHERE ${quoteIdent(key[0]!)} BETWEEN ${range.min} AND ${range.max} LIMIT 1`);
    return found.rows.length === 0;
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    await this.end();
  }

  private async run<T>(code: string, what: string, work: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
    const session = await this.driver.session();
    try {
      return await work(async (sql, params) => (await session.query(sql, params)).rows as Record<string, unknown>[]);
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw queryError(code, `${what} in '${this.name}' failed`, error);
    } finally {
      session.release();
    }
  }
}

/** Key types whose range a probe can compare with the data plane's integers. */
const integerKeyTypes = new Set(['smallint', 'integer', 'bigint']);

/** The inputs a change loads. */
function inputsOf(change: SyncBatch['change']): SyncInput[] {
  switch (change.kind) {
    case 'append':
    case 'replace':
      return [change.input];
    case 'upsert':
      return [change.input, change.deletes].filter((input): input is SyncInput => input !== undefined);
    case 'state_only':
      return [];
  }
}

/** Two syncs preparing at once may both try to create the same object; the loser's error means it exists. */
function ignoreRace(error: unknown): void {
  const code = (error as { code?: string }).code;
  if (code === '23505' || code === '42P07' || code === '42P06') return;
  throw error instanceof Error ? error : new ConnectorError('postgres.sync_prepare_failed', String(error));
}
