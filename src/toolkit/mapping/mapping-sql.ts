import { quoteIdent } from '../../core/sql/quote.ts';

/** One accepted line of a mapping: a source column, or none, under a target column's name. */
export interface AcceptedMapping {
  readonly target: string;
  /** null: no source column; the target column is written as NULL so the output keeps the target's shape. */
  readonly source: string | null;
  /** Shown as a comment beside the line. */
  readonly note?: string | undefined;
}

export interface MappingSqlOptions {
  /** The FROM item, already quoted for the engine the block runs in. */
  readonly from: string;
  /** Quotes a column name for that engine; the data plane's (standard SQL) by default. */
  readonly quote?: ((name: string) => string) | undefined;
  /** The first comment lines: what maps onto what. */
  readonly title: string;
}

/**
 * A SQL block that renames source columns to target columns:
 *
 * ```sql
 * -- Maps crm.raw_contacts onto warehouse.contacts.
 * SELECT
 *   "CUST_NO" AS "customer_id", -- 0.86: names match (CUST → customer)
 *   NULL AS "loaded_at" -- no source column
 * FROM "raw_contacts"
 * ```
 *
 * Every name is quoted; comments are kept to one line each.
 */
export function mappingSql(lines: readonly AcceptedMapping[], options: MappingSqlOptions): string {
  if (!lines.length) throw new Error('a mapping block needs at least one column');
  const quote = options.quote ?? quoteIdent;
  const body = lines.map((line, i) => {
    const select = `  ${line.source === null ? 'NULL' : quote(line.source)} AS ${quote(line.target)}${i < lines.length - 1 ? ',' : ''}`;
    const note = line.note ?? (line.source === null ? 'no source column' : undefined);
    return note ? `${select} -- ${oneLine(note)}` : select;
  });
  return [`-- ${oneLine(options.title)}`, '-- Written from `sluice map suggest`; edit freely.', 'SELECT', ...body, `FROM ${options.from}`, ''].join('\n');
}

/** Comments end at a line break, so a name or reason holding one must not carry SQL past it. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}
