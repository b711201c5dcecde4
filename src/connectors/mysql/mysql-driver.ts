import type { Connection, ConnectionOptions, Pool, PoolConnection } from 'mysql2';
import type { LockWait } from '../shared/watch-lock-waits.ts';

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
  /** A session of its own, closed by the caller: writes change session settings. Its affected rows are changed rows, not found ones. */
  dedicated(): Promise<Connection>;
  /** Asks the server to stop what session `threadId` runs; failures are ignored (the caller also drops the socket). */
  killQuery(threadId: number | null | undefined): void;
  /** The lock session `threadId` waits for, with the sessions that (may) hold it. */
  lockWaits(threadId: number): Promise<LockWait[]>;
}

export type { ConnectionOptions };
