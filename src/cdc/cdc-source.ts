import type { ChangeSource } from '../core/connectors/change-capture.ts';
import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { connectorFor, parseConnectionSettings } from '../core/connectors/parse-connection-settings.ts';
import { ConfigError } from '../core/errors.ts';
import { connectionSpec } from '../core/project/connection-spec.ts';
import type { Project } from '../core/project/load-project.ts';

/** The source of a CDC stream: a connection whose connector declares change capture. */
export function cdcSource(project: Project, connectors: ConnectorRegistry, name: string): ChangeSource {
  const spec = connectionSpec(project, name);
  const connector = connectorFor(spec, connectors);
  const capture = connector.capabilities.changeCapture ? connector.changeCapture : undefined;
  if (!capture) {
    const able = [...connectors.values()].filter((c) => c.capabilities.changeCapture).map((c) => c.kind);
    throw new ConfigError('cdc.source_unsupported', `mode cdc reads a source's change log, and connection '${name}' is a ${connector.kind} connection, which offers none (sources: ${able.join(', ')})`, {
      location: spec.declaredAt,
    });
  }
  return capture.source(parseConnectionSettings(spec, connector.connectionSchema), name);
}
