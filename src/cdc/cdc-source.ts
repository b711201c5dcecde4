import type { ClientConfig } from 'pg';
import type { z } from 'zod';
import { postgresConnector, type PostgresConnectionSettings } from '../connectors/postgres/index.ts';
import { ConfigError } from '../core/errors.ts';
import { resolveConnectionSettings, type ConnectionSpec, type Project } from '../core/project/load-project.ts';
import { connectionSpec } from '../integration/sync-destinations.ts';
import { pgClientConfig } from './pg-client-config.ts';

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
