import type { ChangeCapture } from '../../core/connectors/change-capture.ts';
import type { PostgresConnectionSettings } from './postgres-config.ts';
import { clientConfig } from './postgres-connection.ts';

/**
 * PostgreSQL logical replication (pgoutput) as the connector offers it to
 * change data capture. Sessions run in UTC so timestamps with time zone arrive
 * as `...+00` text, the same for the snapshot and the stream. CDC names its
 * tables with their schema, so the connector's search_path is not needed, and
 * the replication stream is one statement that lasts the whole sync, so a
 * statement timeout would cut it.
 */
export const postgresChangeCapture: ChangeCapture<PostgresConnectionSettings> = {
  protocol: 'pgoutput',
  sessionSettings(settings) {
    const { statement_timeout: _unused, ...config } = clientConfig(settings).config;
    return { ...config, application_name: 'sluice-cdc', options: '-c TimeZone=UTC -c DateStyle=ISO' };
  },
  defaultSchema: (settings) => settings.schema,
};
