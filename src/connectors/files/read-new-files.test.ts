import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConnection, ReadResult } from '../../core/connectors/connector.ts';
import { SluiceError } from '../../core/errors.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import type { FileReadSettings, FileWriteSettings } from './file-settings.ts';
import { fileConnector } from './index.ts';

let bench: ConnectorTestBench;
let connection: ConnectorConnection<FileReadSettings, FileWriteSettings>;
let outputs = 0;

before(async () => {
  bench = await openConnectorTestBench('sluice-files-incremental-');
  connection = await fileConnector.connect({}, { name: 'file', projectRoot: bench.dir, warehousePath: '' });
});

after(async () => {
  await connection.close();
  await bench.close();
});

function put(name: string, text: string, mtime?: Date): void {
  const file = path.join(bench.dir, 'landing', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  if (mtime) fs.utimesSync(file, mtime, mtime);
}

async function read(settings: Record<string, unknown> = {}, block = 'orders_in'): Promise<{ result: ReadResult; ids: number[]; files: string[] }> {
  const table = `out_${++outputs}`;
  const parsed = fileConnector.readSchema.parse({ path: 'landing/*.csv', incremental: true, filename: true, ...settings });
  const result = await connection.read!({ settings: parsed, location: path.join(bench.dir, `${table}.parquet`) }, { ...bench.context(), block });
  await bench.session.attach(table, result.output);
  const rows = await bench.session.query(`SELECT id, filename FROM ${table} ORDER BY id`);
  return { result, ids: rows.map((r) => Number(r.id)), files: [...new Set(rows.map((r) => path.basename(String(r.filename))))].sort() };
}

describe('file connector: incremental (new files only)', () => {
  it('reads every file first, then only new or changed ones, and nothing when nothing changed', async () => {
    put('a.csv', 'id,v\n1,a\n2,a\n');
    put('b.csv', 'id,v\n3,b\n');
    const first = await read();
    assert.deepEqual(first.ids, [1, 2, 3]);
    assert.match(first.result.summary!, /from 2 new or changed of 2 matching files/);

    const idle = await read();
    assert.equal(idle.result.output.rows, 0);
    assert.deepEqual(idle.result.output.columns.map((c) => c.name), ['id', 'v', 'filename']);
    assert.match(idle.result.summary!, /no new or changed files among the 2/);

    put('c.csv', 'id,v\n4,c\n');
    put('a.csv', 'id,v\n1,a\n2,a\n5,a\n'); // grown: read again whole
    const next = await read();
    assert.deepEqual(next.files, ['a.csv', 'c.csv']);
    assert.deepEqual(next.ids, [1, 2, 4, 5]);
  });

  it('notices a file rewritten with the same size but a new modification time', async () => {
    put('d.csv', 'id,v\n6,d\n', new Date('2024-01-01T00:00:00Z'));
    assert.deepEqual((await read()).files, ['d.csv']);
    put('d.csv', 'id,v\n7,d\n', new Date('2024-01-02T00:00:00Z'));
    assert.deepEqual((await read()).ids, [7]);
  });

  it('after a failed read, reads the same files again next time', async () => {
    put('e.csv', 'id,v\n8,e\n');
    put('f.csv', 'id,v\nnot a number,f\n');
    await assert.rejects(read({ columns: { id: 'INTEGER' } }), SluiceError);
    put('f.csv', 'id,v\n9,f\n');
    const retry = await read({ columns: { id: 'INTEGER' } });
    assert.deepEqual(retry.files, ['e.csv', 'f.csv']);
    assert.deepEqual(retry.ids, [8, 9]);
  });

  it('keeps a separate list per block', async () => {
    const other = await read({}, 'orders_audit');
    assert.deepEqual(other.files, ['a.csv', 'b.csv', 'c.csv', 'd.csv', 'e.csv', 'f.csv']);
  });

  it('refuses incremental on an xlsx workbook', async () => {
    await assert.rejects(read({ path: 'landing/book.xlsx', filename: undefined }), (error: SluiceError) => error.code === 'file.incremental_unsupported');
  });
});
