import { createConnectorRegistry } from '../core/connectors/connector.ts';
import { duckdbConnector } from './duckdb/index.ts';
import { fileConnector } from './files/index.ts';
import { mysqlConnector } from './mysql/index.ts';
import { postgresConnector } from './postgres/index.ts';
import { restConnector } from './rest/index.ts';
import { sqliteConnector } from './sqlite/index.ts';

/**
 * Every connector Sluice ships, one line each. Adding a database is one folder
 * under src/connectors/ plus one line here: the engine, integration, CDC, the
 * server and the CLI find what it can do in its declared capabilities.
 */
export const connectors = createConnectorRegistry([
  fileConnector,
  duckdbConnector,
  postgresConnector,
  mysqlConnector,
  sqliteConnector,
  restConnector,
]);
