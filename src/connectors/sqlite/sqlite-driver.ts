import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { ConnectorError } from '../../core/errors.ts';
import type { SqliteConnectionSettings } from './sqlite-config.ts';
import { isBusy, sqliteError } from './sqlite-errors.ts';

type DatabaseClass = typeof import('better-sqlite3');

/** What the read and write paths need from a configured connection. */
export interface SqliteDriver {
  /** The connection's name in connections.yaml, for messages. */
  readonly name: string;
  /** The database file, for messages. */
  readonly file: string;
  readonly readonly: boolean;
  /**
   * A handle of its own for one read or write, closed by the caller. The
   * driver is synchronous and a handle serves one statement at a time, so
   * blocks running side by side must not share one.
   */
  open(): Database;
  /**
   * Runs `statement` (BEGIN IMMEDIATE, COMMIT) and, while another connection
   * holds the lock, tries again until the busy timeout has passed. The wait
   * happens here, between tries, so this process keeps working meanwhile
   * (the driver's own wait would block it, and with it the writer it waits for).
   */
  exclusive(db: Database, statement: string, signal: AbortSignal): Promise<void>;
}

/** The driver's own (blocking) wait: short, for the brief locks a reader meets while a writer commits. */
const blockingWaitMs = 200;

export function createSqliteDriver(Sqlite: DatabaseClass, settings: SqliteConnectionSettings, context: { readonly name: string; readonly projectRoot: string }): SqliteDriver {
  const file = path.resolve(context.projectRoot, settings.path);
  const busyMs = Math.round(settings.busy_timeout * 1000);
  return {
    name: context.name,
    file: settings.path,
    readonly: settings.readonly,
    open() {
      try {
        if (!settings.readonly) mkdirSync(path.dirname(file), { recursive: true });
        return new Sqlite(file, { readonly: settings.readonly, fileMustExist: settings.readonly, timeout: Math.min(busyMs, blockingWaitMs) });
      } catch (error) {
        throw sqliteError('sqlite.connect_failed', `cannot open SQLite connection '${context.name}' (${settings.path})`, error);
      }
    },
    async exclusive(db, statement, signal) {
      const deadline = Date.now() + busyMs;
      for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
        try {
          db.exec(statement);
          return;
        } catch (error) {
          if (!isBusy(error) || Date.now() >= deadline) throw error;
        }
        if (signal.aborted) throw new ConnectorError('sqlite.cancelled', `waiting for the lock on '${context.name}' was cancelled`);
        await sleep(delay);
      }
    },
  };
}
