import type { ConnectorCapabilities } from '../../core/connectors/connector.ts';

/**
 * What every SQL database connector (PostgreSQL, MySQL, SQLite) does alike:
 * reads tables and queries, runs SQL blocks inside, writes transactionally in
 * every mode but partition, and serves as a sync source. Each connector adds
 * what differs: its sync destination, change capture, upsert and bulk path.
 */
export const databaseCapabilities = {
  read: true,
  write: ['replace', 'append', 'upsert', 'merge'],
  sql: true,
  needsConnection: true,
  transactions: true,
  syncSource: 'query',
} as const satisfies Partial<ConnectorCapabilities>;
