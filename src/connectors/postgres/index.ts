import type { Connector } from '../../core/connectors/connector.ts';
import { databaseCapabilities } from '../shared/database-capabilities.ts';
import {
  postgresConnectionSchema,
  postgresReadSchema,
  postgresWriteModes,
  postgresWriteSchema,
  type PostgresConnectionSettings,
  type PostgresReadSettings,
  type PostgresWriteSettings,
} from './postgres-config.ts';
import { connectPostgres } from './postgres-connection.ts';
import { postgresChangeCapture } from './postgres-change-capture.ts';
import { postgresIdentifiers } from './postgres-identifiers.ts';
import { openPostgresSync } from './postgres-sync.ts';

/**
 * PostgreSQL: read tables and queries, run SQL blocks inside the database,
 * and load block outputs with parallel COPY in every write mode.
 */
export const postgresConnector: Connector<PostgresConnectionSettings, PostgresReadSettings, PostgresWriteSettings> = {
  kind: 'postgres',
  description: 'A PostgreSQL database: read tables and queries, run SQL inside it, load with COPY',
  capabilities: {
    ...databaseCapabilities,
    write: postgresWriteModes,
    syncDestination: 'changes',
    changeCapture: true,
    upsert: 'on_conflict',
    bulkPath: 'copy',
  },
  identifiers: postgresIdentifiers,
  syncDestination: openPostgresSync,
  changeCapture: postgresChangeCapture,
  connectionSchema: postgresConnectionSchema,
  readSchema: postgresReadSchema,
  writeSchema: postgresWriteSchema,
  connect: (settings, context) => connectPostgres(settings, context),
};

export type { PostgresConnectionSettings, PostgresReadSettings, PostgresWriteSettings } from './postgres-config.ts';
