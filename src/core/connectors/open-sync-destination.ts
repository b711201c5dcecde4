import type { DataPlaneSession } from '../data-plane/data-plane.ts';
import { ConfigError, ConnectorError, SluiceError } from '../errors.ts';
import { connectionSpec } from '../project/connection-spec.ts';
import { resolveConnectionSettings, type Project } from '../project/load-project.ts';
import { mask } from '../project/secrets.ts';
import type { ConnectorRegistry } from './connector.ts';
import { connectorFor } from './parse-connection-settings.ts';
import type { SyncDestination } from './sync-destination.ts';

/**
 * Opens the named connection as a sync destination, when its connector
 * declares it can be one; `changes` asks for one that also takes change sets
 * (what CDC writes).
 */
export async function openSyncDestination(
  project: Project,
  connectors: ConnectorRegistry,
  name: string,
  session: DataPlaneSession,
  needs: 'batches' | 'changes' = 'batches',
): Promise<SyncDestination> {
  const spec = connectionSpec(project, name);
  const connector = connectorFor(spec, connectors);
  const can = connector.capabilities.syncDestination;
  if (!connector.syncDestination || can === 'none' || (needs === 'changes' && can !== 'changes')) {
    const able = [...connectors.values()].filter((c) => c.syncDestination && (needs === 'batches' ? c.capabilities.syncDestination !== 'none' : c.capabilities.syncDestination === 'changes'));
    const what = needs === 'changes' ? 'a CDC destination' : 'a sync destination';
    throw new ConfigError(needs === 'changes' ? 'cdc.destination_unsupported' : 'integration.destination_unsupported', `connection '${name}' is a ${spec.connector} connection, which cannot be ${what} (supported: ${able.map((c) => c.kind).join(', ')})`, {
      location: spec.declaredAt,
    });
  }
  try {
    return await connector.syncDestination(resolveConnectionSettings(spec), { name, projectRoot: project.root, warehousePath: project.warehousePath, session });
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new ConnectorError('connection.failed', mask(`connection '${name}' (${spec.connector}): ${(error as Error).message}`), { cause: error, retryable: true });
  }
}
