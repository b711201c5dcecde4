import type { ColumnTypes, Row } from '../../core/data-plane/data-plane.ts';
import type { BrokerSinkFile } from '../../core/pipeline/streaming-schema.ts';
import { jsonValue } from '../file-sink.ts';

/**
 * A record as a broker message's payload: a JSON object (timestamps as ISO
 * 8601, a bigint as a number when it fits, else as its digits), or a CSV line
 * of its values in the order of the batch's columns (RFC 4180 quoting, no
 * header, null as an empty field).
 */
export function encodeRecord(row: Row, types: ColumnTypes, format: BrokerSinkFile['format']): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify(row, jsonValue));
  const columns = Object.keys(types).length ? Object.keys(types) : Object.keys(row);
  return Buffer.from(columns.map((c) => csvField(row[c])).join(','));
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value, jsonValue) : String(value);
  return /[",\r\n]/.test(text) || text === '' ? `"${text.replaceAll('"', '""')}"` : text;
}
