import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import { quoteLiteral } from '../core/sql/quote.ts';
import { selectOutput, type OutputView } from './output-view.ts';
import { ColumnMask } from './pii/value-mask.ts';

/** Download formats and how the data plane writes each. */
const formats = {
  csv: { copy: '(FORMAT csv, HEADER)', type: 'text/csv; charset=utf-8' },
  parquet: { copy: '(FORMAT parquet, COMPRESSION zstd)', type: 'application/vnd.apache.parquet' },
} as const;
export type DownloadFormat = keyof typeof formats;
export const downloadFormats = Object.keys(formats) as DownloadFormat[];

export interface OutputFile {
  readonly type: string;
  /** The file's bytes, read from disk as the client takes them; the file goes when the stream ends. */
  readonly body: ReadableStream<Uint8Array>;
  /** The columns whose values the file holds as the marker. */
  readonly masked: string[];
}

/**
 * A view of a stored output (or one page of it) as a file. The data plane
 * writes it to a scratch file and the response streams that file, so a
 * million-row output never sits in memory. The whole stored output as
 * Parquet is its own file already and streams as it is.
 */
export async function outputFile(
  session: DataPlaneSession,
  location: string,
  view: OutputView,
  format: DownloadFormat,
  page?: { offset: number; limit: number },
  mask: ColumnMask = ColumnMask.none,
): Promise<OutputFile> {
  const select = await selectOutput(session, location, view, mask);
  const { copy, type } = formats[format];
  if (format === 'parquet' && select.plain && !page) return { type, body: stream(createReadStream(location)), masked: [] };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-download-'));
  const file = path.join(dir, `output.${format}`);
  try {
    const sql = page ? `${select.sql} LIMIT ${page.limit} OFFSET ${page.offset}` : select.sql;
    await session.query(`COPY (${sql}) TO ${quoteLiteral(file)} ${copy}`, select.params);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const read = createReadStream(file);
  read.on('close', () => rmSync(dir, { recursive: true, force: true }));
  return { type, body: stream(read), masked: select.masked };
}

function stream(read: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(read) as ReadableStream<Uint8Array>;
}
