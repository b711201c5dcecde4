import { ConfigError } from '../core/errors.ts';
import { quoteIdent, quoteLiteral, splitQualified } from '../core/sql/quote.ts';

/** How to write SQL for a source database: quoting, and the batch query built from it. */
export interface SourceDialect {
  quoteIdent(name: string): string;
  /** `schema.table` as the pipeline file writes it, quoted. */
  table(name: string): string;
  /** A string literal (values reach SQL as literals only because a read takes no parameters). */
  literal(value: string): string;
}

const standard: SourceDialect = {
  quoteIdent,
  table: (name) => splitQualified(name).map(quoteIdent).join('.'),
  literal: quoteLiteral,
};

const backtick = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
const mysql: SourceDialect = {
  quoteIdent: backtick,
  table: (name) => splitQualified(name).map(backtick).join('.'),
  // Backslashes are escapes in MySQL's default mode: double them as well as quotes.
  literal: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`,
};

/** Connector kinds an integration pipeline can read from. Adding one adds an entry. */
export const sourceDialects: Readonly<Record<string, SourceDialect>> = { postgres: standard, sqlite: standard, mysql };

export function sourceDialect(kind: string, connection: string): SourceDialect {
  const dialect = sourceDialects[kind];
  if (!dialect) {
    throw new ConfigError('integration.source_unsupported', `connection '${connection}' is a ${kind} connection, which cannot be an integration source (supported: ${Object.keys(sourceDialects).join(', ')})`);
  }
  return dialect;
}

/** The stored cursor as a literal the source compares with its column: numbers bare, everything else quoted. */
export function cursorLiteral(dialect: SourceDialect, value: string, kind: 'number' | 'text'): string {
  if (kind === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw new ConfigError('integration.bad_cursor_state', `the stored cursor '${value}' is not a number; reset the stream's state`);
    return value;
  }
  return dialect.literal(value);
}

/**
 * The next batch: rows past the cursor, up to the `size`-th cursor value and
 * every row that shares it, so a batch never splits rows of equal cursor and
 * `cursor > last` never skips one. A batch can exceed `size` only by such ties.
 */
export function batchQuery(dialect: SourceDialect, from: string, cursor: string, after: string | undefined, size: number): string {
  const c = dialect.quoteIdent(cursor);
  const past = after === undefined ? `${c} IS NOT NULL` : `${c} > ${after}`;
  const upTo = `(SELECT max(${c}) FROM (SELECT ${c} FROM ${from} WHERE ${past} ORDER BY ${c} LIMIT ${size}) AS _sluice_next)`;
  return `SELECT * FROM ${from} WHERE ${past} AND ${c} <= ${upTo}`;
}

/** The stream's rows as a FROM item. */
export function sourceFrom(dialect: SourceDialect, stream: { table?: string | undefined; query?: string | undefined }): string {
  return stream.table !== undefined ? dialect.table(stream.table) : `(${stream.query}) AS _sluice_source`;
}
