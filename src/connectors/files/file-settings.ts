import { z } from 'zod';
import { maxRejectsSchema } from '../shared/check-rejects.ts';
import { projectPathSetting } from '../shared/project-path.ts';
import { refuseUnreadSettings } from './file-format-rules.ts';
import { acceptedEncodings, parseCsvEncoding } from './csv-encodings.ts';

/** Formats a loader reads; Excel workbooks are read, never written. */
export const fileFormats = ['csv', 'tsv', 'json', 'jsonl', 'parquet', 'xlsx'] as const;
export type FileFormat = (typeof fileFormats)[number];

/** Formats an exporter writes. */
export const writableFileFormats = ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;
export type WritableFileFormat = (typeof writableFileFormats)[number];

const fileReadSettingsFields = z
  .object({
    /** A path or glob, relative to the project root unless absolute. */
    path: projectPathSetting(),
    format: z.enum(fileFormats).optional(),
    delimiter: z.string().min(1).max(4).optional(),
    quote: z.string().max(1).optional(),
    escape: z.string().max(1).optional(),
    header: z.boolean().default(true),
    /** Any common spelling (see csv-encodings.ts); Windows-1252 is transcoded in a stream. */
    encoding: z
      .string()
      .transform((name, ctx) => parseCsvEncoding(name) ?? (ctx.addIssue({ code: 'custom', message: `unknown encoding '${name}'; use one of ${acceptedEncodings()}` }), z.NEVER))
      .optional(),
    /** Unquoted text that means NULL (one value or a list); a quoted value is always text. */
    null: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Formats for columns declared DATE, tried in order; ISO 8601 always parses. */
    date_format: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .transform((f) => (typeof f === 'string' ? [f] : f))
      .optional(),
    /** Decimal separator of numbers, e.g. ',' for `12,5`. */
    decimal: z.enum(['.', ',']).optional(),
    /** Thousands separator of numbers, e.g. '.' for `1.000,25`. */
    thousands: z.enum([',', '.', ' ', "'", '_']).optional(),
    /** Load NaN and infinities (`nan`, `inf`, `-infinity`) in number columns instead of refusing them. */
    allow_nan_infinity: z.boolean().optional(),
    /** Longest row, in bytes or with a unit (`64MB`); the default is 2,000,000 bytes. */
    max_line_size: z
      .union([z.number().int().positive(), z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB)?\s*$/i, "a size such as 50000000 or '64MB'")])
      .transform((size) => (typeof size === 'number' ? size : byteSize(size)))
      .optional(),
    skip: z.number().int().nonnegative().optional(),
    /** Column name -> type, e.g. `amount: DECIMAL(12,2)`; others are detected. */
    columns: z.record(z.string(), z.string()).optional(),
    compression: z.enum(['auto', 'gzip', 'none']).default('auto'),
    /** `fail` stops at the first bad row; `reject` keeps going and stores bad rows apart. */
    on_error: z.enum(['fail', 'reject']).default('fail'),
    /** With `on_error: reject`: fail the block past this many rejects, a count or a percentage ("2%"). */
    max_rejects: maxRejectsSchema.optional(),
    /** Add the source file's name as a column (name it, or `true` for `filename`). */
    filename: z.union([z.boolean(), z.string()]).optional(),
    /** xlsx: the sheet to read, by name or 1-based position; the first sheet by default. */
    sheet: z.union([z.string().min(1), z.number().int().positive()]).optional(),
    /** xlsx: `all` reads every sheet and adds a `sheet` column with the sheet's name. */
    sheets: z.literal('all').optional(),
    /**
     * Read only files that are new, or whose size or modification time
     * changed, since this block last read successfully (docs/connectors.md).
     */
    incremental: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.sheet === undefined || s.sheets === undefined, { message: "give either 'sheet' or 'sheets: all', not both", path: ['sheets'] })
  .refine((s) => s.thousands === undefined || s.thousands !== (s.decimal ?? '.'), {
    message: "thousands must differ from the decimal separator (for '1.000,25' set decimal: ',' and thousands: '.')",
    path: ['thousands'],
  });

/** The settings a loader block reads files with; settings the file's format ignores are refused. */
export const fileReadSettingsSchema = z.preprocess(refuseUnreadSettings((file) => formatFromPath(file)), fileReadSettingsFields);

export type FileReadSettings = z.output<typeof fileReadSettingsFields>;

export const fileWriteSettingsSchema = z
  .object({
    path: projectPathSetting(),
    format: z.enum(writableFileFormats).optional(),
    header: z.boolean().default(true),
    delimiter: z.string().min(1).max(4).optional(),
    compression: z.enum(['gzip', 'zstd', 'snappy', 'none']).optional(),
  })
  .strict();

export type FileWriteSettings = z.output<typeof fileWriteSettingsSchema>;

const units: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };

/** `64MB` in bytes (decimal units, as the engine counts). */
function byteSize(text: string): number {
  const [, number, unit] = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text)!;
  return Math.round(Number(number) * units[(unit || 'B').toUpperCase()]!);
}

/** The format a path implies: `sales.csv.gz` is CSV, `events.jsonl` JSON lines, `budget.xlsx` an Excel workbook. */
export function formatFromPath(file: string): FileFormat | undefined {
  const name = file.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.parquet')) return 'parquet';
  if (file.toLowerCase().endsWith('.xlsx')) return 'xlsx';
  return undefined;
}
