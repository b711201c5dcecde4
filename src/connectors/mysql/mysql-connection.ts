import type { ConnectionOptions, PoolConnection } from 'mysql2';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { mask, registerSecret } from '../../core/project/secrets.ts';
import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import type { MysqlConnectionSettings, MysqlReadSettings, MysqlWriteSettings } from './mysql-config.ts';
import type { MysqlDriver } from './mysql-driver.ts';
import { discoverMysql } from './mysql-discover.ts';
import { mysqlLockWaits } from './mysql-lock-waits.ts';
import { handleLostConnection } from './mysql-lost-connection.ts';
import { connectError, queryError } from './mysql-errors.ts';
import { mysqlTableRef } from './mysql-names.ts';
import { readMysql } from './mysql-read.ts';
import { writeMysql } from './mysql-write.ts';

/**
 * Opens a MySQL / MariaDB connection and checks it answers. The driver loads
 * here, so a project that never uses MySQL never loads it.
 */
export async function connectMysql(
  settings: MysqlConnectionSettings,
  context: { readonly name: string },
): Promise<ConnectorConnection<MysqlReadSettings, MysqlWriteSettings>> {
  const { default: mysql } = await import('mysql2');
  const { options, server, database, sessionSql } = clientOptions(settings);
  const pool = mysql.createPool({ ...options, connectionLimit: 8, maxIdle: 2, idleTimeout: 10_000 });
  pool.on('connection', (conn) => {
    handleLostConnection(conn);
    // Queued before any statement of the session's first user, so they run first.
    for (const sql of sessionSql) conn.query(sql, () => undefined);
  });

  const driver: MysqlDriver = {
    name: context.name,
    server,
    database,
    pool,
    session: () =>
      new Promise<PoolConnection>((resolve, reject) =>
        pool.getConnection((error, conn) => (error ? reject(connectError(error, context.name, server)) : resolve(conn))),
      ),
    dedicated: async () => {
      // Affected rows count changed rows, not matched ones: a merge tells the rows it replaced from the new ones by them.
      const conn = mysql.createConnection({ ...options, flags: ['-FOUND_ROWS'] });
      handleLostConnection(conn);
      try {
        await conn.promise().connect();
        for (const sql of sessionSql) await conn.promise().query(sql);
        return conn;
      } catch (error) {
        conn.destroy();
        throw connectError(error, context.name, server);
      }
    },
    lockWaits: (threadId) => mysqlLockWaits(pool, threadId),
    killQuery(threadId) {
      if (typeof threadId === 'number') pool.query('KILL QUERY ?', [threadId], () => undefined);
    },
  };

  try {
    (await driver.session()).release();
  } catch (error) {
    await pool.promise().end().catch(() => undefined);
    throw error;
  }

  let closed = false;
  return {
    read: ({ settings: read, location }, ctx) => {
      if (read.table !== undefined) {
        const table = mysqlTableRef(read.table, database);
        return readMysql(driver, { sql: `SELECT * FROM ${table.sql}`, label: table.label, table: true }, location, ctx);
      }
      return readMysql(driver, { sql: read.query!, label: 'the query' }, location, ctx);
    },
    runSql: (sql, location, ctx) => readMysql(driver, { sql, label: 'the SQL block' }, location, ctx),
    write: (request, ctx) => writeMysql(driver, request, ctx),
    discover: (request) => discoverMysql(driver, request.schema ?? database),
    /** Parameters bind as `?` (MySQL's placeholder), in order. */
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      try {
        const [rows] = await pool.promise().query(sql, params as unknown[]);
        return Array.isArray(rows) ? (rows as Row[]) : [];
      } catch (error) {
        throw queryError('mysql.query_failed', `query on '${context.name}' failed`, error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.promise().end();
    },
  };
}

/** The driver's options and a description of the server for messages (never the password). */
export function clientOptions(settings: MysqlConnectionSettings): { options: ConnectionOptions; server: string; database: string | undefined; sessionSql: readonly string[] } {
  let { host, port, user, password, database } = settings;
  if (settings.url !== undefined) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      throw connectError(new Error('the url is not a valid URL (mysql://user:password@host:port/database)'), '(url)', mask(settings.url));
    }
    host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
    port = url.port ? Number(url.port) : 3306;
    user = decodeURIComponent(url.username) || undefined;
    if (url.password) password ??= decodeURIComponent(url.password);
    database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  }
  if (password) registerSecret(password);
  const options: ConnectionOptions = {
    host,
    port,
    user,
    password,
    database,
    charset: 'utf8mb4',
    connectTimeout: Math.round(settings.connect_timeout * 1000),
    // Exact values stay text; the read path types them from the field metadata.
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    jsonStrings: true,
    // Geometry arrives as its WKB bytes rather than a parsed object.
    typeCast: (field, next) => (field.type === 'GEOMETRY' ? field.buffer() : next()),
    ...(settings.ssl ? { ssl: {} } : {}),
  };
  const server = `user ${user ?? '(default user)'} at ${host}:${port}, database ${database ?? '(none)'}`;
  return { options, server: mask(server), database, sessionSql: sessionSettings(settings) };
}

/**
 * Statements every session runs first. TIMESTAMP columns convert through the
 * session's time zone: read and write them as UTC. `lock_timeout` bounds
 * both row-lock waits (InnoDB) and table metadata-lock waits; the server
 * counts whole seconds. `statement_timeout` is MariaDB's `max_statement_time`
 * (MySQL has no equivalent for writes).
 */
function sessionSettings(settings: MysqlConnectionSettings): string[] {
  const sql = ["SET time_zone = '+00:00'"];
  if (settings.lock_timeout > 0) {
    const seconds = Math.max(1, Math.ceil(settings.lock_timeout));
    sql.push(`SET SESSION innodb_lock_wait_timeout = ${seconds}, lock_wait_timeout = ${seconds}`);
  }
  if (settings.statement_timeout > 0) sql.push(`SET SESSION max_statement_time = ${Number(settings.statement_timeout)}`);
  return sql;
}
