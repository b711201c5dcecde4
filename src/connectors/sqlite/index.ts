import type { Connector } from '../../core/connectors/connector.ts';
import { databaseCapabilities } from '../shared/database-capabilities.ts';
import {
  sqliteConnectionSchema,
  sqliteReadSchema,
  sqliteWriteSchema,
  type SqliteConnectionSettings,
  type SqliteReadSettings,
  type SqliteWriteSettings,
} from './sqlite-config.ts';
import { connectSqlite } from './sqlite-connection.ts';
import { openSqliteSync } from './sqlite-sync.ts';
import { sqliteIdentifiers } from './sqlite-identifiers.ts';

/**
 * SQLite: read tables and queries from a database file, run SQL blocks inside
 * it, and load block outputs in one transaction per write, in every mode but
 * partition. Column types follow sqlite-types.ts.
 */
export const sqliteConnector: Connector<SqliteConnectionSettings, SqliteReadSettings, SqliteWriteSettings> = {
  kind: 'sqlite',
  description: 'A SQLite database file: read tables and queries, run SQL inside it, load in one transaction',
  capabilities: {
    ...databaseCapabilities,
    syncDestination: 'batches',
    changeCapture: false,
    upsert: 'delete_insert',
    bulkPath: 'prepared_insert',
  },
  identifiers: sqliteIdentifiers,
  syncDestination: openSqliteSync,
  connectionSchema: sqliteConnectionSchema,
  readSchema: sqliteReadSchema,
  writeSchema: sqliteWriteSchema,
  connect: (settings, context) => connectSqlite(settings, context),
};

export type { SqliteConnectionSettings, SqliteReadSettings, SqliteWriteSettings } from './sqlite-config.ts';
