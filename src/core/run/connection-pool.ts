import type { ConnectorRegistry } from '../connectors/connector.ts';
import { ConfigError, ConnectorError, SluiceError } from '../errors.ts';
import { resolveConnectionSettings, type ConnectionSpec, type Project } from '../project/load-project.ts';
import { mask } from '../project/secrets.ts';
import type { ConnectionPool } from './block-runner.ts';

/** The connection every project has: its embedded DuckDB warehouse file. */
export const warehouseConnectionName = 'warehouse';

/**
 * Opens each named connection once, on first use, and closes them all at the
 * end of the run. Unknown names and bad settings are configuration errors.
 */
export function createConnectionPool(project: Project, connectors: ConnectorRegistry): ConnectionPool {
  const open = new Map<string, ReturnType<ConnectionPool['get']>>();
  const specFor = (name: string): ConnectionSpec => {
    const spec = project.connections.get(name);
    if (spec) return spec;
    if (name === warehouseConnectionName) return { name, type: 'duckdb', settings: { path: project.settings.warehouse }, declaredAt: { file: 'sluice.yaml' } };
    const known = [warehouseConnectionName, ...project.connections.keys()];
    throw new ConfigError('connection.unknown', `no connection named '${name}' (connections: ${known.join(', ')})`, { location: { file: 'connections.yaml' } });
  };
  return {
    get(name) {
      let pending = open.get(name);
      if (!pending) {
        pending = (async () => {
          const spec = specFor(name);
          const connector = connectors.get(spec.type);
          if (!connector) {
            throw new ConfigError('connection.unknown_type', `connection '${name}' has type '${spec.type}', which is not a connector (known: ${[...connectors.keys()].join(', ')})`, { location: spec.declaredAt });
          }
          const parsed = connector.connectionSchema.safeParse(resolveConnectionSettings(spec));
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw new ConfigError('connection.bad_settings', `connection '${name}': ${issue.path.map(String).join('.') || 'settings'}: ${issue.message}`, { location: spec.declaredAt });
          }
          try {
            const connection = await connector.connect(parsed.data, { name, projectRoot: project.root, warehousePath: project.warehousePath });
            return { connector, connection, type: spec.type };
          } catch (error) {
            if (error instanceof SluiceError) throw error;
            throw new ConnectorError('connection.failed', mask(`connection '${name}' (${spec.type}): ${(error as Error).message}`), { cause: error, retryable: true });
          }
        })();
        open.set(name, pending);
        pending.catch(() => open.delete(name));
      }
      return pending;
    },
    async closeAll() {
      const all = [...open.values()];
      open.clear();
      for (const pending of all) {
        try {
          await (await pending).connection.close();
        } catch {
          // A connection that failed to open or close has nothing left to release.
        }
      }
    },
  };
}
