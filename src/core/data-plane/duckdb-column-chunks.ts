import duckdb from '@duckdb/node-bindings';
import { DuckDBDecimalType, DuckDBTypeId, type DuckDBConnection, type DuckDBDataChunk, type DuckDBType } from '@duckdb/node-api';
import type { ColumnVector } from './column-chunk.ts';
import type { TypedColumnChunk } from './data-plane.ts';
import { readAhead } from './duckdb-read-ahead.ts';

/** Chunks fetched ahead of the consumer: the engine keeps reading while a chunk is encoded and sent. */
const chunksAhead = 8;

/**
 * Streams a query's result as column chunks straight from DuckDB's vectors:
 * no JS value is made for a fixed-width cell. Up to `chunksAhead` chunks are
 * fetched ahead (`readAhead`), so the engine reads while the caller encodes
 * and waits on its socket, and memory stays at a few chunks.
 */
export async function* streamDuckColumns(connection: DuckDBConnection, sql: string, signal?: AbortSignal): AsyncGenerator<TypedColumnChunk> {
  const result = await connection.stream(sql);
  const columnTypes = result.columnTypes();
  const types = columnTypes.map((t) => t.toString());
  const widths = columnTypes.map(byteWidth);
  for await (const chunk of readAhead(result, chunksAhead)) {
    if (signal?.aborted) throw signal.reason;
    yield toColumnChunk(chunk, types, widths);
  }
}

function toColumnChunk(chunk: DuckDBDataChunk, types: readonly string[], widths: readonly number[]): TypedColumnChunk {
  const rowCount = chunk.rowCount;
  const columns: ColumnVector[] = widths.map((width, index) => {
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, index);
    const data = width > 0 ? duckdb.vector_get_data(vector, rowCount * width) : new Uint8Array(0);
    const validity = duckdb.vector_get_validity(vector, Math.ceil(rowCount / 64) * 8) ?? null;
    let outOfLine: OutOfLineStrings | undefined;
    return {
      data,
      validity,
      bytesAt: (row: number) => {
        const offset = row * 16;
        const length = stringLength(data, offset);
        if (length <= 12) return data.subarray(offset + 4, offset + 4 + length);
        // The chunk is captured so its memory outlives every copy taken from it.
        outOfLine ??= gatherOutOfLine(chunk, data, validity, rowCount);
        const start = outOfLine.at[row]!;
        return outOfLine.pieces[outOfLine.piece[row]!]!.subarray(start, start + length);
      },
    };
  });
  return { rowCount, columns, types };
}

/** DuckDB's string header: a length, then the bytes inline (up to 12) or a prefix and a pointer. */
function stringLength(data: Uint8Array, offset: number): number {
  return (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
}

/** Where each row's out-of-line bytes were copied: `pieces[piece[row]]` from `at[row]`. */
interface OutOfLineStrings {
  readonly pieces: Uint8Array[];
  readonly piece: Int32Array;
  readonly at: Int32Array;
}

/**
 * Copies a text vector's longer values out of the engine once per chunk:
 * values that lie one after another in the engine's memory (as a column
 * decoded from a file does) are copied in one call, and a value met again at
 * the same address (a dictionary's entry) is not copied twice. A call per
 * value, each making a buffer, cost more than encoding the whole row. Only
 * bytes of the values themselves are ever read.
 */
function gatherOutOfLine(_chunk: DuckDBDataChunk, data: Uint8Array, validity: Uint8Array | null, rowCount: number): OutOfLineStrings {
  const pieces: Uint8Array[] = [];
  const piece = new Int32Array(rowCount);
  const at = new Int32Array(rowCount);
  // Address of a value already placed -> its row, so a repeat points at the same bytes.
  const seen = new Map<number, number>();
  let runRow = -1;
  let runStart = 0;
  let runEnd = 0;
  const flush = (): void => {
    if (runRow < 0) return;
    pieces.push(duckdb.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + runRow * 16 + 8, runEnd - runStart));
    runRow = -1;
  };
  for (let row = 0; row < rowCount; row++) {
    if (validity !== null && (validity[row >> 3]! & (1 << (row & 7))) === 0) continue;
    const offset = row * 16;
    const length = stringLength(data, offset);
    if (length <= 12) continue;
    const low = (data[offset + 8]! | (data[offset + 9]! << 8) | (data[offset + 10]! << 16) | (data[offset + 11]! << 24)) >>> 0;
    const high = (data[offset + 12]! | (data[offset + 13]! << 8) | (data[offset + 14]! << 16) | (data[offset + 15]! << 24)) >>> 0;
    const address = high * 4294967296 + low;
    if (runRow >= 0 && address === runEnd) {
      piece[row] = pieces.length;
      at[row] = address - runStart;
      runEnd += length;
      seen.set(address, row);
      continue;
    }
    const earlier = seen.get(address);
    if (earlier !== undefined && stringLength(data, earlier * 16) >= length) {
      piece[row] = piece[earlier]!;
      at[row] = at[earlier]!;
      continue;
    }
    flush();
    runRow = row;
    runStart = address;
    runEnd = address + length;
    piece[row] = pieces.length;
    at[row] = 0;
    seen.set(address, row);
  }
  flush();
  return { pieces, piece, at };
}

/** Bytes per value in a flat vector; 0 for types whose values are not laid out one after another. */
function byteWidth(type: DuckDBType): number {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.UTINYINT:
      return 1;
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.USMALLINT:
      return 2;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.FLOAT:
      return 4;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIME:
      return 8;
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.BLOB:
      return 16;
    case DuckDBTypeId.DECIMAL: {
      const { width } = type as DuckDBDecimalType;
      return width <= 4 ? 2 : width <= 9 ? 4 : width <= 18 ? 8 : 16;
    }
    default:
      return 0;
  }
}
