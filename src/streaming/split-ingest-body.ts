import type { PayloadFormat } from '../core/pipeline/streaming-schema.ts';
import type { IngestRecord } from './sources/ingest-endpoints.ts';

/** A body that cannot be split into records at all; its message says where. */
export class IngestBodyError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Splits a POSTed body into records, each the payload of one message:
 *
 * - `json`: a JSON array (each element a record), one JSON object (with
 *   `Content-Type: application/json`), or NDJSON (a JSON value per line);
 * - `csv` and `text`: one record per line.
 *
 * Blank lines are skipped; a line-based record keeps its line number, so a
 * refused record can be named by line as well as by index. A record whose
 * value is wrong is not this function's concern: the pipeline's decoder
 * judges each one, and refuses it alone.
 */
export function splitIngestBody(body: Uint8Array, format: PayloadFormat, contentType: string | undefined): IngestRecord[] {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new IngestBodyError('the body is not valid UTF-8 text');
  }
  if (format === 'json') {
    const start = text.trimStart()[0];
    const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (start === '[' || (mediaType === 'application/json' && start === '{')) return jsonRecords(text, start === '[');
  }
  return lineRecords(text);
}

function jsonRecords(text: string, array: boolean): IngestRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IngestBodyError(`the body is not JSON: ${(error as Error).message} (send a JSON array of records, or one record per line as NDJSON)`);
  }
  const records = array ? (value as unknown[]) : [value];
  return records.map((record) => ({ payload: encoder.encode(JSON.stringify(record)) }));
}

function lineRecords(text: string): IngestRecord[] {
  const records: IngestRecord[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line += 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') continue;
    records.push({ payload: encoder.encode(content), line });
  }
  return records;
}
