import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MysqlCsvWriter, type RawValue } from './mysql-csv.ts';
import type { FieldKind } from './mysql-types.ts';

/** A value's bytes as the driver hands them over: UTF-8 text read one character per byte. */
const raw = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function csv(kinds: FieldKind[], rows: RawValue[][]): { text: string; chunks: number; rows: number } {
  const chunks: Buffer[] = [];
  const writer = new MysqlCsvWriter(kinds, (chunk) => chunks.push(Buffer.from(chunk)));
  for (const row of rows) writer.row(row);
  writer.finish();
  return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length, rows: writer.rows };
}

describe('MysqlCsvWriter', () => {
  it('writes NULL as an empty field, the empty string as "", and quotes only text that needs it', () => {
    const out = csv(['text', 'text', 'plain'], [
      [null, raw(''), '12.50'],
      [raw('a,b'), raw('say "hi"'), '-1'],
      [raw('NULL'), raw('line\nbreak\r'), null],
    ]);
    assert.equal(out.text, ',"",12.50\n"a,b","say ""hi""",-1\nNULL,"line\nbreak\r",\n');
    assert.equal(out.rows, 3);
  });

  it('gives back the very bytes of UTF-8 text', () => {
    const text = 'héllo 🌍 «ü» 中文';
    assert.equal(csv(['text'], [[raw(text)]]).text, `${text}\n`);
  });

  it('turns zero dates into NULL, integers into booleans, BIT bytes into booleans and numbers, bytes into \\x escapes', () => {
    const out = csv(['datetime', 'datetime', 'boolean', 'boolean', 'bitBoolean', 'bits', 'blob', 'blob'], [
      ['0000-00-00', '0000-00-00 00:00:00', '0', '-3', '\x00', '\x0a\xaa', '\x22\x00\xff', ''],
      ['2024-02-29', '2024-02-29 23:59:59.123456', '1', '10', '\x01', '', null, null],
    ]);
    assert.equal(out.text, ',,false,true,false,2730,\\x22\\x00\\xff,""\n2024-02-29,2024-02-29 23:59:59.123456,true,true,true,0,,\n');
  });

  it('hands the output on in chunks of about a megabyte, a longer row in a chunk of its own', () => {
    const wide = 'x'.repeat(3 << 20);
    const rows: RawValue[][] = Array.from({ length: 40_000 }, (_, i) => [raw(`row ${i} ${'y'.repeat(40)}`)]);
    rows.splice(20_000, 0, [wide]);
    const out = csv(['text'], rows);
    assert.equal(out.rows, 40_001);
    assert.ok(out.chunks >= 3 && out.chunks <= 6, `${out.chunks} chunks`);
    const lines = out.text.split('\n');
    assert.equal(lines[20_000], wide);
    assert.equal(lines[40_000], `row 39999 ${'y'.repeat(40)}`);
  });
});
