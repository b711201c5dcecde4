import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** How records end: a newline outside quotes. */
export interface CsvQuoting {
  /** The quote character; '"' when not given, none when empty. */
  readonly quote?: string | undefined;
  /** The escape character inside quotes; the quote itself (doubling) when not given. */
  readonly escape?: string | undefined;
  /** Lines skipped before the first record (the reader's `skip`). */
  readonly skip?: number | undefined;
  readonly gzip?: boolean | undefined;
}

/** One record as a person finds it in the file. */
export interface CsvRecordPlace {
  /** 1-based line the record starts on. */
  readonly line: number;
  /** Bytes the record takes, without its line ending. */
  readonly bytes: number;
  /** The record's first bytes, as text, for error messages (never the whole of a long value). */
  readonly excerpt: string;
}

const excerptBytes = 120;

/**
 * Walks a CSV file record by record without parsing values: a quoted field
 * may span lines, so "record 7" and "line 7" differ, and people look for lines.
 * `visit` gets each 1-based record (counting a header as record 1) and returns
 * false to stop. Memory stays bounded: only a record's first bytes are kept.
 */
export async function walkCsvRecords(file: string, quoting: CsvQuoting, visit: (record: number, place: CsvRecordPlace) => boolean): Promise<void> {
  const quote = quoting.quote === undefined ? 0x22 : quoting.quote === '' ? -1 : quoting.quote.charCodeAt(0);
  const escape = quoting.escape === undefined || quoting.escape === '' ? quote : quoting.escape.charCodeAt(0);
  let skip = quoting.skip ?? 0;
  let line = 1;
  let record = 0;
  let start = 1;
  let bytes = 0;
  let head: number[] = [];
  let inQuotes = false;
  let escaped = false;
  let stopped = false;
  const source = createReadStream(file);
  const stream = quoting.gzip ? source.pipe(createGunzip()) : source;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (byte === 0x0a) {
          line++;
          if (skip > 0) {
            skip--;
            start = line;
            continue;
          }
          if (!inQuotes) {
            const place = { line: start, bytes: head.at(-1) === 0x0d ? bytes - 1 : bytes, excerpt: Buffer.from(head).toString('utf8').replace(/\r$/, '') };
            if (!visit(++record, place)) {
              stopped = true;
              break;
            }
            start = line;
            bytes = 0;
            head = [];
            continue;
          }
        }
        if (skip > 0) continue;
        bytes++;
        if (head.length < excerptBytes) head.push(byte);
        if (escaped) escaped = false;
        else if (inQuotes && byte === escape && escape !== quote) escaped = true;
        else if (byte === quote) inQuotes = !inQuotes;
      }
      if (stopped) break;
    }
    if (!stopped && bytes > 0) visit(++record, { line: start, bytes, excerpt: Buffer.from(head).toString('utf8') });
  } finally {
    source.destroy();
  }
}

/** Where each of the given 1-based records starts. */
export async function placeRecords(file: string, quoting: CsvQuoting, records: readonly number[]): Promise<Map<number, CsvRecordPlace>> {
  const wanted = new Set(records);
  const last = Math.max(0, ...records);
  const places = new Map<number, CsvRecordPlace>();
  if (!wanted.size) return places;
  await walkCsvRecords(file, quoting, (record, place) => {
    if (wanted.has(record)) places.set(record, place);
    return record < last;
  });
  return places;
}

/** The first record longer than `limit` bytes among the first `within` records, if any. */
export async function findLongRecord(file: string, quoting: CsvQuoting, limit: number, within = Infinity): Promise<CsvRecordPlace | undefined> {
  let found: CsvRecordPlace | undefined;
  await walkCsvRecords(file, quoting, (record, place) => {
    if (place.bytes > limit) found = place;
    return !found && record < within;
  });
  return found;
}

/** A value cut to a short excerpt for a message: long fields must not drown the reason. */
export function excerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length.toLocaleString('en-US')} characters)` : text;
}
