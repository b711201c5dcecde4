import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngestBodyError, splitIngestBody } from './split-ingest-body.ts';

const text = (records: readonly { payload: Uint8Array; line?: number | undefined }[]) => records.map((r) => [Buffer.from(r.payload).toString('utf8'), r.line]);
const body = (s: string) => Buffer.from(s, 'utf8');

describe('splitting an ingest body into records', () => {
  it('takes a JSON array, one JSON object, or NDJSON lines with their line numbers', () => {
    assert.deepEqual(text(splitIngestBody(body(' [{"id":1}, {"id": 2}, 3]'), 'json', undefined)), [['{"id":1}', undefined], ['{"id":2}', undefined], ['3', undefined]]);
    assert.deepEqual(text(splitIngestBody(body('{"id": 1,\n "a": 2}'), 'json', 'application/json; charset=utf-8')), [['{"id":1,"a":2}', undefined]]);
    assert.deepEqual(text(splitIngestBody(body('{"id":1}\r\n\n{"id":2}\n'), 'json', 'application/x-ndjson')), [['{"id":1}', 1], ['{"id":2}', 3]]);
  });

  it('takes CSV and text one record per line, blank lines skipped', () => {
    assert.deepEqual(text(splitIngestBody(body('1,a\n\n2,"b, c"\r\n'), 'csv', 'text/csv')), [['1,a', 1], ['2,"b, c"', 3]]);
    assert.deepEqual(text(splitIngestBody(body('hello\nworld'), 'text', undefined)), [['hello', 1], ['world', 2]]);
  });

  it('refuses a body that is not UTF-8 or a JSON array that does not parse', () => {
    assert.throws(() => splitIngestBody(new Uint8Array([0xff]), 'json', undefined), (e) => e instanceof IngestBodyError && /not valid UTF-8/.test(e.message));
    assert.throws(() => splitIngestBody(body('[{"id": 1},'), 'json', undefined), /the body is not JSON/);
  });
});
