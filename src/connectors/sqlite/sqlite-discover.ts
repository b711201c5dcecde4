import type { DiscoveredTable } from '../../core/connectors/connector.ts';
import type { SqliteDriver } from './sqlite-driver.ts';
import { sqliteError } from './sqlite-errors.ts';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
  hidden: number;
}

/**
 * The tables of one schema (`main` unless another attached database is
 * named), without SQLite's own tables, with declared types, nullability and
 * primary key. An INTEGER PRIMARY KEY is reported not null: it is the rowid.
 */
export function discoverSqlite(driver: SqliteDriver, schema = 'main'): DiscoveredTable[] {
  const db = driver.open();
  try {
    const tables = db
      .prepare("SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .all(schema) as { name: string }[];
    return tables.map(({ name }) => {
      const info = db.prepare('SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(?, ?)').all(name, schema) as ColumnInfo[];
      const visible = info.filter((c) => Number(c.hidden) === 0 || Number(c.hidden) > 1);
      const keyed = visible.filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk));
      const rowid = keyed.length === 1 && keyed[0]!.type.toUpperCase() === 'INTEGER' ? keyed[0]!.name : undefined;
      return {
        schema,
        name,
        columns: visible.map((c) => ({ name: c.name, type: c.type, nullable: !Number(c.notnull) && c.name !== rowid })),
        primaryKey: keyed.map((c) => c.name),
      };
    });
  } catch (error) {
    throw sqliteError('sqlite.discover_failed', `cannot list the tables of '${driver.name}' (${driver.file})`, error);
  } finally {
    db.close();
  }
}
