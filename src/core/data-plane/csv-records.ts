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
  let head: Buffer[] = [];
  let headLength = 0;
  let inQuotes = false;
  let escaped = false;
  let stopped = false;
  let previous = -1;
  const finder = new NextByte(quote, escape);
  const finish = (): boolean => {
    const parts = head;
    const length = Math.min(excerptBytes, bytes);
    // The excerpt is made only for the records a caller looks at.
    const place = {
      line: start,
      bytes,
      get excerpt() {
        return Buffer.concat(parts).subarray(0, length).toString('utf8');
      },
    };
    const ok = visit(++record, place);
    start = line;
    bytes = 0;
    head = [];
    headLength = 0;
    return ok;
  };
  const source = createReadStream(file);
  const stream = quoting.gzip ? source.pipe(createGunzip()) : source;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let i = 0;
      let captured = 0;
      finder.reset();
      if (escaped && chunk.length) {
        escaped = false;
        bytes++;
        i = 1;
      }
      while (i < chunk.length) {
        if (skip > 0) {
          const newline = chunk.indexOf(0x0a, i);
          if (newline === -1) break;
          line++;
          skip--;
          start = line;
          i = newline + 1;
          continue;
        }
        if (headLength < excerptBytes) {
          // Keep the record's first bytes for messages, never more.
          const from = Math.max(i, captured);
          captured = Math.min(chunk.length, from + excerptBytes - headLength);
          if (captured > from) {
            head.push(chunk.subarray(from, captured));
            headLength += captured - from;
          }
        }
        // Only line ends, quotes and escapes matter: jump to the next one.
        const next = finder.next(chunk, i, inQuotes && escape !== quote);
        bytes += next - i;
        i = next;
        if (i >= chunk.length) break;
        const byte = chunk[i]!;
        if (byte === 0x0a) {
          line++;
          i++;
          if (inQuotes) bytes++;
          else {
            if ((i >= 2 ? chunk[i - 2] : previous) === 0x0d && bytes > 0) bytes--;
            if (!finish()) {
              stopped = true;
              break;
            }
            captured = i;
          }
          continue;
        }
        bytes++;
        i++;
        if (inQuotes && byte === escape && escape !== quote) {
          if (i < chunk.length) {
            bytes++;
            i++;
          } else escaped = true;
        } else if (byte === quote) inQuotes = !inQuotes;
      }
      if (stopped) break;
      previous = chunk.length ? chunk[chunk.length - 1]! : previous;
    }
    if (!stopped && bytes > 0) finish();
  } finally {
    source.destroy();
  }
}

/**
 * Finds the next line end, quote or escape in a chunk. Where each was last
 * found is kept: searching afresh for a quote a file never has would scan
 * the rest of the chunk once per record.
 */
class NextByte {
  private readonly at = new Map<number, number>();
  constructor(
    private readonly quote: number,
    private readonly escape: number,
  ) {}

  reset(): void {
    this.at.clear();
  }

  next(chunk: Buffer, from: number, withEscape: boolean): number {
    let next = Math.min(this.find(chunk, from, 0x0a), this.find(chunk, from, this.quote));
    if (withEscape) next = Math.min(next, this.find(chunk, from, this.escape));
    return next;
  }

  private find(chunk: Buffer, from: number, byte: number): number {
    if (byte < 0) return chunk.length;
    const known = this.at.get(byte);
    if (known !== undefined && known >= from) return known;
    const found = chunk.indexOf(byte, from);
    const at = found === -1 ? chunk.length : found;
    this.at.set(byte, at);
    return at;
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
