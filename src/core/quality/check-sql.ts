import type { Column } from '../data-plane/data-plane.ts';
import { checkedTypeName } from '../data-plane/checked-type-name.ts';
import { SluiceError } from '../errors.ts';
import { quoteIdent } from '../sql/quote.ts';
import type { CheckSpec } from './check-spec.ts';

/** Collects bound values as `$1`, `$2`, ...: a value from a pipeline file never becomes SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Where a relationships check finds its allowed values: a stored output or a project file. */
export interface RelationshipSource {
  readonly location: string;
  readonly format: 'parquet' | 'csv' | 'json';
}

export interface CompileContext {
  readonly block: string;
  /** The pipeline file, for errors that point at the check. */
  readonly file: string;
  readonly columns: readonly Column[];
  readonly params: SqlParams;
  /** The values a relationships check compares against, resolved before compiling. */
  readonly relationshipSource: (check: Extract<CheckSpec, { kind: 'relationships' }>) => RelationshipSource;
}

const readers: Record<RelationshipSource['format'], string> = { parquet: 'read_parquet', csv: 'read_csv', json: 'read_json' };

/**
 * The predicate that is true for a row the check fails, over the output read
 * as `t`. Identifiers are the output's own columns (checked, then quoted);
 * values are parameters cast to the column's type.
 */
export function failingRowPredicate(check: CheckSpec, context: CompileContext): string {
  const column = (name: string): string => quoteIdent(knownColumn(check, name, context).name);
  const typed = (value: unknown, name: string): string => {
    const type = checkedTypeName(knownColumn(check, name, context).type, name);
    return `CAST(${context.params.add(String(value))} AS ${type})`;
  };
  switch (check.kind) {
    case 'not_null':
      return check.columns.map((c) => `t.${column(c)} IS NULL`).join(' OR ');
    case 'unique': {
      const keys = check.columns.map((c) => `t.${column(c)}`);
      // Rows with a null key are not judged: null is "unknown", not a duplicate.
      return `(${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')}) AND count(*) OVER (PARTITION BY ${keys.join(', ')}) > 1`;
    }
    case 'accepted_values':
      return `t.${column(check.column)} NOT IN (${check.values.map((v) => typed(v, check.column)).join(', ')})`;
    case 'range': {
      const c = `t.${column(check.column)}`;
      const sides = [
        ...(check.min !== undefined ? [`${c} < ${typed(check.min, check.column)}`] : []),
        ...(check.max !== undefined ? [`${c} > ${typed(check.max, check.column)}`] : []),
      ];
      return sides.join(' OR ');
    }
    case 'regex':
      return `NOT regexp_matches(CAST(t.${column(check.column)} AS VARCHAR), ${context.params.add(check.pattern)})`;
    case 'relationships': {
      const source = context.relationshipSource(check);
      const reader = `${readers[source.format]}(${context.params.add(source.location)})`;
      return `t.${column(check.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${reader} AS r WHERE r.${quoteIdent(check.field)} = t.${column(check.column)})`;
    }
    case 'row_count':
    case 'freshness':
    case 'sql':
      throw new Error(`a ${check.kind} check has no row predicate`);
  }
}

/** The newest value of a freshness check's column, as epoch milliseconds and as text, over the kept rows. */
export function newestValueSql(check: Extract<CheckSpec, { kind: 'freshness' }>, context: CompileContext, keep: string): { epochMs: string; text: string } {
  const found = knownColumn(check, check.column, context);
  const newest = `max(${quoteIdent(found.name)}) FILTER (WHERE ${keep})`;
  // A zoned time is an instant already; a plain date or time is read as UTC.
  const instant = found.type.startsWith('TIMESTAMP WITH TIME ZONE') ? newest : `CAST(${newest} AS TIMESTAMP)`;
  return { epochMs: `epoch_ms(${instant})`, text: `CAST(${newest} AS VARCHAR)` };
}

function knownColumn(check: CheckSpec, name: string, context: CompileContext): Column {
  const found = context.columns.find((c) => c.name === name);
  if (found) return found;
  throw new SluiceError(
    'check.unknown_column',
    `check '${check.name}' of block '${context.block}' names column '${name}', which the output does not have (it has ${context.columns.map((c) => c.name).join(', ')})`,
    { kind: 'config', location: { file: context.file, ...(check.line ? { line: check.line } : {}), block: context.block } },
  );
}
