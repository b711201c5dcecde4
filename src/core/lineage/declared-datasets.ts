import type { ConnectorCapabilities } from '../connectors/connector.ts';
import { apiDataset, fileDataset, tableDataset, type DatasetNode } from './lineage-graph.ts';

/**
 * The dataset a loader or exporter names in its settings: `table` is a table
 * of its connection, `path` a file when the connector needs no connection
 * (files) and an address under the connection otherwise (an API). A `query`
 * is read by the SQL analysis instead.
 */
export function settingsDataset(
  settings: Readonly<Record<string, unknown>>,
  connection: string,
  capabilities: Pick<ConnectorCapabilities, 'needsConnection'>,
): DatasetNode | undefined {
  if (typeof settings.table === 'string' && settings.table) return tableDataset(connection, unquoted(settings.table));
  if (typeof settings.path === 'string') return capabilities.needsConnection ? apiDataset(connection, settings.path) : fileDataset(settings.path);
  return undefined;
}

/**
 * A dataset a block declares with `reads:` or `writes:`: `CONNECTION.TABLE`
 * (the table may carry its schema), or a file path (it has a `/` or an
 * extension and names no known connection).
 */
export function declaredDataset(written: string, connections: ReadonlySet<string>): DatasetNode | { readonly problem: string } {
  const dot = written.indexOf('.');
  const connection = dot > 0 ? written.slice(0, dot) : '';
  if (connections.has(connection)) {
    const table = written.slice(dot + 1);
    return table ? tableDataset(connection, unquoted(table)) : { problem: `'${written}' names a connection but no table` };
  }
  if (written.includes('/') || /\.[A-Za-z0-9]+$/.test(written)) return fileDataset(written);
  return { problem: `'${written}' is neither CONNECTION.TABLE (connections: ${[...connections].join(', ')}) nor a file path` };
}

/** `"Sales"."Orders"` and `sales.orders` name the same table once case is folded, as the lineage compares them. */
function unquoted(table: string): string {
  return table.replace(/"/g, '');
}
