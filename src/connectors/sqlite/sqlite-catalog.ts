import type { Database } from 'better-sqlite3';
import { quoteIdent, tableNameParts } from '../../core/sql/quote.ts';

/** A table as the user named it: `table` or `schema.table` (`main`, `temp` or an attached database). */
export interface TableRef {
  readonly schema: string;
  readonly name: string;
  /** Quoted for SQL. */
  readonly sql: string;
  /** For messages. */
  readonly label: string;
}

export function tableRef(name: string): TableRef {
  const parts = tableNameParts(name);
  const [schema, table] = [parts.qualifier ?? 'main', parts.name];
  return { schema, name: table, sql: parts.qualifier !== undefined ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table), label: name };
}

export interface TargetColumn {
  readonly name: string;
  readonly type: string;
  /** The input may leave it out: nullable, with a default, or the rowid alias. */
  readonly optional: boolean;
  /** Computed by SQLite (generated or hidden): the input cannot set it. */
  readonly generated: boolean;
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number | bigint;
  dflt_value: unknown;
  pk: number | bigint;
  hidden: number | bigint;
}

/** The columns of an existing table, or undefined when there is no such table. */
export function describeTable(db: Database, table: TableRef): TargetColumn[] | undefined {
  const found = db.prepare('SELECT type FROM pragma_table_list(?) WHERE schema = ? COLLATE NOCASE').get(table.name, table.schema) as { type: string } | undefined;
  if (!found) return undefined;
  const info = db.prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?)').all(table.name, table.schema) as ColumnInfo[];
  const keyColumns = info.filter((c) => Number(c.pk) > 0);
  const rowidAlias = keyColumns.length === 1 && keyColumns[0]!.type.toUpperCase() === 'INTEGER' ? keyColumns[0]!.name : undefined;
  return info.map((c) => ({
    name: c.name,
    type: c.type,
    optional: !Number(c.notnull) || c.dflt_value !== null || c.name === rowidAlias,
    generated: Number(c.hidden) !== 0,
  }));
}

/** Whether ON CONFLICT (key) can work: a primary key or a full (not partial) unique index on exactly these columns. */
export function hasUniqueKey(db: Database, table: TableRef, key: readonly string[]): boolean {
  const wanted = new Set(key.map((k) => k.toLowerCase()));
  const same = (names: readonly string[]): boolean => names.length === wanted.size && names.every((n) => wanted.has(n.toLowerCase()));
  const info = db.prepare('SELECT name, type, pk FROM pragma_table_xinfo(?, ?) WHERE pk > 0').all(table.name, table.schema) as ColumnInfo[];
  // An INTEGER PRIMARY KEY is the rowid itself and has no index of its own.
  if (info.length === 1 && info[0]!.type.toUpperCase() === 'INTEGER' && same([info[0]!.name])) return true;
  const indexes = db.prepare('SELECT name, "unique", partial FROM pragma_index_list(?, ?)').all(table.name, table.schema) as { name: string; unique: number; partial: number }[];
  for (const index of indexes) {
    if (!Number(index.unique) || Number(index.partial)) continue;
    const columns = db.prepare('SELECT name FROM pragma_index_info(?, ?)').all(index.name, table.schema) as { name: string | null }[];
    if (columns.every((c) => c.name !== null) && same(columns.map((c) => c.name!))) return true;
  }
  return false;
}
