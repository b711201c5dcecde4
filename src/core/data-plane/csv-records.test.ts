import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { excerpt, findLongRecord, placeRecords } from './csv-records.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-records-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function put(content: string | Buffer): string {
  const file = path.join(dir, `f${++counter}.csv`);
  fs.writeFileSync(file, content);
  return file;
}

describe('placeRecords', () => {
  it('counts a quoted field that spans lines as one record', async () => {
    const file = put('a,b\n1,"x\ny"\n2,z\n3,"p\r\nq"\n4,w\n');
    const places = await placeRecords(file, {}, [3, 5]);
    assert.equal(places.get(3)?.line, 4);
    assert.equal(places.get(3)?.excerpt, '2,z');
    assert.equal(places.get(5)?.line, 7);
  });

  it('handles CRLF, skipped lines, doubled quotes and another escape', async () => {
    assert.equal((await placeRecords(put('junk\r\nmore\r\na,b\r\n"say ""hi\n""",1\r\n2,2\r\n'), { skip: 2 }, [3])).get(3)?.line, 6);
    assert.equal((await placeRecords(put('a,b\n"x\\"\ny",1\n2,2\n'), { escape: '\\' }, [3])).get(3)?.line, 4);
    const crlf = await placeRecords(put('a,b\r\n12,34\r\n'), {}, [2]);
    assert.deepEqual([crlf.get(2)?.bytes, crlf.get(2)?.excerpt], [5, '12,34']);
  });

  it('reads gzip files', async () => {
    const file = path.join(dir, 'z.csv.gz');
    fs.writeFileSync(file, gzipSync('a\n"1\n2"\n3\n'));
    assert.equal((await placeRecords(file, { gzip: true }, [3])).get(3)?.line, 4);
  });
});

describe('findLongRecord', () => {
  it('finds the first record over the limit, with its line and a short excerpt', async () => {
    const file = put(`id,v\n1,a\n2,"${'x'.repeat(300_000)}\n${'y'.repeat(10)}"\n3,b\n`);
    const found = await findLongRecord(file, {}, 100_000);
    assert.equal(found?.line, 3);
    assert.equal(found?.bytes, 300_015);
    assert.ok(found!.excerpt.length <= 120);
    assert.equal(await findLongRecord(file, {}, 400_000), undefined);
  });

  it('looks only at the first records when told', async () => {
    const file = put(`a\n1\n2\n${'x'.repeat(1000)}\n`);
    assert.equal(await findLongRecord(file, {}, 100, 3), undefined);
    assert.equal((await findLongRecord(file, {}, 100, 4))?.line, 4);
  });
});

describe('excerpt', () => {
  it('cuts a long value and says how long it was', () => {
    assert.equal(excerpt('short'), 'short');
    assert.equal(excerpt('x'.repeat(100), 10), `${'x'.repeat(10)}… (100 characters)`);
  });
});
