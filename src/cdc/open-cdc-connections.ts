import path from 'node:path';
import type { ClientConfig } from 'pg';
import type { z } from 'zod';
import { duckdbConnector } from '../connectors/duckdb/index.ts';
import { mysqlConnector } from '../connectors/mysql/index.ts';
import { postgresConnector, type PostgresConnectionSettings } from '../connectors/postgres/index.ts';
import { ConfigError } from '../core/errors.ts';
import { resolveConnectionSettings, type ConnectionSpec, type Project } from '../core/project/load-project.ts';
import { connectionSpec } from '../integration/sync-destinations.ts';
import type { CdcDestination } from './cdc-destination.ts';
import { openDuckdbDestination } from './duckdb-destination.ts';
import { openMysqlDestination } from './mysql-destination.ts';
import { pgClientConfig } from './pg-client-config.ts';
import { openPostgresDestination } from './postgres-destination.ts';

function parseSettings<T>(spec: ConnectionSpec, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(resolveConnectionSettings(spec));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError('connection.bad_settings', `connection '${spec.name}': ${issue.path.map(String).join('.') || 'settings'}: ${issue.message}`, { location: spec.declaredAt });
  }
  return parsed.data;
}

/** The source of a CDC stream: only PostgreSQL has logical replication. */
export function cdcSource(project: Project, name: string): { settings: PostgresConnectionSettings; config: ClientConfig } {
  const spec = connectionSpec(project, name);
  if (spec.type !== 'postgres') {
    throw new ConfigError('cdc.source_unsupported', `mode cdc reads PostgreSQL logical replication, and connection '${name}' is a ${spec.type} connection`, { location: spec.declaredAt });
  }
  const settings = parseSettings(spec, postgresConnector.connectionSchema);
  return { settings, config: pgClientConfig(settings).config };
}

/** Destination kinds CDC applies changes to. Adding one adds an entry. */
const openers: Readonly<Record<string, (project: Project, spec: ConnectionSpec) => Promise<CdcDestination>>> = {
  postgres: (_, spec) => openPostgresDestination(parseSettings(spec, postgresConnector.connectionSchema), spec.name),
  mysql: (_, spec) => openMysqlDestination(parseSettings(spec, mysqlConnector.connectionSchema), spec.name),
  duckdb: (project, spec) => openDuckdbDestination(path.resolve(project.root, parseSettings(spec, duckdbConnector.connectionSchema).path), spec.name),
};

export async function openCdcDestination(project: Project, name: string): Promise<CdcDestination> {
  const spec = connectionSpec(project, name);
  const open = openers[spec.type];
  if (!open) {
    throw new ConfigError('cdc.destination_unsupported', `connection '${name}' is a ${spec.type} connection, which cannot receive CDC (supported: ${Object.keys(openers).join(', ')})`, {
      location: spec.declaredAt,
    });
  }
  return open(project, spec);
}
