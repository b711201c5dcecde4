import duckdb from '@duckdb/node-bindings';
import { DuckDBDecimalType, DuckDBDecimalValue, DuckDBTypeId, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import { TextCache } from './text-cache.ts';

/**
 * JS values of one column of a chunk, read straight from the vector's memory
 * for the common scalar types; undefined for any other type (the caller then
 * uses the engine's own converter). Every value equals what that converter
 * gives: numbers for small integers and floats, bigints for BIGINT, the
 * decimal's nearest double, strings for text.
 */
export function fastColumnValues(chunk: DuckDBDataChunk, column: number, type: DuckDBType, texts: TextCache = sharedTexts): unknown[] | undefined {
  if (type.typeId === DuckDBTypeId.VARCHAR) return textValues(chunk, column, texts);
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

const sharedTexts = new TextCache();
const pageBytes = 4096;

/**
 * A text column. DuckDB's string header is a length, then up to 12 bytes
 * inline, else a 4-byte prefix and a pointer. Fetching each long value
 * through its pointer is a native call per value. The engine lays a chunk's
 * long values out one after another in a few blocks, so values are grouped
 * into runs that follow each other with gaps under a page, and one call
 * fetches each run. Every page a run spans holds some value's bytes, so
 * nothing unmapped is read.
 */
function textValues(chunk: DuckDBDataChunk, column: number, texts: TextCache): string[] {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, column);
  const data = duckdb.vector_get_data(vector, rows * 16);
  const validity = duckdb.vector_get_validity(vector, Math.ceil(rows / 64) * 8) ?? null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const runOf = runIndex.length >= rows ? runIndex : (runIndex = new Int32Array(rows));
  let runs = 0;
  let current = -1;
  for (let row = 0; row < rows; row++) {
    const offset = row * 16;
    const length = view.getUint32(offset, true);
    runOf[row] = -1;
    if (length <= 12 || (validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0)) continue;
    const at = view.getUint32(offset + 8, true) + view.getUint32(offset + 12, true) * 4294967296;
    if (current >= 0 && at >= runEnd[current]! && at - runEnd[current]! < pageBytes) {
      runEnd[current] = at + length;
      runOf[row] = current;
      continue;
    }
    let found = -1;
    for (let r = 0; r < runs; r++) {
      if (at >= runStart[r]! && at + length <= runEnd[r]!) {
        found = r;
        break;
      }
    }
    if (found < 0 && runs < maxRuns) {
      found = current = runs++;
      runStart[found] = at;
      runEnd[found] = at + length;
      runRow[found] = row;
    }
    runOf[row] = found;
  }
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < runs; r++) blocks.push(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + runRow[r]! * 16 + 8, runEnd[r]! - runStart[r]!));
  const values: string[] = new Array(rows);
  for (let row = 0; row < rows; row++) {
    if (validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0) {
      values[row] = null as unknown as string;
      continue;
    }
    const offset = row * 16;
    const length = view.getUint32(offset, true);
    const run = runOf[row]!;
    if (length <= 12) values[row] = texts.text(data, offset + 4, length);
    else if (run >= 0) values[row] = texts.text(blocks[run]!, view.getUint32(offset + 8, true) + view.getUint32(offset + 12, true) * 4294967296 - runStart[run]!, length);
    else values[row] = texts.text(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + offset + 8, length), 0, length);
  }
  return values;
}

/** Runs of long values per chunk; values past the last run are fetched one by one. */
const maxRuns = 64;
const runStart = new Float64Array(maxRuns);
const runEnd = new Float64Array(maxRuns);
const runRow = new Int32Array(maxRuns);
let runIndex = new Int32Array(2048);

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
};
