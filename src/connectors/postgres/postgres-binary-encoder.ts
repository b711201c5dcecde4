import type { ColumnChunk, ColumnVector } from '../../core/data-plane/column-chunk.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { numericMaxBytes, writeNumeric } from './postgres-binary-numeric.ts';

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

interface Output {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** How the input's columns become binary COPY fields, one encoder a column. */
export interface BinaryCopyPlan {
  readonly types: readonly string[];
  readonly encoders: readonly ColumnEncoder[];
}

const postgresEpochDays = 10957; // 2000-01-01 - 1970-01-01
const postgresEpochMicros = 946_684_800_000_000;
const int32Max = 2147483647;
const two32 = 4294967296;

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
    return width === integer[0] ? fixed(width, swap(width)) : fixed(width, widen(integer[0], integer[1], width));
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return isNumeric(target) ? numericColumn(Number(decimal[1]), decimalReader(Number(decimal[1])), Number(decimal[2])) : undefined;
  switch (type) {
    case 'BOOLEAN':
      return target === 'boolean' ? fixed(1, writeBoolean) : undefined;
    case 'FLOAT':
      return target === 'real' ? fixed(4, swap(4)) : undefined;
    case 'DOUBLE':
      return target === 'double precision' ? fixed(8, swap(8)) : undefined;
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
      return target === 'date' ? fixed(4, writeDate) : undefined;
    case 'TIMESTAMP':
      return /^timestamp(\(\d\))? without time zone$/.test(target) ? fixed(8, writeTimestamp) : undefined;
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return /^timestamp(\(\d\))? with time zone$/.test(target) ? fixed(8, writeTimestamp) : undefined;
    case 'TIME':
      return /^time(\(\d\))? without time zone$/.test(target) ? fixed(8, swap(8)) : undefined;
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

/** Writes one value's `width` bytes at `at` (the length prefix is written by the caller). */
type ValueWriter = (data: Uint8Array, row: number, out: Output, at: number) => void;

/** A column whose every value takes `width` bytes on the wire. */
function fixed(width: number, writeValue: ValueWriter): ColumnEncoder {
  return {
    measure(vector, rows, sizes) {
      const validity = vector.validity;
      for (let r = 0; r < rows; r++) sizes[r]! += isNull(validity, r) ? 4 : 4 + width;
    },
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

/** Little-endian in, big-endian out, byte for byte. */
function swap(width: number): ValueWriter {
  switch (width) {
    case 4:
      return (data, row, { bytes }, at) => {
        const o = row * 4;
        bytes[at] = data[o + 3]!;
        bytes[at + 1] = data[o + 2]!;
        bytes[at + 2] = data[o + 1]!;
        bytes[at + 3] = data[o]!;
      };
    case 8:
      return (data, row, { bytes }, at) => {
        const o = row * 8;
        bytes[at] = data[o + 7]!;
        bytes[at + 1] = data[o + 6]!;
        bytes[at + 2] = data[o + 5]!;
        bytes[at + 3] = data[o + 4]!;
        bytes[at + 4] = data[o + 3]!;
        bytes[at + 5] = data[o + 2]!;
        bytes[at + 6] = data[o + 1]!;
        bytes[at + 7] = data[o]!;
      };
    default:
      return (data, row, { bytes }, at) => {
        const from = row * width + width - 1;
        for (let i = 0; i < width; i++) bytes[at + i] = data[from - i]!;
      };
  }
}

/** A narrower integer into a wider PostgreSQL integer. */
function widen(sourceWidth: number, signed: boolean, targetWidth: number): ValueWriter {
  const read = (data: Uint8Array, o: number): number => {
    if (sourceWidth === 1) return signed ? (data[o]! << 24) >> 24 : data[o]!;
    if (sourceWidth === 2) return signed ? ((data[o]! | (data[o + 1]! << 8)) << 16) >> 16 : data[o]! | (data[o + 1]! << 8);
    const v = readInt32(data, o);
    return signed ? v : v >>> 0;
  };
  return (data, row, { view }, at) => {
    const v = read(data, row * sourceWidth);
    if (targetWidth === 2) view.setInt16(at, v);
    else if (targetWidth === 4) view.setInt32(at, v);
    else {
      view.setInt32(at, v < 0 ? -1 : 0);
      view.setUint32(at + 4, v >>> 0);
    }
  };
}

const writeBoolean: ValueWriter = (data, row, { bytes }, at) => {
  bytes[at] = data[row] ? 1 : 0;
};

function readInt32(data: Uint8Array, o: number): number {
  return data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
}

/** A little-endian int64 as a number when exact, else as a bigint. */
function readInt64(data: Uint8Array, o: number): number | bigint {
  const low = readInt32(data, o) >>> 0;
  const high = readInt32(data, o + 4);
  if (high >= -0x200000 && high < 0x200000) return high * two32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

function readUint64(data: Uint8Array, o: number): bigint {
  return (BigInt(readInt32(data, o + 4) >>> 0) << 32n) | BigInt(readInt32(data, o) >>> 0);
}

/** DuckDB's 128-bit integers: the low 64 bits unsigned, then the high 64 bits. */
function readInt128(data: Uint8Array, o: number, signed: boolean): bigint {
  const high = readUint64(data, o + 8);
  return ((signed ? BigInt.asIntN(64, high) : high) << 64n) | readUint64(data, o);
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

/** Days since 1970 to days since 2000; the engine's infinities (int32 max and its negative) to PostgreSQL's. */
const writeDate: ValueWriter = (data, row, { view }, at) => {
  const days = readInt32(data, row * 4);
  view.setInt32(at, days === int32Max ? int32Max : days === -int32Max ? -int32Max - 1 : days - postgresEpochDays);
};

/** Microseconds since 1970 to microseconds since 2000; infinities to PostgreSQL's (int64 max and min). */
const writeTimestamp: ValueWriter = (data, row, { view }, at) => {
  const micros = readInt64(data, row * 8);
  if (typeof micros === 'number') {
    const shifted = micros - postgresEpochMicros;
    const high = Math.floor(shifted / two32);
    view.setInt32(at, high);
    view.setUint32(at + 4, shifted - high * two32);
  } else if (micros === 0x7fffffffffffffffn) {
    view.setBigInt64(at, micros);
  } else if (micros === -0x7fffffffffffffffn) {
    view.setBigInt64(at, -0x8000000000000000n);
  } else {
    view.setBigInt64(at, micros - BigInt(postgresEpochMicros));
  }
};

/** The engine's (months, days, micros) to PostgreSQL's (micros, days, months). */
const writeInterval: ValueWriter = (data, row, { bytes, view }, at) => {
  const o = row * 16;
  for (let i = 0; i < 8; i++) bytes[at + i] = data[o + 15 - i]!;
  view.setInt32(at + 8, readInt32(data, o + 4));
  view.setInt32(at + 12, readInt32(data, o));
};

/** The engine keeps a UUID as a 128-bit integer with the top bit flipped (so it sorts); PostgreSQL wants the 16 bytes. */
const writeUuid: ValueWriter = (data, row, { bytes }, at) => {
  const o = row * 16;
  for (let i = 0; i < 16; i++) bytes[at + i] = data[o + 15 - i]!;
  bytes[at] = bytes[at]! ^ 0x80;
};
