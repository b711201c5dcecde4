import { openDuckdbSync } from '../connectors/duckdb/duckdb-sync.ts';
import { openMysqlSync } from '../connectors/mysql/mysql-sync.ts';
import { openPostgresSync } from '../connectors/postgres/postgres-sync.ts';
import { openSqliteSync } from '../connectors/sqlite/sqlite-sync.ts';
import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError, SluiceError } from '../core/errors.ts';
import { resolveConnectionSettings, type ConnectionSpec, type Project } from '../core/project/load-project.ts';
import { mask } from '../core/project/secrets.ts';
import { warehouseConnectionName } from '../core/run/connection-pool.ts';
import type { OpenSyncDestination, SyncDestination } from './sync-destination.ts';

/** Connector kinds that can be a sync destination. Adding one adds an entry. */
export const syncDestinations: Readonly<Record<string, OpenSyncDestination>> = {
  postgres: openPostgresSync,
  mysql: openMysqlSync,
  duckdb: openDuckdbSync,
  sqlite: openSqliteSync,
};

/** The connection's spec; `warehouse` is the project's embedded DuckDB file unless connections.yaml redefines it. */
export function connectionSpec(project: Project, name: string): ConnectionSpec {
  const spec = project.connections.get(name);
  if (spec) return spec;
  if (name === warehouseConnectionName) return { name, type: 'duckdb', settings: { path: project.settings.warehouse }, declaredAt: { file: 'sluice.yaml' } };
  const known = [warehouseConnectionName, ...project.connections.keys()];
  throw new ConfigError('connection.unknown', `no connection named '${name}' (connections: ${known.join(', ')})`, { location: { file: 'connections.yaml' } });
}

/** Opens the named connection as a sync destination. */
export async function openSyncDestination(project: Project, name: string, session: DataPlaneSession): Promise<SyncDestination> {
  const spec = connectionSpec(project, name);
  const open = syncDestinations[spec.type];
  if (!open) {
    throw new ConfigError('integration.destination_unsupported', `connection '${name}' is a ${spec.type} connection, which cannot be a sync destination (supported: ${Object.keys(syncDestinations).join(', ')})`, {
      location: spec.declaredAt,
    });
  }
  try {
    return await open(resolveConnectionSettings(spec), { name, projectRoot: project.root, warehousePath: project.warehousePath, session });
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new ConnectorError('connection.failed', mask(`connection '${name}' (${spec.type}): ${(error as Error).message}`), { cause: error, retryable: true });
  }
}
