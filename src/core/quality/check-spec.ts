import { z } from 'zod';
import { durationSchema } from '../pipeline/duration.ts';

/**
 * What a failing check does:
 * - `warn`: the result is recorded and shown, the block succeeds;
 * - `error`: the block fails and its downstream is skipped;
 * - `quarantine`: the failing rows move to `<block>__quarantine`, the good rows flow on.
 */
export const checkSeverities = ['warn', 'error', 'quarantine'] as const;
export type CheckSeverity = (typeof checkSeverities)[number];

export const checkKinds = ['not_null', 'unique', 'accepted_values', 'range', 'regex', 'row_count', 'freshness', 'relationships', 'sql'] as const;
export type CheckKind = (typeof checkKinds)[number];

/** Kinds that judge the table as a whole: they have no failing rows to move, so they cannot quarantine. */
const tableKinds: ReadonlySet<CheckKind> = new Set(['row_count', 'freshness', 'sql']);

/** A check name is shown in the UI and kept in history, and it labels quarantined rows. */
export const checkNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

const columnName = z.string().min(1);
const columnList = z.union([columnName, z.array(columnName).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));
const bound = z.union([z.number(), z.string()]);

export const checkFileSchema = z
  .object({
    name: z.string().regex(checkNamePattern, 'a check name is letters, digits and _ and starts with a letter or _').optional(),
    severity: z.enum(checkSeverities).default('error'),
    not_null: columnList.optional(),
    unique: columnList.optional(),
    accepted_values: z.object({ column: columnName, values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }).strict().optional(),
    range: z
      .object({ column: columnName, min: bound.optional(), max: bound.optional() })
      .strict()
      .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min, max or both')
      .optional(),
    regex: z.object({ column: columnName, pattern: z.string().min(1) }).strict().optional(),
    row_count: z
      .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .strict()
      .refine((r) => r.min !== undefined || r.max !== undefined, 'row_count needs min, max or both')
      .optional(),
    freshness: z.object({ column: columnName, max_age: durationSchema }).strict().optional(),
    relationships: z
      .object({
        column: columnName,
        /** A block of this pipeline whose output holds the allowed values. */
        to: z.string().min(1).optional(),
        /** Or a data file of the project (CSV, Parquet, JSON) that holds them. */
        file: z.string().min(1).optional(),
        field: columnName,
      })
      .strict()
      .refine((r) => (r.to === undefined) !== (r.file === undefined), 'relationships needs either to (a block) or file, not both')
      .optional(),
    /** A query over the block's output (readable as the block's name); every row it returns is a failure. */
    sql: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((check, ctx) => {
    const kinds = checkKinds.filter((k) => check[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a check has exactly one of ${checkKinds.join(', ')}${kinds.length ? ` (this one has ${kinds.join(' and ')})` : ''}` });
      return;
    }
    const kind = kinds[0]!;
    if (check.severity === 'quarantine' && tableKinds.has(kind)) {
      ctx.addIssue({ code: 'custom', path: ['severity'], message: `a ${kind} check judges the whole output, so it cannot quarantine rows; use warn or error` });
    }
    if (kind === 'sql' && check.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'a sql check needs a name' });
  });

export const checksFileSchema = z
  .array(checkFileSchema)
  .default([])
  .superRefine((checks, ctx) => {
    const seen = new Set<string>();
    checks.forEach((check, index) => {
      const name = defaultCheckName(check);
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `two checks are named '${name}'; give one a name of its own` });
      seen.add(name);
    });
  });

export type CheckFile = z.output<typeof checkFileSchema>;

interface CheckBase {
  readonly name: string;
  readonly severity: CheckSeverity;
  /** Where the check is written, for error messages. */
  readonly line?: number | undefined;
}

export type CheckSpec = CheckBase &
  (
    | { readonly kind: 'not_null'; readonly columns: readonly string[] }
    | { readonly kind: 'unique'; readonly columns: readonly string[] }
    | { readonly kind: 'accepted_values'; readonly column: string; readonly values: readonly (string | number | boolean)[] }
    | { readonly kind: 'range'; readonly column: string; readonly min?: number | string | undefined; readonly max?: number | string | undefined }
    | { readonly kind: 'regex'; readonly column: string; readonly pattern: string }
    | { readonly kind: 'row_count'; readonly min?: number | undefined; readonly max?: number | undefined }
    | { readonly kind: 'freshness'; readonly column: string; readonly maxAgeMs: number }
    | { readonly kind: 'relationships'; readonly column: string; readonly field: string; readonly to?: string | undefined; readonly file?: string | undefined }
    | { readonly kind: 'sql'; readonly sql: string }
  );

/** Whether the check judges rows one by one (and so can count and quarantine failing rows). */
export function isRowCheck(check: CheckSpec): boolean {
  return !tableKinds.has(check.kind);
}

/** The name a check goes by: its own, or one made of its kind and columns (`not_null_order_id`). */
export function defaultCheckName(check: CheckFile): string {
  if (check.name) return check.name;
  const columns = (cols: readonly string[]): string => cols.map((c) => c.replace(/[^A-Za-z0-9_]/g, '_')).join('_');
  if (check.not_null) return `not_null_${columns(check.not_null)}`;
  if (check.unique) return `unique_${columns(check.unique)}`;
  if (check.accepted_values) return `accepted_values_${columns([check.accepted_values.column])}`;
  if (check.range) return `range_${columns([check.range.column])}`;
  if (check.regex) return `regex_${columns([check.regex.column])}`;
  if (check.row_count) return 'row_count';
  if (check.freshness) return `freshness_${columns([check.freshness.column])}`;
  if (check.relationships) return `relationships_${columns([check.relationships.column])}`;
  return 'sql';
}

/** The parsed YAML of a check as the typed spec the engine runs. */
export function toCheckSpec(check: CheckFile, line?: number): CheckSpec {
  const base = { name: defaultCheckName(check), severity: check.severity, line };
  if (check.not_null) return { ...base, kind: 'not_null', columns: check.not_null };
  if (check.unique) return { ...base, kind: 'unique', columns: check.unique };
  if (check.accepted_values) return { ...base, kind: 'accepted_values', ...check.accepted_values };
  if (check.range) return { ...base, kind: 'range', ...check.range };
  if (check.regex) return { ...base, kind: 'regex', ...check.regex };
  if (check.row_count) return { ...base, kind: 'row_count', ...check.row_count };
  if (check.freshness) return { ...base, kind: 'freshness', column: check.freshness.column, maxAgeMs: check.freshness.max_age };
  if (check.relationships) return { ...base, kind: 'relationships', ...check.relationships };
  return { ...base, kind: 'sql', sql: check.sql! };
}
