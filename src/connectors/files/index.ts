import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, SluiceError } from '../../core/errors.ts';
import type { FileReadSpec } from '../../core/data-plane/data-plane.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { Connector } from '../../core/connectors/connector.ts';
import { fileReadSettingsSchema, fileWriteSettingsSchema, formatFromPath, type FileReadSettings, type FileWriteSettings } from './file-settings.ts';

/**
 * Local files: CSV/TSV, JSON, JSON lines and Parquet, gzip, globs. Reading goes
 * through the data plane's own readers, so a file never passes through JS.
 */
export const fileConnector: Connector<Record<string, never>, FileReadSettings, FileWriteSettings> = {
  kind: 'file',
  description: 'Local files: CSV, TSV, JSON, JSON lines, Parquet; gzip; globs',
  capabilities: { read: true, write: ['replace'], sql: false, needsConnection: false },
  connectionSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  readSchema: fileReadSettingsSchema,
  writeSchema: fileWriteSettingsSchema,
  async connect() {
    return {
      async read({ settings, location }, context) {
        const spec = toReadSpec(settings, context.projectRoot);
        const stored = await context.session.storeFiles(spec, location, context.signal);
        if (stored.rejects.length) {
          const first = stored.rejects.slice(0, 3).map((r) => `${path.relative(context.projectRoot, r.file) || r.file}:${r.line}: ${r.reason}`);
          context.logger.warn(`${stored.rejects.length} row(s) rejected${stored.rejects.length >= 1000 ? ' (first 1000 kept)' : ''}:\n  ${first.join('\n  ')}`);
          await context.session.storeRows(
            (async function* () {
              yield stored.rejects.map((r) => ({ file: r.file, line: r.line, column: r.column ?? null, reason: r.reason, row: r.text }));
            })(),
            rejectsLocation(location),
            { line: 'BIGINT' },
          );
        }
        const summary = `read ${stored.rows.toLocaleString('en-US')} rows from ${settings.path}${stored.rejects.length ? `; ${stored.rejects.length} rejected (sluice preview --rejects)` : ''}`;
        return { output: stored, rowsIn: stored.rows + stored.rejects.length, summary };
      },
      async write({ settings, input }, context) {
        const target = path.resolve(context.projectRoot, settings.path);
        const format = settings.format ?? formatFromPath(target);
        if (!format) throw new ConfigError('file.unknown_format', `cannot tell the format of ${settings.path}; set 'format'`);
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

/** Rows a loader rejected are stored beside its output. */
export function rejectsLocation(output: string): string {
  return output.replace(/\.parquet$/, '.rejects.parquet');
}

function toReadSpec(settings: FileReadSettings, root: string): FileReadSpec {
  const format = settings.format ?? formatFromPath(settings.path);
  if (!format) throw new ConfigError('file.unknown_format', `cannot tell the format of ${settings.path}; set 'format' (csv, tsv, json, jsonl or parquet)`);
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
          dateFormat: settings.date_format,
          skip: settings.skip,
          columns: settings.columns,
        }
      : undefined,
    compression: settings.compression === 'auto' ? undefined : settings.compression,
    collectRejects: settings.on_error === 'reject',
    filenameColumn: settings.filename === true ? 'filename' : typeof settings.filename === 'string' ? settings.filename : undefined,
  };
}
