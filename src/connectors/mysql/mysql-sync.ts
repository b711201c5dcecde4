import type { Connection } from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import type { Column, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
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
import { mysqlConnectionSchema } from './mysql-config.ts';
import { clientOptions } from './mysql-connection.ts';
import { connectError, queryError } from './mysql-errors.ts';
import { handleLostConnection } from './mysql-lost-connection.ts';
import { mysqlColumnList, mysqlTableRef, quoteMysqlIdent, siblingTable, type MysqlTableRef } from './mysql-names.ts';
import { mysqlTypeForDuck } from './mysql-types.ts';
import { insertInput, upsertInput } from './mysql-write.ts';

/**
 * MySQL/MariaDB as a sync destination: each batch goes in through the
 * exporter's bulk path (LOAD DATA LOCAL, staged for an upsert) and commits with the stream state in one InnoDB
 * transaction. Table changes (DDL) commit on their own in MySQL, so they run
 * before the batch, never inside it.
 */
export const openMysqlSync: OpenSyncDestination = async (raw, context) => {
  const settings = mysqlConnectionSchema.parse(raw);
  const { default: mysql } = await import('mysql2');
  const { options, server, database, sessionSql } = clientOptions(settings);
  const connect = async (): Promise<Connection> => {
    const conn = mysql.createConnection(options);
    handleLostConnection(conn);
    try {
      await conn.promise().connect();
      for (const sql of sessionSql) await conn.promise().query(sql);
      // Strict: a value that does not fit fails the batch instead of being adjusted quietly.
      await conn.promise().query("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')");
      return conn;
    } catch (error) {
      conn.destroy();
      throw connectError(error, context.name, server);
    }
  };
  const first = await connect();
  if (database === undefined) {
    first.destroy();
    throw connectError(new Error('a sync destination needs the connection to name a database (for its state table)'), context.name, server);
  }
  return new MysqlSyncDestination(context.name, database, connect, first);
};

class MysqlSyncDestination implements SyncDestination {
  private readonly state: MysqlTableRef;

  constructor(
    readonly name: string,
    private readonly database: string,
    private readonly connect: () => Promise<Connection>,
    private conn: Connection | undefined,
  ) {
    this.state = siblingTable(database, syncStateTable);
  }

  async prepare(): Promise<void> {
    await this.run('mysql.sync_prepare_failed', `creating ${this.state.label}`, (c) =>
      c.query(
        `CREATE TABLE IF NOT EXISTS ${this.state.sql} (pipeline VARCHAR(255) NOT NULL, stream VARCHAR(255) NOT NULL, state JSON NOT NULL,
           updated_at DATETIME(6) NOT NULL, PRIMARY KEY (pipeline, stream)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      ),
    );
  }

  async readState(pipeline: string, stream?: string): Promise<StoredStreamState[]> {
    if (!(await this.exists(this.state))) return [];
    const [rows] = await this.run('mysql.sync_state_failed', `reading ${this.state.label}`, (c) =>
      c.query(`SELECT pipeline, stream, state, updated_at FROM ${this.state.sql} WHERE pipeline = ? AND (? IS NULL OR stream = ?) ORDER BY stream`, [pipeline, stream ?? null, stream ?? null]),
    );
    return (rows as { pipeline: string; stream: string; state: string; updated_at: string }[]).map((r) => ({
      pipeline: r.pipeline,
      stream: r.stream,
      state: (typeof r.state === 'string' ? JSON.parse(r.state) : r.state) as Record<string, unknown>,
      updatedAt: `${r.updated_at.replace(' ', 'T')}Z`,
    }));
  }

  async resetState(pipeline: string, stream?: string): Promise<number> {
    if (!(await this.exists(this.state))) return 0;
    const [result] = await this.run('mysql.sync_state_failed', `resetting ${this.state.label}`, (c) =>
      c.query(`DELETE FROM ${this.state.sql} WHERE pipeline = ? AND (? IS NULL OR stream = ?)`, [pipeline, stream ?? null, stream ?? null]),
    );
    return (result as { affectedRows: number }).affectedRows;
  }

  async describeTable(table: SyncTable): Promise<DestinationTableShape | undefined> {
    const ref = mysqlTableRef(table.name, this.database);
    if (!(await this.exists(ref))) return undefined;
    const [columns] = await this.run('mysql.sync_describe_failed', `describing ${ref.label}`, (c) =>
      c.query(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS native, DATA_TYPE AS base, NUMERIC_PRECISION AS p, NUMERIC_SCALE AS s, IS_NULLABLE AS nullable, COLUMN_KEY AS ckey
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [ref.database, ref.name],
      ),
    );
    const [keys] = await this.run('mysql.sync_describe_failed', `describing ${ref.label}`, (c) =>
      c.query(`SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`, [
        ref.database,
        ref.name,
      ]),
    );
    type Info = { name: string; native: string; base: string; p: number | string | null; s: number | string | null; nullable: string };
    return {
      columns: (columns as Info[]).map((c) => ({ name: c.name, nativeType: c.native, type: duckTypeForMysql(c.base, c.native, Number(c.p), Number(c.s)), nullable: c.nullable === 'YES' })),
      key: (keys as { name: string }[]).map((k) => k.name),
    };
  }

  async createTable(table: SyncTable, columns: readonly Column[], key: readonly string[]): Promise<void> {
    const ref = mysqlTableRef(table.name, this.database);
    const keyed = new Set(key.map((k) => k.toLowerCase()));
    const defs = columns.map((c) => `${quoteMysqlIdent(c.name)} ${mysqlTypeForDuck(c.type, keyed.has(c.name.toLowerCase()))}${keyed.has(c.name.toLowerCase()) ? ' NOT NULL' : ''}`);
    if (key.length) defs.push(`PRIMARY KEY (${key.map(quoteMysqlIdent).join(', ')})`);
    await this.run('mysql.sync_create_failed', `creating ${ref.label}`, (c) => c.query(`CREATE TABLE IF NOT EXISTS ${ref.sql} (${defs.join(', ')}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`));
  }

  async alterTable(table: SyncTable, change: TableAlteration): Promise<void> {
    const ref = mysqlTableRef(table.name, this.database);
    const type = mysqlTypeForDuck(change.type);
    const sql =
      change.kind === 'add_column'
        ? `ALTER TABLE ${ref.sql} ADD COLUMN ${quoteMysqlIdent(change.column)} ${type} NULL`
        : `ALTER TABLE ${ref.sql} MODIFY COLUMN ${quoteMysqlIdent(change.column)} ${type}`;
    await this.run('mysql.sync_alter_failed', `changing ${ref.label} (${change.kind} ${change.column} ${type})`, (c) => c.query(sql));
  }

  async applyBatch(batch: SyncBatch, context: SyncContext): Promise<SyncBatchResult> {
    const ref = mysqlTableRef(batch.table.name, this.database);
    const raw = (this.conn ??= await this.connect());
    const conn = raw.promise();
    const abort = (): void => raw.destroy();
    context.signal.addEventListener('abort', abort, { once: true });
    const connectorContext: ConnectorContext = { projectRoot: '', tempDir: context.tempDir, session: context.session, logger: context.logger, signal: context.signal, block: batch.stream };
    const insert = loader(conn, connectorContext);
    try {
      await conn.beginTransaction();
      const [locked] = await conn.query(`SELECT state FROM ${this.state.sql} WHERE pipeline = ? AND stream = ? FOR UPDATE`, [batch.pipeline, batch.stream]);
      const current = (locked as { state: string | object }[])[0]?.state;
      checkPreviousState(batch, current === undefined ? undefined : ((typeof current === 'string' ? JSON.parse(current) : current) as StreamState), this.name);
      const result = await this.change(conn, ref, batch, insert, context.session);
      await this.writeState(conn, batch);
      await conn.commit();
      return result;
    } catch (error) {
      // A session that failed mid-batch is dropped: the server rolls its transaction back.
      this.conn = undefined;
      raw.destroy();
      if (error instanceof SluiceError) throw error;
      throw queryError('mysql.sync_write_failed', `writing a batch of stream '${batch.stream}' into ${ref.label} in '${this.name}' failed`, error);
    } finally {
      context.signal.removeEventListener('abort', abort);
    }
  }

  async applyChanges(changes: SyncChangeSet, context: SyncContext): Promise<SyncBatchResult> {
    const raw = (this.conn ??= await this.connect());
    const conn = raw.promise();
    const abort = (): void => raw.destroy();
    context.signal.addEventListener('abort', abort, { once: true });
    const streams = changes.tables.map((t) => t.stream).join(', ');
    try {
      await conn.beginTransaction();
      let rows = 0;
      let deleted = 0;
      for (const t of changes.tables) {
        const ref = mysqlTableRef(t.table.name, this.database);
        const connectorContext: ConnectorContext = { projectRoot: '', tempDir: context.tempDir, session: context.session, logger: context.logger, signal: context.signal, block: t.stream };
        const insert = loader(conn, connectorContext);
        // DELETE, unlike TRUNCATE, stays inside the transaction: readers see the old rows until COMMIT.
        if (t.replace) await conn.query(`DELETE FROM ${ref.sql}`);
        const change = t.replace ? (t.upserts ? { kind: 'append' as const, input: t.upserts } : { kind: 'state_only' as const }) : { kind: 'upsert' as const, input: t.upserts, key: t.key, deletes: t.deletes };
        const batch: SyncBatch = { pipeline: changes.pipeline, stream: t.stream, table: t.table, change, state: t.state };
        const result = await this.change(conn, ref, batch, insert, context.session);
        rows += result.rows;
        deleted += result.deleted;
        for (const input of t.partialUpdates ?? []) rows += await this.updatePartial(conn, ref, input, t.key, insert);
        await this.writeState(conn, batch);
      }
      await conn.commit();
      return { rows, deleted };
    } catch (error) {
      // A session that failed mid-batch is dropped: the server rolls its transaction back.
      this.conn = undefined;
      raw.destroy();
      if (error instanceof SluiceError) throw error;
      throw queryError('mysql.sync_write_failed', `applying changes of stream${changes.tables.length === 1 ? '' : 's'} ${streams} in '${this.name}' failed`, error);
    } finally {
      context.signal.removeEventListener('abort', abort);
    }
  }

  /** Sets only the columns the input carries, on the rows whose key it holds. */
  private async updatePartial(
    conn: PromiseConnection,
    ref: MysqlTableRef,
    input: SyncInput,
    key: readonly string[],
    insert: Loader,
  ): Promise<number> {
    const keyed = new Set(key.map((k) => k.toLowerCase()));
    const set = input.columns.filter((c) => !keyed.has(c.name.toLowerCase())).map((c) => `t.${quoteMysqlIdent(c.name)} = s.${quoteMysqlIdent(c.name)}`);
    if (!input.rows || !set.length) return 0;
    const stage = siblingTable(this.database, `_sluice_partial_${process.pid}`);
    await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${stage.sql}`);
    await conn.query(`CREATE TEMPORARY TABLE ${stage.sql} ENGINE=InnoDB AS SELECT ${mysqlColumnList(input.columns)} FROM ${ref.sql} LIMIT 0`);
    await insert(input, stage);
    const match = key.map((k) => `t.${quoteMysqlIdent(k)} = s.${quoteMysqlIdent(k)}`).join(' AND ');
    const [result] = await conn.query(`UPDATE ${ref.sql} AS t JOIN ${stage.sql} AS s ON ${match} SET ${set.join(', ')}`);
    await conn.query(`DROP TEMPORARY TABLE ${stage.sql}`);
    return (result as { affectedRows: number }).affectedRows;
  }

  private async writeState(conn: PromiseConnection, batch: SyncBatch): Promise<void> {
    // With no state row to lock, a second sync's insert of the first row fails on the key instead of overwriting it.
    const upsert = batch.previousState === null ? '' : 'ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)';
    await conn
      .query(`INSERT INTO ${this.state.sql} (pipeline, stream, state, updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP(6)) ${upsert}`, [batch.pipeline, batch.stream, JSON.stringify(batch.state)])
      .catch((error: unknown) => {
        const errno = (error as { errno?: number }).errno;
        if (errno === 1062) checkPreviousState(batch, {}, this.name);
        // Two syncs that both locked the missing row (InnoDB takes a gap lock for it) meet
        // as a deadlock on this insert rather than a duplicate key: the other sync got there.
        if (errno === 1213 && batch.previousState === null) checkPreviousState(batch, {}, this.name);
        throw error;
      });
  }

  private async change(
    conn: PromiseConnection,
    ref: MysqlTableRef,
    batch: SyncBatch,
    insert: Loader,
    session: DataPlaneSession,
  ): Promise<SyncBatchResult> {
    const change = batch.change;
    switch (change.kind) {
      case 'append':
        return { rows: await insert(change.input, ref), deleted: 0 };
      case 'replace':
        // DELETE, unlike TRUNCATE, stays inside the transaction: readers see the old rows until COMMIT.
        await conn.query(`DELETE FROM ${ref.sql}`);
        return { rows: await insert(change.input, ref), deleted: 0 };
      case 'upsert': {
        let deleted = 0;
        if (change.deletes?.rows) {
          const keys = siblingTable(this.database, `_sluice_keys_${process.pid}`);
          const list = change.key.map(quoteMysqlIdent).join(', ');
          await conn.query(`DROP TEMPORARY TABLE IF EXISTS ${keys.sql}`);
          await conn.query(`CREATE TEMPORARY TABLE ${keys.sql} ENGINE=InnoDB AS SELECT ${list} FROM ${ref.sql} LIMIT 0`);
          await insert(change.deletes, keys);
          const match = change.key.map((k) => `t.${quoteMysqlIdent(k)} = k.${quoteMysqlIdent(k)}`).join(' AND ');
          const [result] = await conn.query(`DELETE t FROM ${ref.sql} AS t JOIN ${keys.sql} AS k ON ${match}`);
          deleted = (result as { affectedRows: number }).affectedRows;
          await conn.query(`DROP TEMPORARY TABLE ${keys.sql}`);
        }
        if (!change.input?.rows) return { rows: 0, deleted };
        // Every key new (the table holds none in the batch's range): LOAD DATA into the table itself, no staging.
        // A key there after all makes LOAD DATA warn, which fails the batch: it never doubles a row.
        const range = deleted ? undefined : await freshKeyRange(session, change.input, change.key);
        if (range) {
          const [found] = await conn.query(`SELECT 1 FROM ${ref.sql} WHERE ${quoteMysqlIdent(change.key[0]!)} BETWEEN ${range.min} AND ${range.max} LIMIT 1`);
          if (!(found as unknown[]).length) return { rows: await insert(change.input, ref), deleted };
        }
        return { rows: await insert(change.input, ref, change.key), deleted };
      }
      case 'state_only':
        return { rows: 0, deleted: 0 };
    }
  }

  async close(): Promise<void> {
    this.conn?.destroy();
    this.conn = undefined;
  }

  private async exists(ref: MysqlTableRef): Promise<boolean> {
    const [rows] = await this.run('mysql.sync_describe_failed', `looking up ${ref.label}`, (c) =>
      c.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [ref.database, ref.name]),
    );
    return (rows as unknown[]).length > 0;
  }

  private async run<T>(code: string, what: string, work: (conn: PromiseConnection) => Promise<T>): Promise<T> {
    const raw = (this.conn ??= await this.connect());
    try {
      return await work(raw.promise());
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      throw queryError(code, `${what} in '${this.name}' failed`, error);
    }
  }
}

/** Loads an input into a table, through LOAD DATA; with a key, rows whose key is there are updated. */
type Loader = (input: SyncInput, into: MysqlTableRef, key?: readonly string[]) => Promise<number>;

// The row count is checked against the input's, so a data-plane stream that ends early fails the batch.
function loader(conn: PromiseConnection, context: ConnectorContext): Loader {
  return (input, into, key) => {
    const plan = { conn, target: into, existing: undefined, input, key: key ?? [], context, scratch: [] };
    return key ? upsertInput(plan, into, key) : insertInput(plan, into);
  };
}

/** The data-plane type a MySQL column holds, for comparing it with a source column. */
function duckTypeForMysql(base: string, native: string, precision: number, scale: number): string {
  const unsigned = /unsigned/i.test(native);
  switch (base.toLowerCase()) {
    case 'tinyint':
      return native.toLowerCase().startsWith('tinyint(1)') ? 'BOOLEAN' : 'SMALLINT';
    case 'smallint':
      return unsigned ? 'INTEGER' : 'SMALLINT';
    case 'mediumint':
      return 'INTEGER';
    case 'int':
    case 'integer':
      return unsigned ? 'BIGINT' : 'INTEGER';
    case 'bigint':
      return unsigned ? 'DECIMAL(20,0)' : 'BIGINT';
    case 'decimal':
    case 'numeric':
      return `DECIMAL(${precision},${scale})`;
    case 'float':
      return 'FLOAT';
    case 'double':
    case 'real':
      return 'DOUBLE';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'datetime':
    case 'timestamp':
      return 'TIMESTAMP';
    case 'json':
      return 'JSON';
    case 'blob':
    case 'longblob':
    case 'mediumblob':
    case 'tinyblob':
    case 'binary':
    case 'varbinary':
      return 'BLOB';
    default:
      return 'VARCHAR';
  }
}
