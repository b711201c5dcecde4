import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { ConnectorError } from '../../core/errors.ts';
import { tableRef } from './sqlite-catalog.ts';
import type { SqliteConnectionSettings, SqliteReadSettings, SqliteWriteSettings } from './sqlite-config.ts';
import { discoverSqlite } from './sqlite-discover.ts';
import { createSqliteDriver } from './sqlite-driver.ts';
import { sqliteError } from './sqlite-errors.ts';
import { positionalParams } from './sqlite-params.ts';
import { readSqlite } from './sqlite-read.ts';
import { writeSqlite } from './sqlite-write.ts';

/**
 * Opens a SQLite database file and checks it can be read. The driver loads
 * here, so a project that never uses SQLite never loads it.
 */
export async function connectSqlite(
  settings: SqliteConnectionSettings,
  context: { readonly name: string; readonly projectRoot: string },
): Promise<ConnectorConnection<SqliteReadSettings, SqliteWriteSettings>> {
  const { default: Sqlite } = await import('better-sqlite3');
  const driver = createSqliteDriver(Sqlite, settings, context);
  // One handle for small queries from TypeScript blocks; reads and writes open their own.
  const db = driver.open();
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    db.close();
    throw sqliteError('sqlite.connect_failed', `cannot read SQLite connection '${context.name}' (${settings.path})`, error);
  }

  return {
    read: ({ settings: read, location }, ctx) => {
      if (read.table !== undefined) {
        const table = tableRef(read.table);
        return readSqlite(driver, { sql: `SELECT * FROM ${table.sql}`, label: table.label, table }, location, ctx);
      }
      return readSqlite(driver, { sql: read.query!, label: 'the query' }, location, ctx);
    },
    runSql: (sql, location, ctx) => readSqlite(driver, { sql, label: 'the SQL block' }, location, ctx),
    write: (request, ctx) => writeSqlite(driver, request, ctx),
    discover: async (request) => discoverSqlite(driver, request.schema),
    /**
     * Runs one statement; parameters bind as `$1`, `$2`, ... (or SQLite's own
     * `?`). Integers come back as numbers when a number holds them exactly,
     * as BigInt otherwise. A statement without rows returns [].
     */
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      if (!db.open) throw new ConnectorError('sqlite.closed', `connection '${context.name}' is closed`);
      try {
        const bound = positionalParams(sql, params);
        const statement = db.prepare(bound.sql);
        const values = bound.values.map(bindable);
        if (!statement.reader) {
          statement.run(...values);
          return [];
        }
        return (statement.safeIntegers(true).all(...values) as Row[]).map(narrowIntegers);
      } catch (error) {
        throw sqliteError('sqlite.query_failed', `query on '${context.name}' failed`, error);
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

/** The driver binds numbers, BigInts, text, Buffers and null; booleans and dates get their usual SQLite forms. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function narrowIntegers(row: Row): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) row[key] = Number(value);
  }
  return row;
}
