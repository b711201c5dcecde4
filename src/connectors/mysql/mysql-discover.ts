import type { DiscoveredTable } from '../../core/connectors/connector.ts';
import { ConfigError } from '../../core/errors.ts';
import type { MysqlDriver } from './mysql-driver.ts';
import { queryError } from './mysql-errors.ts';

interface ColumnRow {
  table: string;
  name: string;
  type: string;
  nullable: string;
  pk: number | null;
}

/**
 * The base tables of one database with their columns (COLUMN_TYPE, e.g.
 * `decimal(12,2)`, `bigint(20) unsigned`), nullability and primary key.
 */
export async function discoverMysql(driver: MysqlDriver, database: string | undefined): Promise<DiscoveredTable[]> {
  if (database === undefined) {
    throw new ConfigError('mysql.no_database', `discovering tables in '${driver.name}' needs a database: set database on the connection or name one`);
  }
  try {
    const [rows] = await driver.pool.promise().query(
      `SELECT c.TABLE_NAME AS \`table\`, c.COLUMN_NAME AS name, c.COLUMN_TYPE AS type, c.IS_NULLABLE AS nullable, k.SEQ_IN_INDEX AS pk
         FROM information_schema.COLUMNS c
         JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
         LEFT JOIN information_schema.STATISTICS k
           ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME AND k.INDEX_NAME = 'PRIMARY'
        WHERE c.TABLE_SCHEMA = ?
        ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
      [database],
    );
    const tables = new Map<string, { columns: DiscoveredTable['columns'][number][]; pk: [number, string][] }>();
    for (const row of rows as ColumnRow[]) {
      let table = tables.get(row.table);
      if (!table) tables.set(row.table, (table = { columns: [], pk: [] }));
      table.columns.push({ name: row.name, type: String(row.type), nullable: row.nullable === 'YES' });
      if (row.pk !== null) table.pk.push([Number(row.pk), row.name]);
    }
    return [...tables.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, t]) => ({ schema: database, name, columns: t.columns, primaryKey: t.pk.sort((a, b) => a[0] - b[0]).map(([, c]) => c) }));
  } catch (error) {
    throw queryError('mysql.discover_failed', `cannot list the tables of database ${database} in '${driver.name}'`, error);
  }
}
