import { z } from 'zod';
import type { Column, DataPlaneSession, OutputPage } from '../core/data-plane/data-plane.ts';
import { ConfigError } from '../core/errors.ts';
import { quoteIdent, quoteLiteral } from '../core/sql/quote.ts';
import { ColumnMask, maskedMarker } from './pii/value-mask.ts';

const filter = z
  .object({ column: z.string().min(1), op: z.enum(['contains', 'equals']), value: z.string() })
  .strict();

/** How a stored output is looked at: sorted by a column, filtered per column. */
export const outputViewQuery = z.object({
  sort: z.string().min(1).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
  filters: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return [];
      try {
        return z.array(filter).max(50).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'filters is a JSON list of { column, op: "contains" | "equals", value }' });
        return z.NEVER;
      }
    }),
});
export type OutputView = z.infer<typeof outputViewQuery>;

export interface OutputSelect {
  readonly columns: Column[];
  /** The view's rows in their order, without paging. */
  readonly sql: string;
  /** The filter values, bound as `$1`, `$2`, ...: never part of the SQL text. */
  readonly params: string[];
  /** Whether the view is the stored order unfiltered and unmasked, which the data plane pages fastest. */
  readonly plain: boolean;
  /** The columns whose values the view replaces by the marker. */
  readonly masked: string[];
}

/**
 * The SQL for a view of a stored output. Column names must be the output's
 * own (checked, then quoted); values travel as parameters. Sorting keeps the
 * stored order among equal values, so pages do not shuffle between calls.
 * Masked columns are replaced by the marker before anything else, so a
 * filter or sort on one works on the marker and tells nothing of the values.
 */
export async function selectOutput(session: DataPlaneSession, location: string, view: OutputView, mask: ColumnMask = ColumnMask.none): Promise<OutputSelect> {
  const stored = `read_parquet(${quoteLiteral(location)}, file_row_number = true)`;
  const described = await session.describe(`SELECT * FROM read_parquet(${quoteLiteral(location)})`);
  const masked = mask.among(described.map((c) => c.name));
  const source = masked.length
    ? `(SELECT * REPLACE (${masked.map((name) => `CASE WHEN ${quoteIdent(name)} IS NULL THEN NULL ELSE ${quoteLiteral(maskedMarker)} END AS ${quoteIdent(name)}`).join(', ')}) FROM ${stored})`
    : stored;
  const columns = described.map((c) => (masked.includes(c.name) ? { ...c, type: 'VARCHAR' } : c));
  const known = new Set(columns.map((c) => c.name));
  const checked = (name: string, what: string): string => {
    if (!known.has(name)) throw new ConfigError('output.unknown_column', `${what} names column '${name}', which the output does not have (it has ${[...known].join(', ')})`);
    return quoteIdent(name);
  };
  const params: string[] = [];
  const where = view.filters.map((f) => {
    params.push(f.value);
    const text = `CAST(${checked(f.column, 'a filter')} AS VARCHAR)`;
    return f.op === 'equals' ? `${text} = $${params.length}` : `contains(lower(${text}), lower($${params.length}))`;
  });
  const order = view.sort ? `${checked(view.sort, 'sort')} ${view.order === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, file_row_number` : 'file_row_number';
  const sql = `SELECT * EXCLUDE (file_row_number) FROM ${source}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
  return { columns, sql, params, plain: !view.sort && !where.length && !masked.length, masked };
}

/** One page of a view, with the number of rows the view has and the columns it masked. */
export async function pageOutputView(
  session: DataPlaneSession,
  location: string,
  view: OutputView,
  offset: number,
  limit: number,
  mask: ColumnMask = ColumnMask.none,
): Promise<OutputPage & { masked: string[] }> {
  const select = await selectOutput(session, location, view, mask);
  if (select.plain) return { ...(await session.pageOutput(location, offset, limit)), masked: [] };
  const [count] = await session.query(`SELECT count(*) AS n FROM (${select.sql})`, select.params);
  const rows = await session.query(`${select.sql} LIMIT ${limit} OFFSET ${offset}`, select.params);
  return { columns: select.columns, total: Number(count?.n ?? 0), rows, masked: select.masked };
}
