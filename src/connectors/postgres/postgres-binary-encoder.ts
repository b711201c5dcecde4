import { hasValue, type ColumnChunk, type ColumnVector } from '../../core/data-plane/column-chunk.ts';
import type { Column } from '../../core/data-plane/data-plane.ts';
import { numericMaxBytes, writeNumeric } from './postgres-binary-numeric.ts';

/*
 * Rows for `COPY ... FROM STDIN (FORMAT binary)`, built from the data plane's
 * column chunks: fixed-width values are byte-swapped from the engine's
 * little-endian layout straight into the big-endian wire form, so no JS
 * value is made for them. PostgreSQL's binary input takes exactly its own
 * type's layout, so a column is encoded only when the target column's type
 * is one this file knows for the input's type; a write with any other
 * column goes through CSV instead (see `binaryCopyPlan`).
 */

/** Writes one non-null value with its 4-byte length at `pos`; returns the position after it. */
type FieldWriter = (view: DataView, bytes: Uint8Array, pos: number, vector: ColumnVector, row: number) => number;

interface FieldEncoder {
  readonly write: FieldWriter;
  /** Bytes a value takes at most (length prefix included); undefined for text and blobs. */
  readonly fixed: number | undefined;
  /** Extra bytes a text or blob value takes besides its own (jsonb's version byte). */
  readonly extra: number;
}

/** How the input's columns become binary COPY fields, one encoder a column. */
export interface BinaryCopyPlan {
  readonly types: readonly string[];
  readonly encoders: readonly FieldEncoder[];
}

const postgresEpochDays = 10957; // 2000-01-01 - 1970-01-01
const postgresEpochMicros = 946_684_800_000_000;
const int32Max = 2147483647;

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
  const encoders: FieldEncoder[] = [];
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
  const columns = chunk.columns;
  let size = 2 * rows;
  for (let c = 0; c < encoders.length; c++) {
    const encoder = encoders[c]!;
    if (encoder.fixed !== undefined) size += encoder.fixed * rows;
    else size += (4 + encoder.extra) * rows + textBytes(columns[c]!, rows);
  }
  const bytes = Buffer.allocUnsafe(size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = encoders.length;
  let pos = 0;
  for (let row = 0; row < rows; row++) {
    view.setInt16(pos, count);
    pos += 2;
    for (let c = 0; c < count; c++) {
      const vector = columns[c]!;
      if (hasValue(vector, row)) {
        pos = encoders[c]!.write(view, bytes, pos, vector, row);
      } else {
        view.setInt32(pos, -1);
        pos += 4;
      }
    }
  }
  return bytes.subarray(0, pos);
}

function textBytes(vector: ColumnVector, rows: number): number {
  const data = vector.data;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    if (!hasValue(vector, row)) continue;
    const o = row * 16;
    total += (data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24)) >>> 0;
  }
  return total;
}

/** format_type's spelling, for the short names Sluice uses when it creates a table. */
function normaliseTarget(type: string): string {
  const t = type.trim().toLowerCase();
  if (t === 'timestamp' || /^timestamp\(\d+\)$/.test(t)) return 'timestamp without time zone';
  if (t === 'timestamptz' || /^timestamptz\(\d+\)$/.test(t)) return 'timestamp with time zone';
  if (t === 'time') return 'time without time zone';
  if (t === 'bool') return 'boolean';
  if (t === 'int2') return 'smallint';
  if (t === 'int' || t === 'int4') return 'integer';
  if (t === 'int8') return 'bigint';
  if (t === 'float8') return 'double precision';
  if (t === 'float4') return 'real';
  return t;
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

function encoderFor(duckType: string, target: string): FieldEncoder | undefined {
  const type = duckType.trim().toUpperCase();
  const integer = integerSources[type];
  if (integer) {
    const width = integerTargets[target];
    return width !== undefined && width >= integer[2] ? integerEncoder(integer[0], integer[1], width) : undefined;
  }
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return isNumeric(target) ? decimalEncoder(Number(decimal[1]), Number(decimal[2])) : undefined;
  switch (type) {
    case 'BOOLEAN':
      return target === 'boolean' ? { write: writeBoolean, fixed: 5, extra: 0 } : undefined;
    case 'FLOAT':
      return target === 'real' ? { write: swapped(4), fixed: 8, extra: 0 } : undefined;
    case 'DOUBLE':
      return target === 'double precision' ? { write: swapped(8), fixed: 12, extra: 0 } : undefined;
    case 'UBIGINT':
      return isNumeric(target) ? { write: writeUnsigned64, fixed: numericMaxBytes(20), extra: 0 } : undefined;
    case 'HUGEINT':
    case 'UHUGEINT':
      return isNumeric(target) ? { write: type === 'HUGEINT' ? writeHuge(true) : writeHuge(false), fixed: numericMaxBytes(39), extra: 0 } : undefined;
    case 'VARCHAR':
      return /^(text|character varying(\(\d+\))?|character(\(\d+\))?)$/.test(target) ? { write: writeText(false), fixed: undefined, extra: 0 } : undefined;
    case 'JSON':
      if (target === 'jsonb') return { write: writeText(true), fixed: undefined, extra: 1 };
      return target === 'json' || target === 'text' ? { write: writeText(false), fixed: undefined, extra: 0 } : undefined;
    case 'BLOB':
      return target === 'bytea' ? { write: writeText(false), fixed: undefined, extra: 0 } : undefined;
    case 'DATE':
      return target === 'date' ? { write: writeDate, fixed: 8, extra: 0 } : undefined;
    case 'TIMESTAMP':
      return /^timestamp(\(\d\))? without time zone$/.test(target) ? { write: writeTimestamp, fixed: 12, extra: 0 } : undefined;
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMPTZ':
      return /^timestamp(\(\d\))? with time zone$/.test(target) ? { write: writeTimestamp, fixed: 12, extra: 0 } : undefined;
    case 'TIME':
      return /^time(\(\d\))? without time zone$/.test(target) ? { write: swapped(8), fixed: 12, extra: 0 } : undefined;
    case 'INTERVAL':
      return /^interval/.test(target) ? { write: writeInterval, fixed: 20, extra: 0 } : undefined;
    case 'UUID':
      return target === 'uuid' ? { write: writeUuid, fixed: 20, extra: 0 } : undefined;
    default:
      return undefined;
  }
}

function isNumeric(target: string): boolean {
  return /^numeric(\(\d+,\s*-?\d+\))?$/.test(target);
}

/** A fixed-width value reversed byte for byte: little-endian in, big-endian out. */
function swapped(width: number): FieldWriter {
  return (view, bytes, pos, vector, row) => {
    view.setInt32(pos, width);
    const data = vector.data;
    const from = row * width + width - 1;
    for (let i = 0; i < width; i++) bytes[pos + 4 + i] = data[from - i]!;
    return pos + 4 + width;
  };
}

function integerEncoder(sourceWidth: number, signed: boolean, targetWidth: number): FieldEncoder {
  if (sourceWidth === targetWidth) return { write: swapped(sourceWidth), fixed: 4 + targetWidth, extra: 0 };
  const read = (data: Uint8Array, row: number): number => {
    const o = row * sourceWidth;
    switch (sourceWidth) {
      case 1:
        return signed ? (data[o]! << 24) >> 24 : data[o]!;
      case 2: {
        const v = data[o]! | (data[o + 1]! << 8);
        return signed ? (v << 16) >> 16 : v;
      }
      default: {
        const v = data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
        return signed ? v : v >>> 0;
      }
    }
  };
  const write: FieldWriter = (view, _bytes, pos, vector, row) => {
    const v = read(vector.data, row);
    view.setInt32(pos, targetWidth);
    if (targetWidth === 2) view.setInt16(pos + 4, v);
    else if (targetWidth === 4) view.setInt32(pos + 4, v);
    else {
      view.setInt32(pos + 4, v < 0 ? -1 : 0);
      view.setUint32(pos + 8, v >>> 0);
    }
    return pos + 4 + targetWidth;
  };
  return { write, fixed: 4 + targetWidth, extra: 0 };
}

const writeBoolean: FieldWriter = (view, bytes, pos, vector, row) => {
  view.setInt32(pos, 1);
  bytes[pos + 4] = vector.data[row] ? 1 : 0;
  return pos + 5;
};

function readInt32(data: Uint8Array, o: number): number {
  return data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
}

/** A little-endian int64 as a number when exact, else as a bigint. */
function readInt64(data: Uint8Array, o: number): number | bigint {
  const low = readInt32(data, o) >>> 0;
  const high = readInt32(data, o + 4);
  if (high >= -0x200000 && high < 0x200000) return high * 4294967296 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

function decimalEncoder(precision: number, scale: number): FieldEncoder {
  const width = precision <= 4 ? 2 : precision <= 9 ? 4 : precision <= 18 ? 8 : 16;
  const write: FieldWriter = (view, _bytes, pos, vector, row) => {
    const data = vector.data;
    const o = row * width;
    let unscaled: number | bigint;
    if (width === 2) unscaled = ((data[o]! | (data[o + 1]! << 8)) << 16) >> 16;
    else if (width === 4) unscaled = readInt32(data, o);
    else if (width === 8) unscaled = readInt64(data, o);
    else unscaled = readInt128(data, o, true);
    return writeNumeric(view, pos, unscaled, scale);
  };
  return { write, fixed: numericMaxBytes(Math.max(precision, scale) + 4), extra: 0 };
}

function readUint64(data: Uint8Array, o: number): bigint {
  return (BigInt(readInt32(data, o + 4) >>> 0) << 32n) | BigInt(readInt32(data, o) >>> 0);
}

/** DuckDB's 128-bit integers: the low 64 bits unsigned, then the high 64 bits. */
function readInt128(data: Uint8Array, o: number, signed: boolean): bigint {
  const high = readUint64(data, o + 8);
  return ((signed ? BigInt.asIntN(64, high) : high) << 64n) | readUint64(data, o);
}

const writeUnsigned64: FieldWriter = (view, _bytes, pos, vector, row) => writeNumeric(view, pos, readUint64(vector.data, row * 8), 0);

function writeHuge(signed: boolean): FieldWriter {
  return (view, _bytes, pos, vector, row) => writeNumeric(view, pos, readInt128(vector.data, row * 16, signed), 0);
}

function writeText(jsonb: boolean): FieldWriter {
  return (view, bytes, pos, vector, row) => {
    const value = vector.bytesAt(row);
    const extra = jsonb ? 1 : 0;
    view.setInt32(pos, value.length + extra);
    if (jsonb) bytes[pos + 4] = 1; // jsonb's binary form is a version byte, then the JSON text
    bytes.set(value, pos + 4 + extra);
    return pos + 4 + extra + value.length;
  };
}

/** Days since 1970 to days since 2000; the engine's infinities (int32 max and its negative) to PostgreSQL's. */
const writeDate: FieldWriter = (view, _bytes, pos, vector, row) => {
  const days = readInt32(vector.data, row * 4);
  view.setInt32(pos, 4);
  view.setInt32(pos + 4, days === int32Max ? int32Max : days === -int32Max ? -int32Max - 1 : days - postgresEpochDays);
  return pos + 8;
};

/** Microseconds since 1970 to microseconds since 2000; infinities to PostgreSQL's (int64 max and min). */
const writeTimestamp: FieldWriter = (view, _bytes, pos, vector, row) => {
  const micros = readInt64(vector.data, row * 8);
  view.setInt32(pos, 8);
  if (typeof micros === 'number') {
    const shifted = micros - postgresEpochMicros;
    const high = Math.floor(shifted / 4294967296);
    view.setInt32(pos + 4, high);
    view.setUint32(pos + 8, shifted - high * 4294967296);
  } else if (micros === 0x7fffffffffffffffn) {
    view.setBigInt64(pos + 4, micros);
  } else if (micros === -0x7fffffffffffffffn) {
    view.setBigInt64(pos + 4, -0x8000000000000000n);
  } else {
    view.setBigInt64(pos + 4, micros - BigInt(postgresEpochMicros));
  }
  return pos + 12;
};

/** The engine's (months, days, micros) to PostgreSQL's (micros, days, months). */
const writeInterval: FieldWriter = (view, bytes, pos, vector, row) => {
  const data = vector.data;
  const o = row * 16;
  view.setInt32(pos, 16);
  for (let i = 0; i < 8; i++) bytes[pos + 4 + i] = data[o + 15 - i]!;
  view.setInt32(pos + 12, readInt32(data, o + 4));
  view.setInt32(pos + 16, readInt32(data, o));
  return pos + 20;
};

/** The engine keeps a UUID as a 128-bit integer with the top bit flipped (so it sorts); PostgreSQL wants the 16 bytes. */
const writeUuid: FieldWriter = (view, bytes, pos, vector, row) => {
  const data = vector.data;
  const o = row * 16;
  view.setInt32(pos, 16);
  for (let i = 0; i < 16; i++) bytes[pos + 4 + i] = data[o + 15 - i]!;
  bytes[pos + 4] = bytes[pos + 4]! ^ 0x80;
  return pos + 20;
};
