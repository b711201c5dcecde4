import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { resolveConnectionSettings, type ConnectionSpec } from '../project/load-project.ts';
import type { AnyConnector, ConnectorRegistry } from './connector.ts';

/** The connector a connection's `type` names; a configuration error naming the known ones otherwise. */
export function connectorFor(spec: ConnectionSpec, connectors: ConnectorRegistry): AnyConnector {
  const connector = connectors.get(spec.connector);
  if (connector) return connector;
  throw new ConfigError('connection.unknown_connector', `connection '${spec.name}' has connector '${spec.connector}', which is not one Sluice knows (known: ${[...connectors.keys()].join(', ')})`, {
    location: spec.declaredAt,
  });
}

/**
 * A connection's settings, with `${ENV}` values filled in, parsed by the
 * connector's schema; the first problem becomes a configuration error naming
 * the connection, the setting and where it was declared.
 */
export function parseConnectionSettings<T>(spec: ConnectionSpec, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(resolveConnectionSettings(spec));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError('connection.bad_settings', `connection '${spec.name}': ${issue.path.map(String).join('.') || 'settings'}: ${issue.message}`, { location: spec.declaredAt });
}
