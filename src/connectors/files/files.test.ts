import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConnection, ConnectorContext } from '../../core/connectors/connector.ts';
import type { DataPlane, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import { fileConnector, rejectsLocation } from './index.ts';
import type { FileReadSettings, FileWriteSettings } from './file-settings.ts';

let root: string;
let plane: DataPlane;
let session: DataPlaneSession;
let connection: ConnectorConnection<FileReadSettings, FileWriteSettings>;
const warnings: string[] = [];
let counter = 0;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  session = await plane.openSession();
  connection = await fileConnector.connect({}, { name: 'file', projectRoot: root, warehousePath: path.join(root, 'wh.duckdb') });
  const input = await session.storeQuery(`SELECT * FROM (VALUES (1, 'a,b', 1.5), (2, NULL, 2.0)) t(id, label, score) ORDER BY id`, path.join(root, '.sluice', 'input.parquet'));
  await session.attach('report', input);
});

after(async () => {
  await connection.close();
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function context(): ConnectorContext {
  return {
    projectRoot: root,
    tempDir: path.join(root, '.sluice', 'tmp'),
    session,
    logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    signal: new AbortController().signal,
    block: 'files_block',
  };
}

function put(name: string, text: string): void {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const outputLocation = (): string => path.join(root, '.sluice', 'outputs', `block${++counter}.parquet`);
const readSettings = (settings: Record<string, unknown>) => fileConnector.readSchema.parse(settings);
const writeSettings = (settings: Record<string, unknown>) => fileConnector.writeSchema.parse(settings);
const input = { table: 'report', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'label', type: 'VARCHAR' }, { name: 'score', type: 'DECIMAL(2,1)' }], rows: 2 };
const partials = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.partial'));

describe('file connector: read', () => {
  it('reads a CSV relative to the project root into the block output', async () => {
    put('data/sales.csv', 'id,amount\n1,10.5\n2,20\n');
    const location = outputLocation();
    const result = await connection.read!({ settings: readSettings({ path: 'data/sales.csv' }), location }, context());
    assert.equal(result.output.location, location);
    assert.equal(result.output.rows, 2);
    assert.equal(result.rowsIn, 2);
    assert.match(result.summary ?? '', /read 2 rows from data\/sales\.csv/);
    assert.equal(fs.existsSync(rejectsLocation(location)), false);
  });

  it('reads a TSV by its extension', async () => {
    put('data/t.tsv', 'a\tb\n1\tx y\n');
    const result = await connection.read!({ settings: readSettings({ path: 'data/t.tsv' }), location: outputLocation() }, context());
    assert.deepEqual(result.output.columns.map((c) => c.name), ['a', 'b']);
  });

  it('stops at the first bad row by default', async () => {
    put('data/bad.csv', 'id,amount\n1,10\n2,oops\n');
    await assert.rejects(
      connection.read!({ settings: readSettings({ path: 'data/bad.csv', columns: { amount: 'INTEGER' } }), location: outputLocation() }, context()),
      (error: unknown) => error instanceof SluiceError && error.code === 'file.bad_row' && error.location?.line === 3,
    );
  });

  it('stores rejected rows beside the output with on_error: reject', async () => {
    put('data/mixed.csv', 'id,amount\n1,10\n2,oops\n3,30\n');
    const location = outputLocation();
    warnings.length = 0;
    const result = await connection.read!(
      { settings: readSettings({ path: 'data/mixed.csv', columns: { amount: 'INTEGER' }, on_error: 'reject' }), location },
      context(),
    );
    assert.equal(result.output.rows, 2);
    assert.equal(result.rowsIn, 3);
    assert.match(result.summary ?? '', /1 rejected/);
    const rejects = rejectsLocation(location);
    assert.equal(rejects, location.replace(/\.parquet$/, '.rejects.parquet'));
    assert.ok(fs.existsSync(rejects));
    const rows = await session.query(`SELECT file, line, "column", "row" FROM read_parquet(${quoteLiteral(rejects)})`);
    assert.deepEqual(rows, [{ file: 'data/mixed.csv', line: 3n, column: 'amount', row: '2,oops' }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /data\/mixed\.csv:3/);
  });

  it('refuses a path whose format it cannot tell', async () => {
    put('data/notes.txt', 'hello');
    await assert.rejects(
      connection.read!({ settings: readSettings({ path: 'data/notes.txt' }), location: outputLocation() }, context()),
      { code: 'file.unknown_format' },
    );
  });
});

describe('file connector: write', () => {
  for (const [name, check] of [
    ['out.csv', (text: string) => assert.equal(text, 'id,label,score\n1,"a,b",1.5\n2,,2.0\n')],
    ['out.jsonl', (text: string) => assert.deepEqual(text.trim().split('\n').map((l) => JSON.parse(l).id), [1, 2])],
    ['out.parquet', (text: string) => assert.equal(text.slice(0, 4), 'PAR1')],
  ] as const) {
    it(`writes ${name} in place of an older file, leaving no partial file`, async () => {
      const target = path.join(root, 'exports', name);
      put(path.join('exports', name), 'old content');
      const result = await connection.write!({ settings: writeSettings({ path: `exports/${name}` }), input }, context());
      assert.equal(result.rows, 2);
      assert.match(result.summary, new RegExp(`wrote 2 rows to exports/${name.replace('.', '\\.')}`));
      check(fs.readFileSync(target, 'latin1'));
      assert.deepEqual(partials(path.dirname(target)), []);
    });
  }

  it('writes a TSV with tabs', async () => {
    await connection.write!({ settings: writeSettings({ path: 'exports/out.tsv', header: false }), input }, context());
    assert.equal(fs.readFileSync(path.join(root, 'exports', 'out.tsv'), 'utf8'), '1\ta,b\t1.5\n2\t\t2.0\n');
  });

  it('gzips a .csv.gz target when compression is given', async () => {
    await connection.write!({ settings: writeSettings({ path: 'exports/given.csv.gz', compression: 'gzip' }), input }, context());
    const bytes = fs.readFileSync(path.join(root, 'exports', 'given.csv.gz'));
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
  });

  it(
    'gzips a .csv.gz target, as its name says, when no compression is given',

    async () => {
      await connection.write!({ settings: writeSettings({ path: 'exports/implied.csv.gz' }), input }, context());
      const bytes = fs.readFileSync(path.join(root, 'exports', 'implied.csv.gz'));
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
    },
  );

  it('keeps the older file and leaves no partial file when writing fails', async () => {
    put('exports/kept.csv', 'old content');
    await assert.rejects(
      connection.write!({ settings: writeSettings({ path: 'exports/kept.csv' }), input: { ...input, table: 'no_such_table' } }, context()),
      (error: unknown) => error instanceof SluiceError && error.code === 'file.write_failed' && /kept\.csv/.test(error.message),
    );
    assert.equal(fs.readFileSync(path.join(root, 'exports', 'kept.csv'), 'utf8'), 'old content');
    assert.deepEqual(partials(path.join(root, 'exports')), []);
  });

  it('refuses a target whose format it cannot tell', async () => {
    await assert.rejects(connection.write!({ settings: writeSettings({ path: 'exports/out.dat' }), input }, context()), { code: 'file.unknown_format' });
  });
});
