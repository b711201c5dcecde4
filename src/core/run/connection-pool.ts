import type { ConnectorRegistry } from '../connectors/connector.ts';
import { connectorFor, parseConnectionSettings } from '../connectors/parse-connection-settings.ts';
import { ConnectorError, SluiceError } from '../errors.ts';
import { connectionSpec } from '../project/connection-spec.ts';
import type { Project } from '../project/load-project.ts';
import { mask } from '../project/secrets.ts';
import type { ConnectionPool } from './block-runner.ts';

/**
 * Opens each named connection once, on first use, and closes them all at the
 * end of the run. Unknown names and bad settings are configuration errors.
 */
export function createConnectionPool(project: Project, connectors: ConnectorRegistry): ConnectionPool {
  const open = new Map<string, ReturnType<ConnectionPool['get']>>();
  return {
    get(name) {
      let pending = open.get(name);
      if (!pending) {
        pending = (async () => {
          const spec = connectionSpec(project, name);
          const connector = connectorFor(spec, connectors);
          const settings = parseConnectionSettings(spec, connector.connectionSchema);
          try {
            const connection = await connector.connect(settings, { name, projectRoot: project.root, warehousePath: project.warehousePath });
            return { connector, connection };
          } catch (error) {
            if (error instanceof SluiceError) throw error;
            throw new ConnectorError('connection.failed', mask(`connection '${name}' (${spec.connector}): ${(error as Error).message}`), { cause: error, retryable: true });
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
