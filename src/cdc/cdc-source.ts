import type { ClientConfig } from 'pg';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { connectorFor, parseConnectionSettings } from '../core/connectors/parse-connection-settings.ts';
import { ConfigError } from '../core/errors.ts';
import { connectionSpec } from '../core/project/connection-spec.ts';
import type { Project } from '../core/project/load-project.ts';

/**
 * The source of a CDC stream: a connection whose connector offers change
 * capture in the protocol this engine decodes (PostgreSQL logical replication).
 */
export function cdcSource(project: Project, connectors: ConnectorRegistry, name: string): { config: ClientConfig; defaultSchema: string } {
  const spec = connectionSpec(project, name);
  const connector = connectorFor(spec, connectors);
  const capture = connector.capabilities.changeCapture ? connector.changeCapture : undefined;
  if (capture?.protocol !== 'pgoutput') {
    const able = [...connectors.values()].filter((c) => c.capabilities.changeCapture).map((c) => c.kind);
    throw new ConfigError('cdc.source_unsupported', `mode cdc reads logical replication, and connection '${name}' is a ${spec.type} connection, which offers none (sources: ${able.join(', ')})`, {
      location: spec.declaredAt,
    });
  }
  const settings = parseConnectionSettings(spec, connector.connectionSchema);
  return { config: capture.sessionSettings(settings) as ClientConfig, defaultSchema: capture.defaultSchema(settings) };
}
