import { randomBytes } from 'node:crypto';
import type { Connection as PromiseConnection, ResultSetHeader } from 'mysql2/promise';
import type { Column } from '../../core/data-plane/data-plane.ts';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import { coversExactly, rowSideEffects, uniqueIndexes, type TargetTable } from './mysql-catalog.ts';
import { mysqlColumnList, quoteMysqlIdent, siblingTable, type MysqlTableRef } from './mysql-names.ts';
import { inTransaction } from './mysql-transaction.ts';

/** What a merge needs of the write: the write's session, its existing target, the input's columns and the key. */
export interface MergePlan {
  readonly conn: PromiseConnection;
  readonly target: MysqlTableRef;
  readonly existing: TargetTable;
  readonly input: { readonly columns: readonly Column[] };
  readonly key: readonly string[];
  readonly context: ConnectorContext;
}

/**
 * Merges the input into the target in one transaction: the target's rows
 * whose key is in the input are deleted, then the input is inserted. The
 * input goes to a session-private copy first (through `load`), so keys
 * repeated across batches are all deleted before any insert.
 *
 * When changing a row in place ends exactly as deleting and inserting it
 * would (see whyNotInPlace), this is one INSERT ... SELECT ... ON DUPLICATE
 * KEY UPDATE of every column: one pass over the copy instead of two, and no
 * row deleted only to be written again. Returns the rows written and, when
 * the server said, how many of them replaced a row.
 */
export async function mergeInput(plan: MergePlan, load: (into: MysqlTableRef) => Promise<number>): Promise<{ rows: number; replaced: number | undefined }> {
  const { conn, target, input, key, context } = plan;
  const why = await whyNotInPlace(plan);
  if (why) context.logger.debug(`merging into ${target.label} with DELETE, then INSERT: ${why}`);
  const held = siblingTable(target.database, `_sluice_merge_${randomBytes(5).toString('hex')}`);
  const list = mysqlColumnList(input.columns);
  // In place, a key the input repeats must still fail as the target's unique key fails the second insert: the copy holds the same unique key.
  const unique = why ? '' : `(UNIQUE KEY (${key.map(quoteMysqlIdent).join(', ')})) `;
  await conn.query(`CREATE TEMPORARY TABLE ${held.sql} ${unique}ENGINE=InnoDB AS SELECT ${list} FROM ${target.sql} LIMIT 0`);
  const merged = await inTransaction(conn, async () => {
    const rows = await load(held);
    if (!why) {
      // The key columns too: a key equal under the column's collation but spelled otherwise ('A' for 'a') lands as the input has it.
      const sets = input.columns.map((c) => `${quoteMysqlIdent(c.name)} = VALUES(${quoteMysqlIdent(c.name)})`);
      const [result] = await conn.query<ResultSetHeader>(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${held.sql} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`);
      return { rows, replaced: replacedRows(rows, result) };
    }
    const match = key.map((k) => `t.${quoteMysqlIdent(k)} = s.${quoteMysqlIdent(k)}`).join(' AND ');
    const [deleted] = await conn.query<ResultSetHeader>(`DELETE t FROM ${target.sql} AS t JOIN ${held.sql} AS s ON ${match}`);
    await conn.query(`INSERT INTO ${target.sql} (${list}) SELECT ${list} FROM ${held.sql}`);
    return { rows, replaced: deleted.affectedRows };
  });
  await conn.query(`DROP TEMPORARY TABLE ${held.sql}`);
  return merged;
}

/**
 * Why an INSERT ... ON DUPLICATE KEY UPDATE would not end as the delete and
 * insert of a merge, or undefined when it would. It does when the target's
 * only unique index is on exactly the key (so a row meets the row of its own
 * key and no other), the input has every column the table does not compute
 * (a new row would take defaults where an updated one keeps its values), and
 * nothing else watches the rows: a trigger or a foreign key sees an update
 * where a merge deletes and inserts.
 */
async function whyNotInPlace({ conn, target, existing, input, key }: MergePlan): Promise<string | undefined> {
  const given = new Set(input.columns.map((c) => c.name.toLowerCase()));
  const absent = existing.columns.filter((c) => !c.generated && !given.has(c.name.toLowerCase())).map((c) => c.name);
  if (absent.length) return `the input lacks ${absent.join(', ')}`;
  const unique = await uniqueIndexes(conn, target);
  if (unique.length !== 1 || unique[0]!.prefix || !coversExactly(unique[0]!, key)) return `its only unique index is not one on exactly (${key.join(', ')})`;
  const effects = await rowSideEffects(conn, target);
  if (effects.length) return `it has ${effects.join(' and ')}`;
  return undefined;
}

/**
 * Rows of the input that met a row of the target. The write's session does
 * not ask for found rows, so the server counts 1 affected row per inserted
 * row, 2 per changed row and 0 per row set to the values it had; the second
 * figure of its info text ("Duplicates") counts the changed rows. So
 * inserted = affected - 2 x changed, and every other input row met a row.
 */
function replacedRows(loaded: number, result: ResultSetHeader): number | undefined {
  const figures = result.info?.match(/\d+/g);
  if (!figures || figures.length < 2) return undefined;
  return loaded - (result.affectedRows - 2 * Number(figures[1]));
}
