import type { ClientConfig } from 'pg';
import type { ChangeCapture } from '../../core/connectors/change-capture.ts';
import { openPostgresCaptureSession } from './postgres-capture-session.ts';
import type { PostgresConnectionSettings } from './postgres-config.ts';
import { clientConfig } from './postgres-connection.ts';
import { compareLsn } from './postgres-lsn.ts';

/**
 * PostgreSQL logical replication (pgoutput) as the connector offers it to
 * change data capture. Sessions run in UTC so timestamps with time zone arrive
 * as `...+00` text, the same for the snapshot and the stream. CDC names its
 * tables with their schema, so the connector's search_path is not needed, and
 * the replication stream is one statement that lasts the whole sync, so a
 * statement timeout would cut it.
 */
export const postgresChangeCapture: ChangeCapture<PostgresConnectionSettings> = {
  source(settings, connection) {
    const { config: { statement_timeout: _unused, ...config }, server } = clientConfig(settings);
    const session: ClientConfig = { ...config, application_name: 'sluice-cdc', options: '-c TimeZone=UTC -c DateStyle=ISO' };
    return {
      connection,
      defaultSchema: settings.schema,
      compare: compareLsn,
      open: (names) => openPostgresCaptureSession(session, { connection, server }, names),
    };
  },
};
