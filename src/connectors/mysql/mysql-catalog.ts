import type { Connection } from 'mysql2/promise';
import { ConfigError } from '../../core/errors.ts';
import type { MysqlTableRef } from './mysql-names.ts';

export interface TargetColumn {
  readonly name: string;
  /** The column can be left out of an insert: nullable, or with a default, auto-increment or generated value. */
  readonly optional: boolean;
  readonly generated: boolean;
  /** For DECIMAL columns: the digits kept after the point. */
  readonly scale?: number | undefined;
}

export interface TargetTable {
  readonly engine: string;
  readonly columns: readonly TargetColumn[];
}

/** The target table as it is now, or undefined when there is none. Views are refused. */
export async function describeTarget(conn: Connection, ref: MysqlTableRef): Promise<TargetTable | undefined> {
  const [tables] = await conn.query(
    'SELECT TABLE_TYPE AS kind, ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [ref.database, ref.name],
  );
  const table = (tables as { kind: string; engine: string | null }[])[0];
  if (!table) return undefined;
  if (table.kind !== 'BASE TABLE') {
    throw new ConfigError('mysql.not_a_table', `${ref.label} exists but is not a table (it is a ${table.kind.toLowerCase()}); an exporter writes tables only`);
  }
  const [columns] = await conn.query(
    `SELECT COLUMN_NAME AS name, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, EXTRA AS extra, DATA_TYPE AS type, NUMERIC_SCALE AS scale
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [ref.database, ref.name],
  );
  return {
    engine: table.engine ?? '',
    columns: (columns as { name: string; nullable: string; def: string | null; extra: string; type: string; scale: number | string | null }[]).map((c) => {
      const generated = /GENERATED/i.test(c.extra) && !/DEFAULT_GENERATED/i.test(c.extra);
      const scale = /^decimal$/i.test(c.type) && c.scale !== null ? Number(c.scale) : undefined;
      return { name: c.name, generated, scale, optional: c.nullable === 'YES' || c.def !== null || /auto_increment/i.test(c.extra) || generated };
    }),
  };
}

/** True when a primary key or unique index covers exactly the key columns (names compared ignoring case, as MySQL does). */
export async function hasUniqueKeyOn(conn: Connection, ref: MysqlTableRef, key: readonly string[]): Promise<boolean> {
  return (await uniqueIndexes(conn, ref)).some((index) => coversExactly(index, key));
}

/** A primary key or unique index: its columns, lower-cased, and whether it indexes only a prefix of any of them. */
export interface UniqueIndex {
  readonly columns: ReadonlySet<string>;
  readonly prefix: boolean;
}

export async function uniqueIndexes(conn: Connection, ref: MysqlTableRef): Promise<UniqueIndex[]> {
  const [rows] = await conn.query(
    'SELECT INDEX_NAME AS idx, COLUMN_NAME AS col, SUB_PART AS part FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0',
    [ref.database, ref.name],
  );
  const indexes = new Map<string, { columns: Set<string>; prefix: boolean }>();
  for (const { idx, col, part } of rows as { idx: string; col: string; part: number | null }[]) {
    const index = indexes.get(idx) ?? { columns: new Set<string>(), prefix: false };
    index.columns.add(col.toLowerCase());
    index.prefix ||= part !== null;
    indexes.set(idx, index);
  }
  return [...indexes.values()];
}

export function coversExactly(index: UniqueIndex, key: readonly string[]): boolean {
  const wanted = new Set(key.map((k) => k.toLowerCase()));
  return index.columns.size === wanted.size && [...wanted].every((k) => index.columns.has(k));
}

/** What else a change to the table's rows sets off: its triggers, and foreign keys from or to it. */
export async function rowSideEffects(conn: Connection, ref: MysqlTableRef): Promise<string[]> {
  const [rows] = await conn.query(
    `SELECT 'triggers' AS what FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?
     UNION SELECT 'foreign keys' FROM information_schema.REFERENTIAL_CONSTRAINTS
      WHERE (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?) OR (UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?)`,
    [ref.database, ref.name, ref.database, ref.name, ref.database, ref.name],
  );
  return (rows as { what: string }[]).map((r) => r.what);
}
