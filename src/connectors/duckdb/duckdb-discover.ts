import type { DiscoveredTable } from '../../core/connectors/connector.ts';
import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';

/** The base tables of one schema of an attached database file, with column types, nullability and primary key. */
export async function discoverDuckDb(session: DataPlaneSession, alias: string, schema: string): Promise<DiscoveredTable[]> {
  const columns = await session.query(
    `SELECT table_name AS t, column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable
       FROM information_schema.columns c
      WHERE table_catalog = $1 AND table_schema = $2
        AND EXISTS (SELECT 1 FROM information_schema.tables x
                     WHERE x.table_catalog = c.table_catalog AND x.table_schema = c.table_schema
                       AND x.table_name = c.table_name AND x.table_type = 'BASE TABLE')
      ORDER BY table_name, ordinal_position`,
    [alias, schema],
  );
  const keys = await session.query(
    `SELECT table_name AS t, constraint_column_names AS cols FROM duckdb_constraints()
      WHERE database_name = $1 AND schema_name = $2 AND constraint_type = 'PRIMARY KEY'`,
    [alias, schema],
  );
  const primary = new Map(keys.map((k) => [String(k.t), (k.cols as unknown[]).map(String)]));
  const tables = new Map<string, DiscoveredTable['columns'][number][]>();
  for (const c of columns) {
    const name = String(c.t);
    if (!tables.has(name)) tables.set(name, []);
    tables.get(name)!.push({ name: String(c.name), type: String(c.type), nullable: c.nullable === true });
  }
  return [...tables.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, cols]) => ({ schema, name, columns: cols, primaryKey: primary.get(name) ?? [] }));
}
