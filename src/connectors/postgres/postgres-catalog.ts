import type { ClientBase } from 'pg';
import { ConfigError } from '../../core/errors.ts';
import { quoteIdent, tableNameParts } from '../../core/sql/quote.ts';

/** A table named in settings, resolved against the connection's schema. */
export interface TableRef {
  readonly schema: string;
  readonly name: string;
  /** Quoted for SQL. */
  readonly sql: string;
  /** As a person reads it: parts quoted only when they need it. */
  readonly label: string;
}

/** PostgreSQL keeps the first 63 bytes of a longer name (NAMEDATALEN - 1) and says so only in a notice. */
const maxNameBytes = 63;

export function tableRef(table: string, defaultSchema: string): TableRef {
  const parts = tableNameParts(table);
  const [schema, name] = [parts.qualifier ?? defaultSchema, parts.name];
  for (const part of [schema, name]) {
    if (Buffer.byteLength(part) > maxNameBytes) {
      throw new ConfigError('postgres.bad_table', `'${part}' is ${Buffer.byteLength(part)} bytes long; PostgreSQL would cut it to its first ${maxNameBytes} bytes: use a shorter name`);
    }
  }
  return { schema, name, sql: `${quoteIdent(schema)}.${quoteIdent(name)}`, label: `${shown(schema)}.${shown(name)}` };
}

/** Another table in the same schema (staging tables sit beside their target so a rename can swap them). */
export function siblingRef(ref: TableRef, name: string): TableRef {
  return { schema: ref.schema, name, sql: `${quoteIdent(ref.schema)}.${quoteIdent(name)}`, label: `${shown(ref.schema)}.${shown(name)}` };
}

function shown(part: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(part) ? part : quoteIdent(part);
}

export interface TargetColumn {
  readonly name: string;
  /** format_type(), e.g. `numeric(12,2)`, `text[]`. */
  readonly type: string;
  /** The column can be left out of an insert: nullable, or with a default, identity or generated value. */
  readonly optional: boolean;
  readonly generated: boolean;
}

export interface TargetTable {
  readonly oid: number;
  readonly columns: readonly TargetColumn[];
  readonly unlogged: boolean;
}

/** The target table as it is now, or undefined when there is none. Views and the like are refused. */
export async function describeTarget(client: ClientBase, ref: TableRef): Promise<TargetTable | undefined> {
  const found = await client.query<{ oid: number; relkind: string; relpersistence: string }>(
    `SELECT c.oid::int AS oid, c.relkind, c.relpersistence
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [ref.schema, ref.name],
  );
  const table = found.rows[0];
  if (!table) return undefined;
  if (table.relkind !== 'r' && table.relkind !== 'p') {
    throw new ConfigError('postgres.not_a_table', `${ref.label} exists but is not a table (it is a ${relationKinds[table.relkind] ?? 'relation'}); an exporter writes tables only`);
  }
  const columns = await client.query<{ name: string; type: string; notnull: boolean; hasdef: boolean; identity: string; generated: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS notnull,
            atthasdef AS hasdef, attidentity AS identity, attgenerated AS generated
       FROM pg_attribute
      WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped
      ORDER BY attnum`,
    [table.oid],
  );
  return {
    oid: table.oid,
    unlogged: table.relpersistence === 'u',
    columns: columns.rows.map((c) => ({
      name: c.name,
      type: c.type,
      optional: !c.notnull || c.hasdef || c.identity !== '' || c.generated !== '',
      generated: c.generated !== '',
    })),
  };
}

const relationKinds: Record<string, string> = { v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index', c: 'composite type' };

/**
 * Why the target cannot be replaced by renaming a freshly loaded copy over
 * it: anything a `CREATE TABLE ... (LIKE ... INCLUDING ALL)` copy would lose
 * or break. An empty list means the swap is safe.
 */
export async function swapBlockers(client: ClientBase, oid: number): Promise<string[]> {
  const result = await client.query<{ reason: string }>(
    `SELECT reason FROM (
       SELECT 'objects depend on it (views, foreign keys, functions)' AS reason
        WHERE EXISTS (SELECT 1 FROM pg_depend d
                       WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = $1 AND d.deptype = 'n'
                         AND NOT (d.classid = 'pg_class'::regclass AND d.objid = $1)
                         -- the table's own check constraints and defaults refer to its columns
                         AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = $1 AND contype <> 'f'))
                         AND NOT (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = $1))
                         AND NOT (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1))
                         AND NOT (d.classid = 'pg_statistic_ext'::regclass AND d.objid IN (SELECT oid FROM pg_statistic_ext WHERE stxrelid = $1)))
       UNION ALL SELECT 'it has triggers' WHERE EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal)
       UNION ALL SELECT 'it has rules' WHERE EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = $1)
       UNION ALL SELECT 'it has row security policies' WHERE EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = $1)
       UNION ALL SELECT 'it has foreign keys' WHERE EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = $1 AND contype = 'f')
       UNION ALL SELECT 'it owns a sequence (serial or identity column)'
        WHERE EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                       WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = $1 AND d.classid = 'pg_class'::regclass)
       UNION ALL SELECT 'it is partitioned or inherits' WHERE EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = $1 OR inhparent = $1)
       UNION ALL SELECT 'it is in a publication' WHERE EXISTS (SELECT 1 FROM pg_publication_rel WHERE prrelid = $1)
       UNION ALL SELECT 'it has column privileges' WHERE EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1 AND attacl IS NOT NULL)
       UNION ALL SELECT 'its settings differ from a plain table (owner, tablespace, storage options, row security, partitioning)'
        WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = $1
                         AND (c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
                              OR c.reltablespace <> 0 OR c.reloptions IS NOT NULL
                              OR c.relrowsecurity OR c.relkind <> 'r' OR c.relispartition))
     ) blockers`,
    [oid],
  );
  return result.rows.map((r) => r.reason);
}

/** Statements that give a table the target's privileges and comment, so a swap keeps them. */
export async function carryOverStatements(client: ClientBase, oid: number, to: TableRef): Promise<string[]> {
  const grants = await client.query<{ grantee: string | null; privilege: string; grantable: boolean }>(
    `SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = $1 AND a.grantee <> c.relowner`,
    [oid],
  );
  const statements = grants.rows.map(
    (g) => `GRANT ${g.privilege} ON ${to.sql} TO ${g.grantee === null ? 'PUBLIC' : quoteIdent(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}`,
  );
  // COMMENT takes no parameters, so the server's format() quotes the text as a literal.
  const comment = await client.query<{ sql: string | null }>(
    `SELECT format('COMMENT ON TABLE %s IS %L', $2::text, d) AS sql FROM obj_description($1::oid, 'pg_class') d WHERE d IS NOT NULL`,
    [oid, to.sql],
  );
  for (const row of comment.rows) if (row.sql) statements.push(row.sql);
  return statements;
}

interface IndexShape {
  readonly name: string;
  readonly shape: string;
}

/**
 * Pairs each index of `fromOid` with its copy on `toOid` (made by LIKE
 * INCLUDING ALL, in the same order), so the copies can take the original
 * names after a swap. Undefined when the two sets do not match one to one.
 */
export async function pairIndexes(client: ClientBase, fromOid: number, toOid: number): Promise<(readonly [string, string])[] | undefined> {
  const list = async (oid: number): Promise<IndexShape[]> =>
    (
      await client.query<IndexShape>(
        `SELECT ic.relname AS name,
                concat_ws('|', i.indisprimary, i.indisunique, am.amname,
                          (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k) FROM generate_series(1, i.indnatts) k),
                          pg_get_expr(i.indpred, i.indrelid, true)) AS shape
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
          WHERE i.indrelid = $1
          ORDER BY i.indexrelid`,
        [oid],
      )
    ).rows;
  const [from, to] = [await list(fromOid), await list(toOid)];
  if (from.length !== to.length || from.some((index, k) => index.shape !== to[k]!.shape)) return undefined;
  return from.map((index, k) => [to[k]!.name, index.name] as const);
}

/** True when a unique index or primary key covers exactly the key columns (what ON CONFLICT needs). */
export async function hasUniqueIndexOn(client: ClientBase, oid: number, key: readonly string[]): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM pg_index i
      WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
        AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text COLLATE "C")
               FROM pg_attribute a
              WHERE a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]))
            = (SELECT array_agg(k ORDER BY k COLLATE "C") FROM unnest($2::text[]) k)`,
    [oid, key],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Whether rows of the table are only stored, never acted on: a plain table
 * (not partitioned) without user triggers, rules or row security policies.
 * Then an UPDATE ONLY of the keys that are there plus an INSERT of the rest
 * changes exactly what one `INSERT ... ON CONFLICT DO UPDATE` would;
 * otherwise a trigger or policy could see the two differently.
 */
export async function storesRowsOnly(client: ClientBase, oid: number): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM pg_class c
      WHERE c.oid = $1 AND c.relkind = 'r' AND NOT c.relrowsecurity AND NOT c.relhasrules
        AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal)
        AND NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = $1)`,
    [oid],
  );
  return (result.rowCount ?? 0) > 0;
}
