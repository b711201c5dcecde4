import { z } from 'zod';
import { maxRejectsSchema } from '../shared/check-rejects.ts';
import { refuseUnreadSettings } from './file-format-rules.ts';

/** Formats a loader reads; Excel workbooks are read, never written. */
export const fileFormats = ['csv', 'tsv', 'json', 'jsonl', 'parquet', 'xlsx'] as const;
export type FileFormat = (typeof fileFormats)[number];

/** Formats an exporter writes. */
export const writableFileFormats = ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;
export type WritableFileFormat = (typeof writableFileFormats)[number];

const fileReadSettingsFields = z
  .object({
    /** A path or glob, relative to the project root unless absolute. */
    path: z.string().min(1),
    format: z.enum(fileFormats).optional(),
    delimiter: z.string().min(1).max(4).optional(),
    quote: z.string().max(1).optional(),
    escape: z.string().max(1).optional(),
    header: z.boolean().default(true),
    encoding: z.enum(['utf-8', 'utf-16', 'latin-1']).optional(),
    null: z.string().optional(),
    date_format: z.string().optional(),
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
  .refine((s) => s.sheet === undefined || s.sheets === undefined, { message: "give either 'sheet' or 'sheets: all', not both", path: ['sheets'] });

/** The settings a loader block reads files with; settings the file's format ignores are refused. */
export const fileReadSettingsSchema = z.preprocess(refuseUnreadSettings((file) => formatFromPath(file)), fileReadSettingsFields);

export type FileReadSettings = z.output<typeof fileReadSettingsFields>;

export const fileWriteSettingsSchema = z
  .object({
    path: z.string().min(1),
    format: z.enum(writableFileFormats).optional(),
    header: z.boolean().default(true),
    delimiter: z.string().min(1).max(4).optional(),
    compression: z.enum(['gzip', 'zstd', 'snappy', 'none']).optional(),
  })
  .strict();

export type FileWriteSettings = z.output<typeof fileWriteSettingsSchema>;

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
