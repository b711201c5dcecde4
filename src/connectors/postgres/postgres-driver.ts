import type { Client, ClientBase, PoolClient } from 'pg';
import type { CopyStreamQuery, CopyToStreamQuery } from 'pg-copy-streams';
import type { LockWait } from '../shared/watch-lock-waits.ts';

/** What the read and write paths need from an open connection. */
export interface PostgresDriver {
  /** The connection's name in connections.yaml, for messages. */
  readonly name: string;
  /** Where it points, for messages: never the password. */
  readonly server: string;
  /** The schema of unqualified table names. */
  readonly schema: string;
  /** A pooled session for catalog queries, transactions and reads. */
  session(): Promise<PoolClient>;
  /** A dedicated session, closed by the caller: COPY sessions must not starve the pool. */
  dedicated(): Promise<Client>;
  /** Cancels whatever `client` runs when `signal` aborts, until the returned function is called. */
  cancelOnAbort(client: ClientBase, signal: AbortSignal): () => void;
  /** The locks sessions `pids` wait for, with the sessions that hold them. */
  lockWaits(pids: readonly number[]): Promise<LockWait[]>;
  copyFrom(sql: string): CopyStreamQuery;
  copyTo(sql: string): CopyToStreamQuery;
}
