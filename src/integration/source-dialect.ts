import type { AnyConnector } from '../core/connectors/connector.ts';
import type { IdentifierRules } from '../core/connectors/identifier-rules.ts';
import { ConfigError } from '../core/errors.ts';

/** How to write SQL for a source: its connector's identifier rules (quoting, literals). */
export type SourceDialect = Pick<IdentifierRules, 'quote' | 'table' | 'literal'>;

/** The dialect a sync's batch queries are written in, for a connector that runs them inside the source. */
export function sourceDialect(connector: AnyConnector, connection: string): SourceDialect {
  if (connector.capabilities.syncSource === 'query' && connector.identifiers) return connector.identifiers;
  throw new ConfigError('integration.source_unsupported', `connection '${connection}' is a ${connector.kind} connection, which cannot be an integration source`);
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
  const c = dialect.quote(cursor);
  const past = after === undefined ? `${c} IS NOT NULL` : `${c} > ${after}`;
  const upTo = `(SELECT max(${c}) FROM (SELECT ${c} FROM ${from} WHERE ${past} ORDER BY ${c} LIMIT ${size}) AS _sluice_next)`;
  return `SELECT * FROM ${from} WHERE ${past} AND ${c} <= ${upTo}`;
}

/** The stream's rows as a FROM item. */
export function sourceFrom(dialect: SourceDialect, stream: { table?: string | undefined; query?: string | undefined }): string {
  return stream.table !== undefined ? dialect.table(stream.table) : `(${stream.query}) AS _sluice_source`;
}
