import type { Connector } from '../../core/connectors/connector.ts';
import { databaseCapabilities } from '../shared/database-capabilities.ts';
import {
  mysqlConnectionSchema,
  mysqlReadSchema,
  mysqlWriteSchema,
  type MysqlConnectionSettings,
  type MysqlReadSettings,
  type MysqlWriteSettings,
} from './mysql-config.ts';
import { connectMysql } from './mysql-connection.ts';
import { mysqlIdentifiers } from './mysql-names.ts';
import { openMysqlSync } from './mysql-sync.ts';

/**
 * MySQL and MariaDB: read tables and queries, run SQL blocks inside the
 * database, and load block outputs transactionally in every write mode.
 */
export const mysqlConnector: Connector<MysqlConnectionSettings, MysqlReadSettings, MysqlWriteSettings> = {
  kind: 'mysql',
  description: 'A MySQL or MariaDB database: read tables and queries, run SQL inside it, load with batched INSERTs',
  capabilities: {
    ...databaseCapabilities,
    syncDestination: 'changes',
    changeCapture: false,
    upsert: 'on_duplicate_key',
    bulkPath: 'load_data',
  },
  identifiers: mysqlIdentifiers,
  syncDestination: openMysqlSync,
  connectionSchema: mysqlConnectionSchema,
  readSchema: mysqlReadSchema,
  writeSchema: mysqlWriteSchema,
  connect: (settings, context) => connectMysql(settings, context),
};

export type { MysqlConnectionSettings, MysqlReadSettings, MysqlWriteSettings } from './mysql-config.ts';
