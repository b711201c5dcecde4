import type { ClientConfig, Pool } from 'pg';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { mask, registerSecret } from '../../core/project/secrets.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import type { PostgresConnectionSettings, PostgresReadSettings, PostgresWriteSettings } from './postgres-config.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { discoverPostgres } from './postgres-discover.ts';
import { connectError, queryError } from './postgres-errors.ts';
import { postgresLockWaits } from './postgres-lock-waits.ts';
import { readPostgres } from './postgres-read.ts';
import { tableRef } from './postgres-catalog.ts';
import { writePostgres } from './postgres-write.ts';

/**
 * Opens a PostgreSQL connection and checks it answers. The driver loads here,
 * so a project that never uses PostgreSQL never loads it.
 */
export async function connectPostgres(
  settings: PostgresConnectionSettings,
  context: { readonly name: string },
): Promise<ConnectorConnection<PostgresReadSettings, PostgresWriteSettings>> {
  const { driver, pool } = await openPostgresDriver(settings, context.name, 8);

  let closed = false;
  return {
    read: ({ settings: read, location }, ctx) => {
      if (read.table !== undefined) {
        const table = tableRef(read.table, settings.schema);
        return readPostgres(driver, { sql: `SELECT * FROM ${table.sql}`, label: table.label, table }, location, ctx);
      }
      return readPostgres(driver, { sql: read.query!, label: 'the query', userSql: true }, location, ctx);
    },
    runSql: (sql, location, ctx) => readPostgres(driver, { sql, label: 'the SQL block', userSql: true }, location, ctx),
    write: (request, ctx) => writePostgres(driver, request, ctx),
    discover: (request) => discoverPostgres(driver, request.schema ?? settings.schema),
    async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      try {
        const result = await pool.query(sql, params as unknown[]);
        return result.rows as Row[];
      } catch (error) {
        throw queryError('postgres.query_failed', `query on '${context.name}' failed`, error, { sql });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * A pool of sessions to one server behind the driver interface the read,
 * write and sync code share; it has answered once before it is returned.
 */
export async function openPostgresDriver(
  settings: PostgresConnectionSettings,
  name: string,
  sessions: number,
): Promise<{ driver: PostgresDriver; pool: Pool }> {
  const pg = await import('pg');
  const copyStreams = await import('pg-copy-streams');
  const { config, server } = clientConfig(settings);
  const pool = new pg.Pool({ ...config, max: sessions, idleTimeoutMillis: 10_000 });
  // An idle session dropped by the server is replaced on next use; it is not this run's failure.
  pool.on('error', () => undefined);
  // The pool listens only to idle sessions: a lent one whose connection is cut (a terminated
  // backend, a failover) would emit an unhandled 'error' and end the process. The statement
  // that needs the session reports the cut instead, as a retryable error.
  pool.on('connect', (client) => client.on('error', () => undefined));

  const driver: PostgresDriver = {
    name,
    server,
    schema: settings.schema,
    async session() {
      try {
        return await pool.connect();
      } catch (error) {
        throw connectError(error, name, server);
      }
    },
    async dedicated() {
      const client = new pg.Client(config);
      client.on('error', () => undefined); // the failing query reports it
      try {
        await client.connect();
        return client;
      } catch (error) {
        await client.end().catch(() => undefined);
        throw connectError(error, name, server);
      }
    },
    cancelOnAbort(client, signal) {
      const pid = (client as { processID?: number }).processID;
      const cancel = (): void => {
        // Statements other than COPY only stop when the server is asked; a failed request leaves the run's own abort to finish the job.
        pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
      };
      if (pid === undefined) return () => undefined;
      signal.addEventListener('abort', cancel, { once: true });
      return () => signal.removeEventListener('abort', cancel);
    },
    lockWaits: (pids) => postgresLockWaits(pool, pids),
    copyFrom: (sql) => copyStreams.from(sql),
    copyTo: (sql) => copyStreams.to(sql),
  };

  try {
    (await driver.session()).release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { driver, pool };
}

/** The driver's settings and a description of the server for messages. */
export function clientConfig(settings: PostgresConnectionSettings): { config: ClientConfig; server: string } {
  const config: ClientConfig = {
    application_name: 'sluice',
    connectionTimeoutMillis: Math.round(settings.connect_timeout * 1000),
    // Sent as session settings when the connection opens: every session of the pool and every COPY session.
    ...(settings.lock_timeout > 0 ? { lock_timeout: Math.round(settings.lock_timeout * 1000) } : {}),
    ...(settings.statement_timeout > 0 ? { statement_timeout: Math.round(settings.statement_timeout * 1000) } : {}),
  };
  if (settings.ssl !== undefined) config.ssl = settings.ssl;
  if (settings.schema !== 'public') {
    // Unqualified names in SQL blocks and queries then resolve in the connection's schema first.
    const searchPath = `${quoteIdent(settings.schema)},public`;
    config.options = `-c search_path=${searchPath.replace(/[\\ ]/g, (c) => `\\${c}`)}`;
  }
  if (settings.password) registerSecret(settings.password);

  if (settings.url !== undefined) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      return { config: { ...config, connectionString: settings.url }, server: mask(settings.url) };
    }
    if (url.password) registerSecret(decodeURIComponent(url.password));
    if (settings.password) url.password = encodeURIComponent(settings.password);
    const user = decodeURIComponent(url.username) || '(default user)';
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    const server = `user ${user} at ${url.hostname || 'localhost'}:${url.port || 5432}, database ${database}`;
    return { config: { ...config, connectionString: url.toString() }, server: mask(server) };
  }
  Object.assign(config, { host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database });
  const server = `user ${settings.user ?? '(default user)'} at ${settings.host}:${settings.port}, database ${settings.database ?? '(default database)'}`;
  return { config, server: mask(server) };
}
