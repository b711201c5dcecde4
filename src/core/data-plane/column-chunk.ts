/**
 * A slice of a query's result held column by column in the engine's own
 * memory layout, for bulk encoders that must not pay a JS value per cell.
 * Valid only until the next chunk of the same stream is asked for.
 */
export interface ColumnChunk {
  readonly rowCount: number;
  readonly columns: readonly ColumnVector[];
}

export interface ColumnVector {
  /**
   * One bit per row, least significant bit first (row i is bit i % 8 of byte
   * i >> 3): set when the row has a value. Null when every row has one.
   */
  readonly validity: Uint8Array | null;
  /**
   * Fixed-width values, little-endian, one after another (8 bytes a BIGINT,
   * 16 a HUGEINT or UUID, and so on). For text and blobs: 16-byte headers,
   * a little-endian uint32 length and then, up to 12 bytes long, the value
   * itself; a longer value is read through `bytesAt`.
   */
  readonly data: Uint8Array;
  /** The bytes of row `row` of a text or blob column; only for rows that have a value. */
  bytesAt(row: number): Uint8Array;
}

/** Whether row `row` of `vector` has a value. */
export function hasValue(vector: ColumnVector, row: number): boolean {
  const validity = vector.validity;
  return validity === null || (validity[row >> 3]! & (1 << (row & 7))) !== 0;
}
