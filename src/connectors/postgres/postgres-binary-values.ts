/*
 * Fixed-width values of the data plane's vectors in PostgreSQL's binary wire
 * form: little-endian in, big-endian out, epochs and infinities translated.
 */

/** Where encoded fields go. */
export interface Output {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

const postgresEpochDays = 10957; // 2000-01-01 - 1970-01-01
const postgresEpochMicros = 946_684_800_000_000;
const int32Max = 2147483647;
const two32 = 4294967296;

/** Writes one value's `width` bytes at `at` (the length prefix is written by the caller). */
export type ValueWriter = (data: Uint8Array, row: number, out: Output, at: number) => void;

/** Little-endian in, big-endian out, byte for byte. */
export function swap(width: number): ValueWriter {
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
export function widen(sourceWidth: number, signed: boolean, targetWidth: number): ValueWriter {
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

export const writeBoolean: ValueWriter = (data, row, { bytes }, at) => {
  bytes[at] = data[row] ? 1 : 0;
};

export function readInt32(data: Uint8Array, o: number): number {
  return data[o]! | (data[o + 1]! << 8) | (data[o + 2]! << 16) | (data[o + 3]! << 24);
}

/** A little-endian int64 as a number when exact, else as a bigint. */
export function readInt64(data: Uint8Array, o: number): number | bigint {
  const low = readInt32(data, o) >>> 0;
  const high = readInt32(data, o + 4);
  if (high >= -0x200000 && high < 0x200000) return high * two32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

export function readUint64(data: Uint8Array, o: number): bigint {
  return (BigInt(readInt32(data, o + 4) >>> 0) << 32n) | BigInt(readInt32(data, o) >>> 0);
}

/** DuckDB's 128-bit integers: the low 64 bits unsigned, then the high 64 bits. */
export function readInt128(data: Uint8Array, o: number, signed: boolean): bigint {
  const high = readUint64(data, o + 8);
  return ((signed ? BigInt.asIntN(64, high) : high) << 64n) | readUint64(data, o);
}

/** Days since 1970 to days since 2000; the engine's infinities (int32 max and its negative) to PostgreSQL's. */
export const writeDate: ValueWriter = (data, row, { view }, at) => {
  const days = readInt32(data, row * 4);
  view.setInt32(at, days === int32Max ? int32Max : days === -int32Max ? -int32Max - 1 : days - postgresEpochDays);
};

/** Microseconds since 1970 to microseconds since 2000; infinities to PostgreSQL's (int64 max and min). */
export const writeTimestamp: ValueWriter = (data, row, { view }, at) => {
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
export const writeInterval: ValueWriter = (data, row, { bytes, view }, at) => {
  const o = row * 16;
  for (let i = 0; i < 8; i++) bytes[at + i] = data[o + 15 - i]!;
  view.setInt32(at + 8, readInt32(data, o + 4));
  view.setInt32(at + 12, readInt32(data, o));
};

/** The engine keeps a UUID as a 128-bit integer with the top bit flipped (so it sorts); PostgreSQL wants the 16 bytes. */
export const writeUuid: ValueWriter = (data, row, { bytes }, at) => {
  const o = row * 16;
  for (let i = 0; i < 16; i++) bytes[at + i] = data[o + 15 - i]!;
  bytes[at] = bytes[at]! ^ 0x80;
};
