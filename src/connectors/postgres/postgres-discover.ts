import type { DiscoveredTable } from '../../core/connectors/connector.ts';
import type { PostgresDriver } from './postgres-driver.ts';
import { queryError } from './postgres-errors.ts';

/**
 * The tables of one schema (ordinary and partitioned, not views) with their
 * columns, types as `format_type` writes them, nullability and primary key.
 */
export async function discoverPostgres(driver: PostgresDriver, schema: string): Promise<DiscoveredTable[]> {
  const client = await driver.session();
  try {
    const result = await client.query<{ name: string; columns: { name: string; type: string; nullable: boolean }[]; pk: string[] | null }>(
      `SELECT c.relname AS name,
              (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', NOT a.attnotnull) ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
              (SELECT array_agg(a.attname::text ORDER BY k.ord)
                 FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname COLLATE "C"`,
      [schema],
    );
    return result.rows.map((t) => ({ schema, name: t.name, columns: t.columns ?? [], primaryKey: t.pk ?? [] }));
  } catch (error) {
    throw queryError('postgres.discover_failed', `cannot list the tables of schema ${schema} in '${driver.name}'`, error);
  } finally {
    client.release();
  }
}
