import { ConfigError } from '../../core/errors.ts';
import { splitQualified, tableNameParts } from '../../core/sql/quote.ts';
import type { IdentifierRules } from '../../core/connectors/identifier-rules.ts';

/** Quotes a MySQL identifier with backticks, doubling any backtick inside. */
export function quoteMysqlIdent(name: string): string {
  if (name.includes('\0')) throw new ConfigError('mysql.bad_identifier', 'an identifier cannot contain a NUL character');
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A table named in settings, resolved against the connection's database. */
export interface MysqlTableRef {
  readonly database: string;
  readonly name: string;
  /** Quoted for SQL. */
  readonly sql: string;
  /** As a person reads it. */
  readonly label: string;
}

/**
 * `table` or `database.table`; a part holding a dot is written in double
 * quotes (`'"odd.name"'`), as for every connector.
 */
export function mysqlTableRef(table: string, defaultDatabase: string | undefined): MysqlTableRef {
  const parts = tableNameParts(table, 'database');
  const database = parts.qualifier ?? defaultDatabase;
  if (database === undefined) {
    throw new ConfigError('mysql.no_database', `'${table}' names no database and the connection has none: write database.table or set database on the connection`);
  }
  return siblingTable(database, parts.name);
}

/** A table in a given database (staging tables sit beside their target so a rename can swap them). */
export function siblingTable(database: string, name: string): MysqlTableRef {
  return { database, name, sql: `${quoteMysqlIdent(database)}.${quoteMysqlIdent(name)}`, label: `${shown(database)}.${shown(name)}` };
}

function shown(part: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(part) ? part : quoteMysqlIdent(part);
}

/**
 * MySQL's naming: backticks, names up to 64 characters, column names compared
 * without regard to case, and backslashes as escapes inside string literals
 * (the default SQL mode), so a literal doubles them as well as its quotes.
 */
export const mysqlIdentifiers: IdentifierRules = {
  unquotedCase: 'preserve',
  caseSensitive: false,
  maxLength: 64,
  quote: quoteMysqlIdent,
  table: (name) => splitQualified(name).map(quoteMysqlIdent).join('.'),
  literal: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`,
};

/** Column names quoted and comma-separated, for a column list. */
export function mysqlColumnList(columns: readonly { readonly name: string }[]): string {
  return columns.map((c) => quoteMysqlIdent(c.name)).join(', ');
}
