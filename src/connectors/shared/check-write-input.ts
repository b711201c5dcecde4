import type { IdentifierRules } from '../../core/connectors/identifier-rules.ts';
import { fitsLength, sameIdentifier } from '../../core/connectors/identifier-rules.ts';
import type { WriteMode } from '../../core/connectors/connector.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { ConfigError, ConnectorError } from '../../core/errors.ts';

/** A column of an existing target table, as a write sees it. */
export interface TargetColumnShape {
  readonly name: string;
  /** Nullable or with a default: the input may leave it out. */
  readonly optional: boolean;
  /** Computed by the table itself: the input must leave it out. */
  readonly generated?: boolean | undefined;
}

/** What is checked before anything is written, named for messages. */
export interface WriteInputCheck {
  /** The connector's kind, which prefixes the error codes (`postgres.key_required`). */
  readonly kind: string;
  /** The target as messages show it. */
  readonly label: string;
  readonly mode: WriteMode;
  readonly key: readonly string[];
  readonly input: readonly Column[];
}

const names = (columns: readonly { name: string }[]): string => columns.map((c) => c.name).join(', ') || '(none)';

/**
 * Refuses a write whose settings or input cannot work, before a connection is
 * used: upsert and merge without a key, a key the input lacks, and a column
 * name longer than the database keeps (PostgreSQL would cut it short without
 * a word, and two long names could become one). Names compare by `rules`.
 */
export function checkWriteInput(rules: IdentifierRules, check: WriteInputCheck): void {
  const { kind, label, mode, key, input } = check;
  if ((mode === 'upsert' || mode === 'merge') && key.length === 0) {
    throw new ConfigError(`${kind}.key_required`, `${mode} into ${label} needs a key: the column(s) that identify a row`);
  }
  const absent = key.filter((k) => !input.some((c) => sameIdentifier(rules, c.name, k)));
  if (absent.length) {
    throw new ConfigError(`${kind}.key_not_in_input`, `the key of ${label} names column(s) the input lacks: ${absent.join(', ')} (input columns: ${names(input)})`);
  }
  const long = input.filter((c) => !fitsLength(rules, c.name)).map((c) => c.name);
  if (long.length) {
    throw new ConfigError(`${kind}.name_too_long`, `${label} cannot take column name(s) longer than ${rules.maxLength} bytes: ${long.join(', ')}; rename them in the upstream block`);
  }
}

/**
 * Refuses an input whose columns do not fit the existing target, before
 * anything is written: columns the table lacks, required columns the input
 * lacks, and columns the table computes. Names compare by `rules`; where case
 * matters, a name that differs only in case is pointed out.
 */
export function checkWriteColumns(rules: IdentifierRules, kind: string, label: string, table: readonly TargetColumnShape[], input: readonly Column[]): void {
  const find = (name: string): TargetColumnShape | undefined => table.find((c) => sameIdentifier(rules, c.name, name));
  const extra = input.filter((c) => !find(c.name)).map((c) => c.name);
  const generated = input.filter((c) => find(c.name)?.generated).map((c) => c.name);
  const missing = table.filter((c) => !c.optional && !c.generated && !input.some((i) => sameIdentifier(rules, i.name, c.name))).map((c) => c.name);
  if (!extra.length && !missing.length && !generated.length) return;
  const problems: string[] = [];
  if (extra.length) problems.push(`the input has columns the table lacks: ${extra.join(', ')}`);
  if (missing.length) problems.push(`the table needs columns the input lacks (not null, no default): ${missing.join(', ')}`);
  if (generated.length) problems.push(`the table computes these columns itself: ${generated.join(', ')}`);
  const caseOnly = rules.caseSensitive ? extra.filter((name) => table.some((c) => c.name.toLowerCase() === name.toLowerCase())) : [];
  if (caseOnly.length) problems.push(`names are case-sensitive (${caseOnly.join(', ')} differ from the table only in case)`);
  throw new ConnectorError(`${kind}.columns_mismatch`, `the input does not fit ${label}: ${problems.join('; ')}. Table columns: ${names(table)}. Input columns: ${names(input)}`);
}
