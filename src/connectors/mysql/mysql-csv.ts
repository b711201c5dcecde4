import type { FieldKind } from './mysql-types.ts';

/*
 * Result rows as CSV for the data plane's reader, built from the bytes the
 * server sent. The driver hands each value over as a latin1 string: one
 * character per byte, so decoding is a plain copy and writing the text back
 * as latin1 restores the very same bytes (UTF-8 text included). No number,
 * date or row object is made, and no UTF-8 is decoded or encoded on the way.
 *
 * The dialect matches the reader's settings in mysql-read.ts: comma, double
 * quote doubled inside quoted fields, NULL an unquoted empty field, the empty
 * string "".
 */

/** A value as the driver hands it over: its bytes as a latin1 string, or null for NULL. */
export type RawValue = string | null;

/** Output is handed on in chunks of about this many bytes. */
const chunkBytes = 1 << 20;

// UTF-8 never uses bytes below 0x80 inside a multi-byte character, so these tests see only real quotes and breaks.
const needsQuotes = /[",\n\r]/;
const quotes = /"/g;

export class MysqlCsvWriter {
  // Each line goes straight into a chunk buffer: one latin1 character is one byte, so the line's length is its size.
  private buf = Buffer.allocUnsafe(chunkBytes);
  private pos = 0;
  private count = 0;
  private readonly encoders: readonly ((value: string) => string)[];

  /** `emit` takes each full chunk. */
  constructor(
    kinds: readonly FieldKind[],
    private readonly emit: (chunk: Buffer) => void,
  ) {
    this.encoders = kinds.map(encoderFor);
  }

  get rows(): number {
    return this.count;
  }

  /** Appends one row. */
  row(values: readonly RawValue[]): void {
    const encoders = this.encoders;
    let line = '';
    for (let k = 0; k < encoders.length; k++) {
      const value = values[k];
      if (k) line += ',';
      if (value !== null && value !== undefined) line += encoders[k]!(value);
    }
    line += '\n';
    if (this.pos + line.length > this.buf.length) {
      this.flush();
      if (line.length > this.buf.length) this.buf = Buffer.allocUnsafe(line.length);
    }
    this.pos += this.buf.write(line, this.pos, 'latin1');
    this.count++;
  }

  /** Emits what is left; the writer is done. */
  finish(): void {
    if (this.pos) this.emit(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /** The chunk is handed on whole and never written again. */
  private flush(): void {
    if (this.pos) this.emit(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.pos = 0;
  }
}

const plain = (value: string): string => value;

const text = (value: string): string => {
  if (value === '') return '""';
  return needsQuotes.test(value) ? `"${value.replace(quotes, '""')}"` : value;
};

// MySQL's zero dates ('0000-00-00', '0000-00-00 00:00:00') name no day; DuckDB cannot hold them.
const datetime = (value: string): string => (value.startsWith('0000-00-00') ? '' : value);

// An integer's text names zero exactly when it has no digit but 0.
const nonZeroDigit = /[1-9]/;
const boolean = (value: string): string => (nonZeroDigit.test(value) ? 'true' : 'false');

const bitBoolean = (value: string): string => (/[^\0]/.test(value) ? 'true' : 'false');

const bits = (value: string): string => (value.length ? BigInt(`0x${Buffer.from(value, 'latin1').toString('hex')}`).toString() : '0');

// DuckDB reads a BLOB from text with \xHH escapes; escaping every byte needs no look at the bytes.
const blob = (value: string): string => (value.length ? Buffer.from(value, 'latin1').toString('hex').replace(/../g, '\\x$&') : '""');

function encoderFor(kind: FieldKind): (value: string) => string {
  switch (kind) {
    case 'plain':
      return plain;
    case 'text':
      return text;
    case 'datetime':
      return datetime;
    case 'boolean':
      return boolean;
    case 'bitBoolean':
      return bitBoolean;
    case 'bits':
      return bits;
    case 'blob':
      return blob;
  }
}
