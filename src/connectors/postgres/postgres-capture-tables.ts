import type { ClientBase } from 'pg';
import type { CapturedColumn, CapturedTable } from '../../core/connectors/change-capture.ts';
import { ConfigError } from '../../core/errors.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { dataPlaneType } from './postgres-capture-types.ts';

/** A captured column with what decoding its text needs. */
export interface PostgresCapturedColumn extends CapturedColumn {
  /** As PostgreSQL spells it: `numeric(38,10)`, `timestamp with time zone`. */
  readonly sourceType: string;
  readonly typeOid: number;
}

/** A streamed table as the catalog describes it. */
export interface PostgresCapturedTable extends CapturedTable {
  readonly columns: readonly PostgresCapturedColumn[];
  /** `schema.table`, each part quoted, for SQL. */
  readonly sql: string;
}

/**
 * Reads the columns and key of each table and checks it can replicate updates
 * and deletes: a row is only identifiable downstream by a primary key or a
 * replica identity index, so a table without either is refused here, before
 * a slot exists.
 */
export async function describeCapturedTables(
  client: ClientBase,
  tables: readonly { readonly schema: string; readonly name: string }[],
  connection: string,
): Promise<PostgresCapturedTable[]> {
  const described: PostgresCapturedTable[] = [];
  for (const table of tables) {
    const label = `${table.schema}.${table.name}`;
    const rel = await client.query<{ oid: number; replident: string }>(
      `SELECT c.oid::int AS oid, c.relreplident AS replident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [table.schema, table.name],
    );
    const found = rel.rows[0];
    if (!found) throw new ConfigError('cdc.table_missing', `table ${label} does not exist in connection '${connection}'`);
    const columns = await client.query<{ name: string; type: string; oid: number }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int AS oid
         FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
      [found.oid],
    );
    const key = await identityColumns(client, found.oid, found.replident);
    if (key.length === 0) {
      throw new ConfigError(
        'cdc.no_replica_identity',
        `table ${label} in connection '${connection}' has no primary key, so its updates and deletes cannot be replicated: ` +
          `add a primary key, or a unique index on NOT NULL columns and run ALTER TABLE ${quoteIdent(table.schema)}.${quoteIdent(table.name)} REPLICA IDENTITY USING INDEX <index>`,
      );
    }
    described.push({
      schema: table.schema,
      name: table.name,
      columns: columns.rows.map((c) => ({ name: c.name, type: dataPlaneType(c.type), sourceType: c.type, typeOid: c.oid })),
      key,
      sql: `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`,
      label,
    });
  }
  return described;
}

/** The key columns pgoutput sends for updates and deletes, in index order. */
async function identityColumns(client: ClientBase, oid: number, replident: string): Promise<string[]> {
  // REPLICA IDENTITY NOTHING sends no key at all; FULL without a primary key leaves no key to upsert by.
  const which = replident === 'i' ? 'i.indisreplident' : 'i.indisprimary';
  if (replident === 'n') return [];
  const result = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND ${which} ORDER BY k.ord`,
    [oid],
  );
  return result.rows.map((r) => r.name);
}
