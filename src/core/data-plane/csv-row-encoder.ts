import { SluiceError } from '../errors.ts';
import { CsvBytes } from './csv-bytes.ts';
import type { Row } from './data-plane.ts';
import { inferStagingType, stageValue, type StagingType } from './js-values.ts';

export interface EncodedColumn {
  readonly name: string;
  readonly staged: StagingType;
}

/**
 * Turns batches of JS rows into CSV that the data plane's CSV reader loads
 * with known column types. CSV is the fastest way across the JS/engine
 * boundary: bytes written per batch instead of a conversion call per value,
 * and with `encodeInto` no string is built at all.
 *
 * The dialect: comma, double quotes doubled inside quoted fields, an unquoted
 * empty field is NULL and a quoted empty field ("") is the empty string.
 */
export class CsvRowEncoder {
  private cols: EncodedColumn[] | undefined;
  private encodeRow: ((row: Row, record: number) => void) | undefined;
  private known = new Set<string>();
  private records = 0;
  /** Where the generated line encoder writes; `encodeInto` points it at the caller's buffer. */
  private readonly out: { bytes: CsvBytes } = { bytes: new CsvBytes(1 << 16) };

  /** `declared`: output column types a block named; they shape how some values are written. */
  constructor(private readonly declared: Readonly<Record<string, string>> = {}) {}

  get columns(): readonly EncodedColumn[] {
    return this.cols ?? [];
  }

  get rowCount(): number {
    return this.records;
  }

  /** The batch as CSV text. */
  encode(batch: readonly Row[]): string {
    const bytes = this.out.bytes;
    bytes.clear();
    this.encodeInto(batch, bytes);
    const text = bytes.buf.toString('utf8', 0, bytes.pos);
    bytes.clear();
    return text;
  }

  /** Appends the batch as CSV bytes to `bytes`, the cheap way to a file: no text is built. */
  encodeInto(batch: readonly Row[], bytes: CsvBytes): void {
    if (batch.length === 0) return;
    if (!this.cols) this.open(batch);
    const encodeRow = this.encodeRow!;
    const out = this.out;
    const own = out.bytes;
    out.bytes = bytes;
    try {
      for (let r = 0; r < batch.length; r++) {
        const row = batch[r];
        const record = this.records + r + 1;
        if (row === null || typeof row !== 'object') {
          throw new SluiceError('block.bad_row', `a block returned ${row === null ? 'null' : typeof row} where a row object was expected`, { location: { record } });
        }
        encodeRow(row, record);
      }
    } finally {
      out.bytes = own;
    }
    this.records += batch.length;
    // The first batch decides each column's type, so the engine can start reading before the last row exists.
    for (const col of this.cols!) col.staged.locked = true;
  }

  private open(first: readonly Row[]): void {
    const names: string[] = [];
    const add = (key: string): void => {
      if (this.known.has(key)) return;
      this.known.add(key);
      names.push(key);
    };
    for (const row of first.slice(0, 1000)) if (row && typeof row === 'object') Object.keys(row).forEach(add);
    Object.keys(this.declared).forEach(add);
    this.cols = names.map((name) => {
      const staged = inferStagingType(first, name);
      // A declared type decides the column; whole numbers first and fractions later are then fine.
      if (this.declared[name] !== undefined) staged.integers = false;
      return { name, staged };
    });
    this.encodeRow = createLineEncoder(this.cols, this.declared, this.out);
  }
}

type FieldEncoder = (value: unknown, record: number) => void;

/** Generated line-encoder factories by their source: bounded, since column sets come from the data. */
const lineEncoderFactories = new Map<string, (...args: unknown[]) => unknown>();

/**
 * One CSV line per row, from a function generated for this column set: fixed
 * property names keep property access fast (see row-shapes.ts); names enter
 * the code only as JSON string literals. Fields go straight into `out.bytes`.
 */
function createLineEncoder(cols: readonly EncodedColumn[], declared: Readonly<Record<string, string>>, out: { bytes: CsvBytes }): (row: Row, record: number) => void {
  const encoders = cols.map((col) => fieldEncoder(col, decimalScale(declared[col.name]), out));
  const body = cols
    .map((col, c) => `v = row[${JSON.stringify(col.name)}]; ${c ? 'out.bytes.byte(44);' : ''} if (v !== undefined) { present++; if (v !== null) e${c}(v, record); }`)
    .join('\n');
  const params = encoders.map((_, c) => `e${c}`);
  // A row with more keys than known columns it holds has a key no column has: find it (the slow path runs only then).
  const source =
    `return function encodeRow(row, record) { let v; let present = 0;\n${body}\n` +
    `out.bytes.byte(10);\nlet keys = 0; for (const k in row) keys++;\nif (keys !== present) unknownKey(row, record); };`;
  // One factory per column set: an encoder made for every micro-batch of a stream then runs code V8 already optimised.
  let make = lineEncoderFactories.get(source);
  if (!make) {
    if (lineEncoderFactories.size >= 256) lineEncoderFactories.clear();
    make = new Function(...params, 'unknownKey', 'out', source) as (...args: unknown[]) => unknown;
    lineEncoderFactories.set(source, make);
  }
  const known = new Set(cols.map((c) => c.name));
  const unknownKey = (row: Row, record: number): void => {
    for (const key in row) {
      if (!known.has(key)) {
        throw new SluiceError(
          'block.new_column',
          `column '${key}' is not among the columns of the first batch; return every column from the first rows (null where unknown) or declare it in the block's schema`,
          { location: { record } },
        );
      }
    }
  };
  return make(...encoders, unknownKey, out) as (row: Row, record: number) => void;
}

/** The scale of a declared `DECIMAL(p, s)`, when it is one small enough for exact scaled integers. */
function decimalScale(type: string | undefined): number | undefined {
  const match = type && /^\s*(DECIMAL|NUMERIC)\s*\(\s*\d+\s*,\s*(\d+)\s*\)\s*$/i.exec(type);
  const scale = match ? Number(match[2]) : undefined;
  return scale !== undefined && scale <= 9 ? scale : undefined;
}

/**
 * A number bound for DECIMAL(p, s) is written as its value rounded to s
 * places (what the cast would do), from a scaled integer: turning a double
 * into its shortest decimal text is the costliest step of the whole path.
 * False when the scaled value is past the safe integers (the caller then writes it as text).
 */
function scaledDecimal(scale: number, out: { bytes: CsvBytes }): (value: number) => boolean {
  const factor = 10 ** scale;
  return (value) => {
    const scaled = Math.round(Math.abs(value) * factor);
    if (!Number.isSafeInteger(scaled)) return false;
    out.bytes.decimal(scaled, value < 0, scale);
    return true;
  };
}

function fieldEncoder({ name, staged }: EncodedColumn, scale: number | undefined, out: { bytes: CsvBytes }): FieldEncoder {
  switch (staged.kind) {
    case 'string':
    case 'json':
      return (value, record) => {
        out.bytes.text((typeof value === 'string' && staged.kind === 'string' ? value : stageValue(value, staged, name, record)) as string);
      };
    case 'number': {
      const decimal = scale === undefined ? undefined : scaledDecimal(scale, out);
      if (decimal) {
        return (value, record) => {
          if (typeof value !== 'number' || !decimal(value)) out.bytes.ascii(String(stageValue(value, staged, name, record)));
        };
      }
      return (value, record) => {
        if (typeof value === 'number' && Number.isSafeInteger(value)) out.bytes.integer(value);
        else if (typeof value === 'number' && !staged.integers) out.bytes.ascii(String(value));
        else out.bytes.ascii(String(stageValue(value, staged, name, record)));
      };
    }
    case 'date':
      return (value, record) => {
        // UTC wall time with milliseconds, the form a TIMESTAMP column reads.
        const iso = (stageValue(value, staged, name, record) as Date).toISOString();
        out.bytes.ascii(`${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
      };
    case 'bigint':
    case 'boolean':
      return (value, record) => out.bytes.ascii(String(stageValue(value, staged, name, record)));
  }
}
