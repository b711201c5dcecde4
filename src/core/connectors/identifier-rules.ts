import { quoteIdent, quoteLiteral, splitQualified } from '../sql/quote.ts';

/**
 * How a database names things: what the engine needs to put a name into SQL
 * safely, to write a literal, and to compare a name the user wrote with the
 * name the database keeps.
 */
export interface IdentifierRules {
  /** What an unquoted name becomes: PostgreSQL folds it to lower case; the others keep it. */
  readonly unquotedCase: 'lower' | 'upper' | 'preserve';
  /** Whether two names that differ only in case are different columns. */
  readonly caseSensitive: boolean;
  /** The longest name the database keeps, in bytes (PostgreSQL cuts longer ones silently); undefined: no limit. */
  readonly maxLength: number | undefined;
  /** A name as a quoted identifier. */
  quote(name: string): string;
  /** `schema.table` as the pipeline file writes it, each part quoted. */
  table(name: string): string;
  /** A string literal. */
  literal(value: string): string;
}

/** Standard SQL quoting: double quotes for names, single quotes for strings (PostgreSQL, SQLite, DuckDB). */
export function standardIdentifiers(rules: Pick<IdentifierRules, 'unquotedCase' | 'caseSensitive' | 'maxLength'>): IdentifierRules {
  return { ...rules, quote: quoteIdent, table: (name) => splitQualified(name).map(quoteIdent).join('.'), literal: quoteLiteral };
}

/** The data plane's own rules (DuckDB): what a sync over landed files batches with. */
export const dataPlaneIdentifiers: IdentifierRules = standardIdentifiers({ unquotedCase: 'preserve', caseSensitive: false, maxLength: undefined });

/** Whether a name fits the rules' length limit (counted in UTF-8 bytes, as databases count). */
export function fitsLength(rules: IdentifierRules, name: string): boolean {
  return rules.maxLength === undefined || Buffer.byteLength(name, 'utf8') <= rules.maxLength;
}

/** The same column for the database: equal, or equal but for case where case does not matter. */
export function sameIdentifier(rules: IdentifierRules, a: string, b: string): boolean {
  return rules.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
}
