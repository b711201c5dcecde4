import { ConfigError } from '../errors.ts';
import type { ConnectionSpec, Project } from './load-project.ts';

/** The connection every project has: its embedded DuckDB warehouse file. */
export const warehouseConnectionName = 'warehouse';

/**
 * The spec of a named connection: from connections.yaml, or, for `warehouse`,
 * the project's embedded DuckDB file unless connections.yaml redefines it.
 */
export function connectionSpec(project: Project, name: string): ConnectionSpec {
  const spec = project.connections.get(name);
  if (spec) return spec;
  if (name === warehouseConnectionName) return { name, connector: 'duckdb', settings: { path: project.settings.warehouse }, declaredAt: { file: 'sluice.yaml' } };
  const known = [warehouseConnectionName, ...project.connections.keys()];
  throw new ConfigError('connection.unknown', `no connection named '${name}' (connections: ${known.join(', ')})`, { location: { file: 'connections.yaml' } });
}

/**
 * The name a SQL block gives to run in the data plane itself, as with no
 * connection at all. It lets a templated connection (`connection: ${target}`)
 * choose between a database and the data plane per run. Reserved: a
 * connection in connections.yaml cannot take it.
 */
export const dataPlaneConnectionName = 'data_plane';

/** Names Sluice gives its own connections: a connection of the same name would silently replace one. */
export const reservedConnectionNames: readonly string[] = [warehouseConnectionName, dataPlaneConnectionName];
