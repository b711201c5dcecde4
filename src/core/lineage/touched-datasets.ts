import type { SqlParser } from './sql-parser.ts';
import { sqlLineage } from './sql-lineage.ts';

/** A table a block's own code read or wrote through one of its connections. */
export interface TouchedDataset {
  /** The connection's name in connections.yaml. */
  readonly connection: string;
  /** As the SQL named it, quotes removed and case folded: `orders`, `public.orders`. */
  readonly table: string;
  readonly access: 'read' | 'write';
}

/** SQL a block's code sent to a connection. */
export interface SentStatement {
  readonly connection: string;
  readonly sql: string;
}

const part = String.raw`(?:"(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const name = String.raw`(${part}(?:\s*\.\s*${part}){0,2})`;
/** Statements that change a table, and where the table's name stands; a temporary table is the block's own scratch, not lineage. */
const writeStatement = new RegExp(
  String.raw`^(?:INSERT\s+(?:OR\s+\w+\s+|IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?|CREATE\s+(?:OR\s+REPLACE\s+)?(?:UNLOGGED\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?)\s+${name}`,
  'i',
);
/** `COPY t FROM ...` loads the table; `COPY t TO ...` reads it. */
const copyStatement = new RegExp(String.raw`^COPY\s+${name}(?:\s*\([^)]*\))?\s+(FROM|TO)\b`, 'i');
const readStatement = /^(?:SELECT|WITH|FROM|TABLE|VALUES)\b/i;

/**
 * The tables a block's statements read and wrote, each once. A write is found
 * by the statement's keywords (INSERT INTO t, UPDATE t, MERGE INTO t, CREATE
 * TABLE t ...); a query, or the SELECT that feeds an INSERT or CREATE TABLE
 * AS, is read by the engine's parser. What neither finds (a procedure call,
 * DDL) touches no table as far as lineage knows.
 */
export async function touchedDatasets(statements: Iterable<SentStatement>, parser: SqlParser): Promise<TouchedDataset[]> {
  const found = new Map<string, TouchedDataset>();
  const add = (dataset: TouchedDataset): void => void found.set(`${dataset.access} ${dataset.connection} ${dataset.table}`, dataset);
  for (const { connection, sql } of statements) {
    const text = withoutLeadingComments(sql);
    const copy = copyStatement.exec(text);
    const write = writeStatement.exec(text);
    if (copy) {
      add({ connection, table: tableName(copy[1]!), access: copy[2]!.toUpperCase() === 'FROM' ? 'write' : 'read' });
    } else if (write) {
      add({ connection, table: tableName(write[1]!), access: 'write' });
      // INSERT ... SELECT and CREATE TABLE ... AS SELECT read what their query reads.
      const feeding = /^(?:INSERT|REPLACE|CREATE)/i.test(text) ? /\b(?:SELECT|WITH)\b/i.exec(text.slice(write[0].length)) : null;
      if (feeding) for (const table of await tablesRead(text.slice(write[0].length + feeding.index), parser)) add({ connection, table, access: 'read' });
    } else if (readStatement.test(text)) {
      for (const table of await tablesRead(text, parser)) add({ connection, table, access: 'read' });
    }
  }
  return [...found.values()];
}

async function tablesRead(sql: string, parser: SqlParser): Promise<string[]> {
  const parsed = await parser.parse(sql.replace(/[\s;]+$/, '')).catch(() => undefined);
  if (!parsed?.ok) return [];
  return parsed.statements.flatMap((statement) => sqlLineage(statement).tables.filter((table) => !table.startsWith('file:')));
}

function tableName(written: string): string {
  return written
    .split(/\s*\.\s*/)
    .map((piece) => piece.replace(/^"(.*)"$/s, (_, inner: string) => inner.replace(/""/g, '"')).replace(/^[\x60[](.*)[\x60\]]$/s, '$1'))
    .join('.')
    .toLowerCase();
}

function withoutLeadingComments(sql: string): string {
  let text = sql.trimStart();
  for (;;) {
    if (text.startsWith('--')) text = text.slice(text.indexOf('\n') === -1 ? text.length : text.indexOf('\n') + 1).trimStart();
    else if (text.startsWith('/*') && text.includes('*/')) text = text.slice(text.indexOf('*/') + 2).trimStart();
    else return text;
  }
}
