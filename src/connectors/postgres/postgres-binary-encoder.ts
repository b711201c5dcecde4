import type { ColumnChunk, ColumnVector } from '../../core/data-plane/column-chunk.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { numericMaxBytes, writeNumeric } from './postgres-binary-numeric.ts';
import {
  readInt128,
  readInt32,
  readInt64,
  readUint64,
  swap,
  widen,
  writeBoolean,
  writeDate,
  writeInterval,
  writeTimestamp,
  writeUuid,
  type Output,
  type ValueWriter,
} from './postgres-binary-values.ts';

/*
 * Rows for `COPY ... FROM STDIN (FORMAT binary)`, built from the data plane's
 * column chunks one column at a time: a first pass adds each column's field
 * sizes to its rows, a second writes each column's fields at its rows'
 * cursors. Every loop handles one type, so the JS engine compiles it tight,
 * and fixed-width values are byte-swapped from the engine's little-endian
 * layout into the big-endian wire form without a JS value between.
 *
 * PostgreSQL's binary input takes exactly its own type's layout, so a column
 * is encoded only when the target column's type is one this file knows for
 * the input's type; a write with any other column goes through CSV instead
 * (see `binaryCopyPlan`).
 */

/** One column's part of a chunk; `measure` runs before `write` for the same chunk. */
interface ColumnEncoder {
  /** Adds each row's field size (length prefix included) to `sizes`. */
  measure(vector: ColumnVector, rows: number, sizes: Int32Array): void;
  /** Writes each row's field at `cursor[row]` and moves the cursor past it. */
  write(vector: ColumnVector, rows: number, out: Output, cursor: Int32Array): void;
}

/** How the input's columns become binary COPY fields, one encoder a column. */
export interface BinaryCopyPlan {
  readonly types: readonly string[];
  readonly encoders: readonly ColumnEncoder[];
}

/** The signature and header of a binary COPY stream: no flags, no extension. */
export const binaryCopyHeader = Uint8Array.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The end of a binary COPY stream: a field count of -1. */
export const binaryCopyTrailer = Uint8Array.from([0xff, 0xff]);

/**
 * The encoders for `columns` written into columns of `targetTypes` (as
 * `format_type` spells them, or as Sluice creates them), or undefined when
 * some column has no exact binary form: then the write goes through CSV.
 */
export function binaryCopyPlan(columns: readonly Column[], targetTypes: readonly string[]): BinaryCopyPlan | undefined {
  const encoders: ColumnEncoder[] = [];
  for (let i = 0; i < columns.length; i++) {
    const encoder = encoderFor(columns[i]!.type, normaliseTarget(targetTypes[i] ?? ''));
    if (!encoder) return undefined;
    encoders.push(encoder);
  }
  return { types: columns.map((c) => c.type), encoders };
}

/** One chunk as binary COPY tuples (no header or trailer). */
export function encodeChunk(plan: BinaryCopyPlan, chunk: ColumnChunk): Uint8Array {
  const { encoders } = plan;
  const rows = chunk.rowCount;
  const sizes = new Int32Array(rows).fill(2);
  for (let c = 0; c < encoders.length; c++) encoders[c]!.measure(chunk.columns[c]!, rows, sizes);
  const cursor = new Int32Array(rows);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    cursor[r] = total + 2;
    total += sizes[r]!;
  }
  const bytes = Buffer.allocUnsafe(total);
  const out: Output = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  const count = encoders.length;
  for (let r = 0; r < rows; r++) out.view.setInt16(cursor[r]! - 2, count);
  for (let c = 0; c < count; c++) encoders[c]!.write(chunk.columns[c]!, rows, out, cursor);
  return bytes;
}

function isNull(validity: Uint8Array | null, row: number): boolean {
  return validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0;
}

/** format_type's spelling, for the short names Sluice uses when it creates a table. */
function normaliseTarget(type: string): string {
  const t = type.trim().toLowerCase();
  const aliases: Readonly<Record<string, string>> = {
    timestamp: 'timestamp without time zone',
    timestamptz: 'timestamp with time zone',
    time: 'time without time zone',
    bool: 'boolean',
    int2: 'smallint',
    int: 'integer',
    int4: 'integer',
    int8: 'bigint',
    float8: 'double precision',
    float4: 'real',
  };
  return aliases[t] ?? t;
}

const integerTargets: Readonly<Record<string, number>> = { smallint: 2, integer: 4, bigint: 8 };
/** Integer inputs: bytes read, signed, and the narrowest PostgreSQL integer that holds every value. */
const integerSources: Readonly<Record<string, readonly [number, boolean, number]>> = {
  TINYINT: [1, true, 2],
  UTINYINT: [1, false, 2],
  SMALLINT: [2, true, 2],
  USMALLINT: [2, false, 4],
  INTEGER: [4, true, 4],
  UINTEGER: [4, false, 8],
  BIGINT: [8, true, 8],
};

function encoderFor(duckType: string, target: string): ColumnEncoder | undefined {
  const type = duckType.trim().toUpperCase();
  const integer = integerSources[type];
  if (integer) {
    const width = integerTargets[target];
    if (width === undefined || width < integer[2]) return undefined;
    return width === integer[0] ? swapped(width) : fixed(width, widen(integer[0], integer[1], width));
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return isNumeric(target) ? numericColumn(Number(decimal[1]), decimalReader(Number(decimal[1])), Number(decimal[2])) : undefined;
  switch (type) {
    case 'BOOLEAN':
      return target === 'boolean' ? fixed(1, writeBoolean) : undefined;
    case 'FLOAT':
      return target === 'real' ? swapped(4) : undefined;
    case 'DOUBLE':
      return target === 'double precision' ? swapped(8) : undefined;
    case 'UBIGINT':
      return isNumeric(target) ? numericColumn(20, (data, row) => readUint64(data, row * 8), 0) : undefined;
    case 'HUGEINT':
    case 'UHUGEINT':
      return isNumeric(target) ? numericColumn(39, (data, row) => readInt128(data, row * 16, type === 'HUGEINT'), 0) : undefined;
    case 'VARCHAR':
      return /^(text|character varying(\(\d+\))?|character(\(\d+\))?)$/.test(target) ? textColumn(false) : undefined;
    case 'JSON':
      if (target === 'jsonb') return textColumn(true);
      return target === 'json' || target === 'text' ? textColumn(false) : undefined;
    case 'BLOB':
      return target === 'bytea' ? textColumn(false) : undefined;
    case 'DATE':
      return target === 'date' ? dateColumn : undefined;
    case 'TIMESTAMP':
      return /^timestamp(\(\d\))? without time zone$/.test(target) ? fixed(8, writeTimestamp) : undefined;
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return /^timestamp(\(\d\))? with time zone$/.test(target) ? fixed(8, writeTimestamp) : undefined;
    case 'TIME':
      return /^time(\(\d\))? without time zone$/.test(target) ? swapped(8) : undefined;
    case 'INTERVAL':
      return /^interval/.test(target) ? fixed(16, writeInterval) : undefined;
    case 'UUID':
      return target === 'uuid' ? fixed(16, writeUuid) : undefined;
    default:
      return undefined;
  }
}

function isNumeric(target: string): boolean {
  return /^numeric(\(\d+,\s*-?\d+\))?$/.test(target);
}

/** Adds a fixed-width column's field sizes: `4 + width` a value, 4 a null. */
function measureFixed(width: number): ColumnEncoder['measure'] {
  return (vector, rows, sizes) => {
    const validity = vector.validity;
    if (validity === null) {
      for (let r = 0; r < rows; r++) sizes[r]! += 4 + width;
    } else {
      for (let r = 0; r < rows; r++) sizes[r]! += isNull(validity, r) ? 4 : 4 + width;
    }
  };
}

/*
 * The commonest layouts (4- and 8-byte integers, floats, dates) have loops
 * of their own: one loop shared by every type, calling a writer per value,
 * cannot be compiled tight for all of them at once.
 */

function swapped(width: number): ColumnEncoder {
  if (width === 4) return { measure: measureFixed(4), write: writeSwapped4 };
  if (width === 8) return { measure: measureFixed(8), write: writeSwapped8 };
  return fixed(width, swap(width));
}

function writeNull(bytes: Uint8Array, at: number): void {
  bytes[at] = 0xff;
  bytes[at + 1] = 0xff;
  bytes[at + 2] = 0xff;
  bytes[at + 3] = 0xff;
}

const writeSwapped4: ColumnEncoder['write'] = (vector, rows, { bytes }, cursor) => {
  const { validity, data } = vector;
  for (let r = 0; r < rows; r++) {
    const at = cursor[r]!;
    if (validity !== null && (validity[r >> 3]! & (1 << (r & 7))) === 0) {
      writeNull(bytes, at);
      cursor[r] = at + 4;
      continue;
    }
    const o = r * 4;
    bytes[at] = 0;
    bytes[at + 1] = 0;
    bytes[at + 2] = 0;
    bytes[at + 3] = 4;
    bytes[at + 4] = data[o + 3]!;
    bytes[at + 5] = data[o + 2]!;
    bytes[at + 6] = data[o + 1]!;
    bytes[at + 7] = data[o]!;
    cursor[r] = at + 8;
  }
};

const writeSwapped8: ColumnEncoder['write'] = (vector, rows, { bytes }, cursor) => {
  const { validity, data } = vector;
  for (let r = 0; r < rows; r++) {
    const at = cursor[r]!;
    if (validity !== null && (validity[r >> 3]! & (1 << (r & 7))) === 0) {
      writeNull(bytes, at);
      cursor[r] = at + 4;
      continue;
    }
    const o = r * 8;
    bytes[at] = 0;
    bytes[at + 1] = 0;
    bytes[at + 2] = 0;
    bytes[at + 3] = 8;
    bytes[at + 4] = data[o + 7]!;
    bytes[at + 5] = data[o + 6]!;
    bytes[at + 6] = data[o + 5]!;
    bytes[at + 7] = data[o + 4]!;
    bytes[at + 8] = data[o + 3]!;
    bytes[at + 9] = data[o + 2]!;
    bytes[at + 10] = data[o + 1]!;
    bytes[at + 11] = data[o]!;
    cursor[r] = at + 12;
  }
};

const dateColumn: ColumnEncoder = {
  measure: measureFixed(4),
  write(vector, rows, out, cursor) {
    const { validity, data } = vector;
    const { bytes } = out;
    for (let r = 0; r < rows; r++) {
      const at = cursor[r]!;
      if (validity !== null && (validity[r >> 3]! & (1 << (r & 7))) === 0) {
        writeNull(bytes, at);
        cursor[r] = at + 4;
        continue;
      }
      bytes[at] = 0;
      bytes[at + 1] = 0;
      bytes[at + 2] = 0;
      bytes[at + 3] = 4;
      writeDate(data, r, out, at + 4);
      cursor[r] = at + 8;
    }
  },
};

/** A column whose every value takes `width` bytes on the wire. */
function fixed(width: number, writeValue: ValueWriter): ColumnEncoder {
  return {
    measure: measureFixed(width),
    write(vector, rows, out, cursor) {
      const { validity, data } = vector;
      const view = out.view;
      for (let r = 0; r < rows; r++) {
        const at = cursor[r]!;
        if (isNull(validity, r)) {
          view.setInt32(at, -1);
          cursor[r] = at + 4;
        } else {
          view.setInt32(at, width);
          writeValue(data, r, out, at + 4);
          cursor[r] = at + 4 + width;
        }
      }
    },
  };
}

type UnscaledReader = (data: Uint8Array, row: number) => number | bigint;

/** A decimal's unscaled integer, stored in 2, 4, 8 or 16 bytes by precision. */
function decimalReader(precision: number): UnscaledReader {
  if (precision <= 4) return (data, row) => ((data[row * 2]! | (data[row * 2 + 1]! << 8)) << 16) >> 16;
  if (precision <= 9) return (data, row) => readInt32(data, row * 4);
  if (precision <= 18) return (data, row) => readInt64(data, row * 8);
  return (data, row) => readInt128(data, row * 16, true);
}

/**
 * Numerics vary in size, so the first pass encodes them into scratch space
 * and notes where each starts; the second copies them into place.
 */
function numericColumn(precision: number, read: UnscaledReader, scale: number): ColumnEncoder {
  const maxBytes = numericMaxBytes(Math.max(precision, scale) + 4);
  let scratch = new Uint8Array(0);
  let scratchView = new DataView(scratch.buffer);
  let starts = new Int32Array(0);
  return {
    measure(vector, rows, sizes) {
      if (scratch.length < rows * maxBytes) {
        scratch = new Uint8Array(rows * maxBytes);
        scratchView = new DataView(scratch.buffer);
        starts = new Int32Array(rows + 1);
      }
      const { validity, data } = vector;
      let pos = 0;
      for (let r = 0; r < rows; r++) {
        starts[r] = pos;
        pos = isNull(validity, r) ? writeNullAt(scratchView, pos) : writeNumeric(scratchView, pos, read(data, r), scale);
        sizes[r]! += pos - starts[r]!;
      }
      starts[rows] = pos;
    },
    write(_vector, rows, { bytes }, cursor) {
      for (let r = 0; r < rows; r++) {
        const from = starts[r]!;
        const length = starts[r + 1]! - from;
        const at = cursor[r]!;
        for (let i = 0; i < length; i++) bytes[at + i] = scratch[from + i]!;
        cursor[r] = at + length;
      }
    },
  };
}

function writeNullAt(view: DataView, pos: number): number {
  view.setInt32(pos, -1);
  return pos + 4;
}

/** Text, JSON and blobs: the bytes as they are (jsonb first takes its version byte). */
function textColumn(jsonb: boolean): ColumnEncoder {
  const extra = jsonb ? 1 : 0;
  return {
    measure(vector, rows, sizes) {
      const { validity, data } = vector;
      for (let r = 0; r < rows; r++) sizes[r]! += isNull(validity, r) ? 4 : 4 + extra + (readInt32(data, r * 16) >>> 0);
    },
    write(vector, rows, { bytes, view }, cursor) {
      const { validity, data } = vector;
      for (let r = 0; r < rows; r++) {
        let at = cursor[r]!;
        if (isNull(validity, r)) {
          view.setInt32(at, -1);
          cursor[r] = at + 4;
          continue;
        }
        const o = r * 16;
        const length = readInt32(data, o) >>> 0;
        view.setInt32(at, length + extra);
        at += 4;
        if (jsonb) bytes[at++] = 1; // jsonb's binary form: a version byte, then the JSON text
        if (length <= 12) {
          for (let i = 0; i < length; i++) bytes[at + i] = data[o + 4 + i]!;
        } else {
          bytes.set(vector.bytesAt(r), at);
        }
        cursor[r] = at + length;
      }
    },
  };
}
