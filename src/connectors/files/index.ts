import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { rejectsLocation } from '../../core/connectors/rejects-location.ts';
import { ConfigError, SluiceError } from '../../core/errors.ts';
import type { FileReadSpec, Row } from '../../core/data-plane/data-plane.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { Connector, ConnectorContext, ReadResult } from '../../core/connectors/connector.ts';
import { checkSheetSettings, readXlsx } from './excel.ts';
import { readNewFiles } from './read-new-files.ts';
import { checkRejects } from '../shared/check-rejects.ts';
import { fileReadSettingsSchema, fileWriteSettingsSchema, formatFromPath, type FileReadSettings, type FileWriteSettings } from './file-settings.ts';

/**
 * Local files: CSV/TSV, JSON, JSON lines and Parquet, gzip, globs. Reading goes
 * through the data plane's own readers, so a file never passes through JS.
 * Excel workbooks (.xlsx, read only) are streamed through JS in batches.
 */
export const fileConnector: Connector<Record<string, never>, FileReadSettings, FileWriteSettings> = {
  kind: 'file',
  description: 'Local files: CSV, TSV, JSON, JSON lines, Parquet, Excel (read); gzip; globs',
  capabilities: {
    read: true,
    write: ['replace'],
    sql: false,
    needsConnection: false,
    // A file is written beside its target and renamed over it: readers see the old file or the new one.
    transactions: true,
    syncSource: 'files',
    syncDestination: 'none',
    changeCapture: false,
    upsert: 'none',
    bulkPath: 'file',
  },
  connectionSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  readSchema: fileReadSettingsSchema,
  writeSchema: fileWriteSettingsSchema,
  async connect() {
    return {
      async read({ settings, location }, context) {
        const format = settings.format ?? formatFromPath(settings.path);
        checkSheetSettings(settings, format === 'xlsx');
        if (format === 'xlsx') {
          if (settings.incremental) throw new ConfigError('file.incremental_unsupported', `incremental reads files through the data plane's readers; ${settings.path} is an xlsx workbook: drop incremental`);
          return readWorkbook(settings, location, context);
        }
        const spec = toReadSpec(settings, context.projectRoot);
        const readPaths = (paths: readonly string[], into: string) => readFiles({ ...spec, paths }, settings, into, context);
        return settings.incremental ? readNewFiles(settings.path, location, context, readPaths) : readPaths(spec.paths, location);
      },
      async write({ settings, input }, context) {
        const target = path.resolve(context.projectRoot, settings.path);
        const format = settings.format ?? formatFromPath(target);
        if (!format) throw new ConfigError('file.unknown_format', `cannot tell the format of ${settings.path}; set 'format'`);
        if (format === 'xlsx') throw new ConfigError('file.unknown_format', `cannot write ${settings.path}: xlsx is read, not written; write csv or parquet`);
        const partial = `${target}.partial`;
        try {
          const rows = await context.session.writeFile(
            `SELECT * FROM ${quoteIdent(input.table)}`,
            {
              path: partial,
              format: format === 'tsv' ? 'csv' : format,
              header: settings.header,
              delimiter: format === 'tsv' ? '\t' : settings.delimiter,
              // The partial file's name hides the extension, so the target's name decides the compression.
              compression: settings.compression ?? (/\.(gz|gzip)$/i.test(target) ? 'gzip' : undefined),
            },
            context.signal,
          );
          renameSync(partial, target);
          return { rows, summary: `wrote ${rows.toLocaleString('en-US')} rows to ${settings.path}` };
        } catch (error) {
          rmSync(partial, { force: true });
          throw error instanceof SluiceError ? error : new SluiceError('file.write_failed', `cannot write ${settings.path}: ${(error as Error).message}`, { cause: error });
        }
      },
      async close() {},
    };
  },
};

/** Reads files through the data plane's readers; rows that do not parse are kept apart when the block says so. */
async function readFiles(spec: FileReadSpec, settings: FileReadSettings, location: string, context: ConnectorContext): Promise<ReadResult> {
  const stored = await context.session.storeFiles(spec, location, context.signal);
  const rejected = stored.rejectedCount;
  if (rejected) {
    const kept = stored.rejects.map((r) => ({ ...r, file: shownPath(r.file, context.projectRoot) }));
    const first = kept.slice(0, 3).map((r) => `${r.file}${r.line !== undefined ? `:${r.line}` : `, record ${r.record}`}${r.column ? `, column ${r.column}` : ''}: ${r.reason}`);
    const rows = kept.map((r) => ({ file: r.file, ...(r.record !== undefined ? { record: r.record } : { line: r.line }), column: r.column ?? null, reason: r.reason, row: r.text }));
    await keepRejects(rows, rejected, first, location, context);
    checkRejects({ rows: stored.rows, rejected, maxRejects: settings.max_rejects, first, source: settings.path });
  }
  const summary = `read ${stored.rows.toLocaleString('en-US')} rows from ${settings.path}${rejected ? `; ${rejected.toLocaleString('en-US')} rejected (sluice preview --rejects)` : ''}`;
  return { output: stored, rowsIn: stored.rows + rejected, rowsRejected: rejected, summary };
}

/** A path as the user wrote it: relative to the project when inside it. */
function shownPath(file: string, root: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export { rejectsLocation };

/** Warns about rejected rows (`total` of them; the first 1000 are in `rows`) and stores them beside the output. */
async function keepRejects(rows: readonly Row[], total: number, first: readonly string[], location: string, context: ConnectorContext): Promise<void> {
  context.logger.warn(`${total} row(s) rejected${total > rows.length ? ` (first ${rows.length} kept)` : ''}:\n  ${first.join('\n  ')}`);
  await context.session.storeRows(
    (async function* () {
      yield rows;
    })(),
    rejectsLocation(location),
    Object.fromEntries(['line', 'record'].filter((key) => rows.some((r) => r[key] !== undefined)).map((key) => [key, 'BIGINT'])),
  );
}

async function readWorkbook(settings: FileReadSettings, location: string, context: ConnectorContext): Promise<ReadResult> {
  const read = await readXlsx(settings, location, context);
  if (read.rejectedCount) {
    const first = read.rejected.slice(0, 3).map((r) => `${settings.path}, sheet ${r.sheet}, row ${r.line}, ${r.reason}`);
    await keepRejects(read.rejected as unknown as Row[], read.rejectedCount, first, location, context);
    checkRejects({ rows: read.output.rows, rejected: read.rejectedCount, maxRejects: settings.max_rejects, first, source: settings.path });
  }
  const rows = read.output.rows;
  const from = read.sheets.length === 1 ? `sheet ${read.sheets[0]}` : `${read.sheets.length} sheets`;
  const summary = `read ${rows.toLocaleString('en-US')} rows from ${settings.path} (${from})${read.rejectedCount ? `; ${read.rejectedCount} rejected (sluice preview --rejects)` : ''}`;
  return { output: read.output, rowsIn: rows + read.rejectedCount, rowsRejected: read.rejectedCount, summary };
}

function toReadSpec(settings: FileReadSettings, root: string): FileReadSpec {
  const format = settings.format ?? formatFromPath(settings.path);
  if (!format) throw new ConfigError('file.unknown_format', `cannot tell the format of ${settings.path}; set 'format' (csv, tsv, json, jsonl, parquet or xlsx)`);
  if (format === 'xlsx') throw new ConfigError('file.unknown_format', 'an xlsx workbook is not read through the data plane');
  const isCsv = format === 'csv' || format === 'tsv';
  return {
    paths: [path.resolve(root, settings.path)],
    format: isCsv ? 'csv' : format,
    csv: isCsv
      ? {
          delimiter: settings.delimiter ?? (format === 'tsv' ? '\t' : undefined),
          quote: settings.quote,
          escape: settings.escape,
          header: settings.header,
          encoding: settings.encoding,
          nullString: settings.null,
          // A quoted empty field is an empty string, as in PostgreSQL's COPY; only unquoted text can mean NULL.
          allowQuotedNulls: false,
          dateFormats: settings.date_format,
          decimal: settings.decimal,
          thousands: settings.thousands,
          allowNanInfinity: settings.allow_nan_infinity,
          maxLineSize: settings.max_line_size,
          skip: settings.skip,
          columns: settings.columns,
        }
      : undefined,
    json: isCsv ? undefined : { columns: settings.columns },
    compression: settings.compression === 'auto' ? undefined : settings.compression,
    collectRejects: settings.on_error === 'reject',
    filenameColumn: settings.filename === true ? 'filename' : typeof settings.filename === 'string' ? settings.filename : undefined,
  };
}
