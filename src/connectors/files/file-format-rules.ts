import type { z } from 'zod';

const everyFormat = ['path', 'format', 'compression', 'filename', 'incremental'] as const;
const typedRecords = [...everyFormat, 'columns', 'on_error', 'max_rejects'] as const;

/**
 * The settings each format reads, where it reads fewer than CSV. A setting a
 * format ignores would be a silent no-op (a `delimiter` on JSON, `on_error`
 * on Parquet), so it is refused instead. CSV and TSV read every text setting;
 * workbooks are checked by `checkSheetSettings`.
 */
const settingsByFormat: Readonly<Record<string, readonly string[]>> = {
  json: typedRecords,
  jsonl: typedRecords,
  parquet: everyFormat,
};

/**
 * A zod preprocess step: refuses, by key, settings the file's format does not
 * read. `formatOf` tells the format a path implies.
 */
export const refuseUnreadSettings = (formatOf: (path: string) => string | undefined) => (raw: unknown, ctx: z.core.$RefinementCtx): unknown => {
  if (!raw || typeof raw !== 'object') return raw;
  const settings = raw as Record<string, unknown>;
  const format = (typeof settings.format === 'string' ? settings.format : undefined) ?? (typeof settings.path === 'string' ? formatOf(settings.path) : undefined);
  const allowed = format ? settingsByFormat[format] : undefined;
  if (!allowed) return raw;
  for (const key of Object.keys(settings)) {
    if (allowed.includes(key)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [key],
      message: `${format} files do not read '${key}' (it would be ignored); ${format} takes: ${allowed.join(', ')}`,
      input: settings[key],
    });
  }
  return raw;
};
