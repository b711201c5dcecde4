import duckdb from '@duckdb/node-bindings';
import { DuckDBDecimalType, DuckDBDecimalValue, DuckDBTypeId, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';

/**
 * JS values of one column of a chunk, read straight from the vector's memory
 * for the common scalar types; undefined for any other type (the caller then
 * uses the engine's own converter). Every value equals what that converter
 * gives: numbers for small integers and floats, bigints for BIGINT, the
 * decimal's nearest double, strings for text.
 */
export function fastColumnValues(chunk: DuckDBDataChunk, column: number, type: DuckDBType): unknown[] | undefined {
  const reader = readers[type.typeId];
  if (!reader) return undefined;
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const width = type.typeId === DuckDBTypeId.DECIMAL ? decimalWidth(type as DuckDBDecimalType) : reader.width;
  // 128-bit decimals have no exact JS fast path: the engine converts them.
  if (type.typeId === DuckDBTypeId.DECIMAL && width === 16) return undefined;
  const data = duckdb.vector_get_data(vector, rows * width);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) ?? null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const values: unknown[] = new Array(rows);
  const read = reader.read;
  for (let row = 0; row < rows; row++) {
    values[row] = validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0 ? null : read(view, row, type, data);
  }
  return values;
}

interface Reader {
  readonly width: number;
  readonly read: (view: DataView, row: number, type: DuckDBType, data: Uint8Array) => unknown;
}

function decimalWidth(type: DuckDBDecimalType): number {
  return type.width <= 4 ? 2 : type.width <= 9 ? 4 : type.width <= 18 ? 8 : 16;
}

const decoder = new TextDecoder();

/** Decimals below 2^53 divide exactly as the engine does (one correctly rounded division); larger ones ask the engine. */
function decimal(view: DataView, row: number, type: DuckDBType): number {
  const { width, scale } = type as DuckDBDecimalType;
  const bytes = decimalWidth(type as DuckDBDecimalType);
  let unscaled: number;
  if (bytes === 2) unscaled = view.getInt16(row * 2, true);
  else if (bytes === 4) unscaled = view.getInt32(row * 4, true);
  else {
    const high = view.getInt32(row * 8 + 4, true);
    if (high < -0x200000 || high >= 0x200000) return new DuckDBDecimalValue(view.getBigInt64(row * 8, true), width, scale).toDouble();
    unscaled = high * 4294967296 + view.getUint32(row * 8, true);
  }
  return scale <= 22 ? unscaled / 10 ** scale : new DuckDBDecimalValue(BigInt(unscaled), width, scale).toDouble();
}

/** DuckDB's string header: length, then up to 12 bytes inline, else a prefix and a pointer. */
function text(view: DataView, row: number, _type: DuckDBType, data: Uint8Array): string {
  const offset = row * 16;
  const length = view.getUint32(offset, true);
  if (length <= 12) return decoder.decode(data.subarray(offset + 4, offset + 4 + length));
  return decoder.decode(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + offset + 8, length));
}

const readers: Partial<Record<DuckDBTypeId, Reader>> = {
  [DuckDBTypeId.BOOLEAN]: { width: 1, read: (view, row) => view.getUint8(row) !== 0 },
  [DuckDBTypeId.TINYINT]: { width: 1, read: (view, row) => view.getInt8(row) },
  [DuckDBTypeId.UTINYINT]: { width: 1, read: (view, row) => view.getUint8(row) },
  [DuckDBTypeId.SMALLINT]: { width: 2, read: (view, row) => view.getInt16(row * 2, true) },
  [DuckDBTypeId.USMALLINT]: { width: 2, read: (view, row) => view.getUint16(row * 2, true) },
  [DuckDBTypeId.INTEGER]: { width: 4, read: (view, row) => view.getInt32(row * 4, true) },
  [DuckDBTypeId.UINTEGER]: { width: 4, read: (view, row) => view.getUint32(row * 4, true) },
  [DuckDBTypeId.BIGINT]: { width: 8, read: (view, row) => view.getBigInt64(row * 8, true) },
  [DuckDBTypeId.FLOAT]: { width: 4, read: (view, row) => view.getFloat32(row * 4, true) },
  [DuckDBTypeId.DOUBLE]: { width: 8, read: (view, row) => view.getFloat64(row * 8, true) },
  [DuckDBTypeId.DECIMAL]: { width: 8, read: decimal },
  [DuckDBTypeId.VARCHAR]: { width: 16, read: text },
};
