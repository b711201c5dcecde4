import type { ClientConfig } from 'pg';
import type { PostgresConnectionSettings } from '../connectors/postgres/index.ts';
import { clientConfig } from '../connectors/postgres/postgres-connection.ts';

/**
 * Driver settings for a PostgreSQL connection's CDC sessions: the connector's
 * own, run in UTC so timestamps with time zone arrive as `...+00` text, the
 * same for the snapshot and the stream. CDC names its tables with their schema,
 * so the connector's search_path is not needed here, and `statement_timeout`
 * does not apply.
 */
export function pgClientConfig(settings: PostgresConnectionSettings): { config: ClientConfig; server: string } {
  // The replication stream is one statement that lasts the whole sync: a statement timeout would cut it.
  const { config: { statement_timeout: _unused, ...config }, server } = clientConfig(settings);
  return { config: { ...config, application_name: 'sluice-cdc', options: '-c TimeZone=UTC -c DateStyle=ISO' }, server };
}
