import type { Connection, ConnectionOptions, Pool, PoolConnection } from 'mysql2';

/** What the read and write paths need from an open connection. */
export interface MysqlDriver {
  /** The connection's name in connections.yaml, for messages. */
  readonly name: string;
  /** Where it points, for messages: never the password. */
  readonly server: string;
  /** The database of unqualified table names, when the connection names one. */
  readonly database: string | undefined;
  readonly pool: Pool;
  /** A pooled session for catalog queries, small queries and reads. */
  session(): Promise<PoolConnection>;
  /** A session of its own, closed by the caller: writes change session settings. */
  dedicated(): Promise<Connection>;
  /** Asks the server to stop what session `threadId` runs; failures are ignored (the caller also drops the socket). */
  killQuery(threadId: number | null | undefined): void;
}

export type { ConnectionOptions };
