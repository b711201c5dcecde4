import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { checkUniqueColumnNames, storeServerCsv } from './store-server-csv.ts';

describe("storing a server's CSV in the data plane", () => {
  let bench: ConnectorTestBench;
  before(async () => {
    bench = await openConnectorTestBench('sluice-server-csv-');
  });
  after(() => bench.close());

  const columns = [
    { name: 'id', type: 'BIGINT' },
    { name: 'note', type: 'VARCHAR' },
  ];
  const request = (file: string, rows: number) => ({ kind: 'db', label: 'public.notes', connection: 'src', file, columns, rows, location: path.join(bench.dir, `out-${rows}.parquet`) });

  it('keeps NULL apart from the empty string and types every column as declared', async () => {
    const file = path.join(bench.dir, 'notes.csv');
    await writeFile(file, '1,""\n2,\n3,"a,b"\n');
    const result = await storeServerCsv(request(file, 3), bench.context());
    assert.equal(result.output.rows, 3);
    assert.deepEqual(result.output.columns, columns);
    assert.equal(result.summary, "read 3 rows from public.notes in 'src'");
    const rows = await bench.session.query(`SELECT id, note FROM read_parquet('${result.output.location}') ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.note), ['', null, 'a,b']);
  });

  it('fails when the data plane stored fewer rows than the server sent', async () => {
    const file = path.join(bench.dir, 'short.csv');
    await writeFile(file, '1,a\n2,b\n');
    await assert.rejects(storeServerCsv(request(file, 5), bench.context()), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'db.read_failed');
      assert.match(e.message, /cannot store the rows of public.notes from 'src': 5 rows were read but 2 stored/);
      return true;
    });
  });

  it('refuses a result whose column names differ only in case', () => {
    assert.throws(() => checkUniqueColumnNames('db', ['id', 'ID'], 'the query'), /the query returns more than one column named 'ID'/);
  });
});
