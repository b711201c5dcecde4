import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConnection, ConnectorContext, WriteRequest } from '../../core/connectors/connector.ts';
import type { DataPlane, DataPlaneSession, Row } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteLiteral, quoteQualified } from '../../core/sql/quote.ts';
import { duckdbConnector } from './index.ts';

type Connection = ConnectorConnection<Parameters<typeof duckdbConnector.readSchema.parse>[0], ReturnType<typeof duckdbConnector.writeSchema.parse>>;

/** One "process": a data plane, a session and the connection to the warehouse file. */
interface Side {
  readonly plane: DataPlane;
  readonly session: DataPlaneSession;
  readonly connection: Connection;
  readonly context: ConnectorContext;
}

let root: string;
const warehouse = 'data/warehouse.duckdb';
let counter = 0;
let main: Side;

async function openSide(name: string): Promise<Side> {
  const plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', `spill-${name}`) });
  const session = await plane.openSession();
  const connection = (await duckdbConnector.connect({ path: warehouse }, { name: 'warehouse', projectRoot: root, warehousePath: path.join(root, warehouse) })) as Connection;
  const context: ConnectorContext = {
    projectRoot: root,
    tempDir: path.join(root, '.sluice', 'tmp'),
    session,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    block: `export_${name}`,
  };
  return { plane, session, connection, context };
}

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  main = await openSide('main');
});

after(async () => {
  await main.plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Stores `sql` as a block output and attaches it, as the engine does for an exporter's input. */
async function input(sql: string, side: Side = main): Promise<WriteRequest<unknown>['input']> {
  const table = `input_${++counter}`;
  const stored = await side.session.storeQuery(sql, path.join(root, '.sluice', 'outputs', `${table}.parquet`));
  await side.session.attach(table, stored);
  return { table, columns: stored.columns, rows: stored.rows };
}

async function write(table: string, mode: string, sql: string, key?: string[], side: Side = main) {
  const settings = duckdbConnector.writeSchema.parse({ table, mode, ...(key ? { key } : {}) });
  return side.connection.write!({ settings, input: await input(sql, side) }, side.context);
}

/** The table's rows, read straight from the warehouse file. */
async function contents(table: string, order = 'ORDER BY ALL', side: Side = main): Promise<Row[]> {
  await side.session.attachDatabase(path.join(root, warehouse), 'check_wh', { readOnly: true });
  try {
    return await side.session.query(`SELECT * FROM check_wh.${quoteQualified(table)} ${order}`);
  } finally {
    await side.session.detachDatabase('check_wh');
  }
}

async function failure(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the write to fail');
}

const people = `SELECT * FROM (VALUES (1, 'ann'), (2, 'bob')) t(id, name)`;

describe('duckdb connector: write', () => {
  it('creates a table with replace and swaps its contents and shape on the next run', async () => {
    const first = await write('replaced', 'replace', people);
    assert.equal(first.rows, 2);
    assert.match(first.summary, /replaced replaced in data\/warehouse\.duckdb: 2 rows/);
    await write('replaced', 'replace', `SELECT 'x' AS code`);
    assert.deepEqual(await contents('replaced'), [{ code: 'x' }]);
  });

  it('creates a table with append, then adds rows by column name', async () => {
    await write('appended', 'append', people);
    await write('appended', 'append', `SELECT 'cy' AS name, 3 AS id`);
    assert.deepEqual(await contents('appended'), [
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
      { id: 3, name: 'cy' },
    ]);
  });

  it('refuses to append input whose columns differ, leaving the table as it was', async () => {
    await write('strict_append', 'replace', people);
    const error = await failure(write('strict_append', 'append', `SELECT 3 AS id, 'cy' AS name, true AS extra`));
    assert.equal(error.code, 'duckdb.columns_mismatch');
    assert.match(error.message, /extra/);
    const missing = await failure(write('strict_append', 'append', `SELECT 3 AS id`));
    assert.match(missing.message, /not in the input: name/);
    assert.deepEqual(await contents('strict_append'), [
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
    ]);
  });

  it('upserts by key: a rerun replaces rows instead of repeating them', async () => {
    await write('upserted', 'upsert', people, ['id']);
    const update = `SELECT * FROM (VALUES (2, 'bobby'), (3, 'cy')) t(id, name)`;
    await write('upserted', 'upsert', update, ['id']);
    await write('upserted', 'upsert', update, ['id']);
    assert.deepEqual(await contents('upserted'), [
      { id: 1, name: 'ann' },
      { id: 2, name: 'bobby' },
      { id: 3, name: 'cy' },
    ]);
  });

  it('merges by a key of several columns', async () => {
    const day = (rows: string) => `SELECT * FROM (VALUES ${rows}) t(region, day, total)`;
    await write('merged', 'merge', day(`('eu', 1, 10), ('us', 1, 20), ('eu', 2, 30)`), ['region', 'day']);
    await write('merged', 'merge', day(`('eu', 2, 31), ('us', 2, 40)`), ['region', 'day']);
    await write('merged', 'merge', day(`('eu', 2, 31), ('us', 2, 40)`), ['region', 'day']);
    assert.deepEqual(await contents('merged'), [
      { region: 'eu', day: 1, total: 10 },
      { region: 'eu', day: 2, total: 31 },
      { region: 'us', day: 1, total: 20 },
      { region: 'us', day: 2, total: 40 },
    ]);
  });

  it('refuses input that repeats a key, leaving the table as it was', async () => {
    await write('keyed', 'upsert', people, ['id']);
    const error = await failure(write('keyed', 'merge', `SELECT * FROM (VALUES (1, 'a'), (1, 'b'), (4, 'd')) t(id, name)`, ['id']));
    assert.equal(error.code, 'duckdb.duplicate_keys');
    assert.equal(error.location?.block, 'export_main');
    assert.deepEqual(await contents('keyed'), [
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
    ]);
  });

  it('undoes the delete of an upsert whose insert fails', async () => {
    await write('atomic', 'replace', `SELECT * FROM (VALUES (1, 10), (2, 20)) t(id, amount)`);
    const error = await failure(write('atomic', 'upsert', `SELECT * FROM (VALUES (1, 'not a number')) t(id, amount)`, ['id']));
    assert.equal(error.code, 'duckdb.write_failed');
    assert.deepEqual(await contents('atomic'), [
      { id: 1, amount: 10 },
      { id: 2, amount: 20 },
    ]);
  });

  it('asks for a key for upsert and merge', () => {
    assert.equal(duckdbConnector.writeSchema.safeParse({ table: 't', mode: 'upsert' }).success, false);
    assert.equal(duckdbConnector.writeSchema.safeParse({ table: 't', mode: 'merge', key: [] }).success, false);
    assert.equal(duckdbConnector.writeSchema.safeParse({ table: 't' }).success, true);
  });

  it('writes and reads a table whose name has quotes, spaces and unicode', async () => {
    const odd = '"my ""odd"" täble ✓"';
    await write(odd, 'replace', people);
    const read = await main.connection.read!(
      { settings: duckdbConnector.readSchema.parse({ table: odd }), location: path.join(root, '.sluice', 'outputs', 'odd.parquet') },
      main.context,
    );
    assert.equal(read.output.rows, 2);
    await main.session.attachDatabase(path.join(root, warehouse), 'names_wh', { readOnly: true });
    try {
      const names = await main.session.query(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'names_wh' AND table_name LIKE 'my %'`);
      assert.deepEqual(names, [{ table_name: 'my "odd" täble ✓' }]);
    } finally {
      await main.session.detachDatabase('names_wh');
    }
  });

  it('appends to a table whose unquoted name has spaces and unicode', async () => {
    await write('Ünïcode täble', 'append', people);
    await write('Ünïcode täble', 'append', people);
    assert.equal((await contents('"Ünïcode täble"')).length, 4);
  });

  it(
    'appends to and upserts into an existing table whose quoted name holds doubled quotes',
    async () => {
      const odd = '"my ""odd"" table"';
      await write(odd, 'replace', people);
      await write(odd, 'append', `SELECT 3 AS id, 'cy' AS name`);
      await write(odd, 'upsert', `SELECT 3 AS id, 'cyd' AS name`, ['id']);
      assert.deepEqual(await contents(odd), [
        { id: 1, name: 'ann' },
        { id: 2, name: 'bob' },
        { id: 3, name: 'cyd' },
      ]);
    },
  );
});

describe('duckdb connector: read', () => {
  it('reads a whole table into the block output', async () => {
    await write('to_read', 'replace', people);
    const location = path.join(root, '.sluice', 'outputs', 'read-table.parquet');
    const result = await main.connection.read!({ settings: duckdbConnector.readSchema.parse({ table: 'to_read' }), location }, main.context);
    assert.equal(result.output.location, location);
    assert.equal(result.output.rows, 2);
    assert.deepEqual(result.output.columns.map((c) => c.name), ['id', 'name']);
    assert.match(result.summary ?? '', /read 2 rows from data\/warehouse\.duckdb/);
  });

  it('runs a query whose table names resolve in the warehouse, then detaches it', async () => {
    await write('to_query', 'replace', people);
    const location = path.join(root, '.sluice', 'outputs', 'read-query.parquet');
    const result = await main.connection.read!(
      { settings: duckdbConnector.readSchema.parse({ query: `SELECT name FROM to_query WHERE id > 1` }), location },
      main.context,
    );
    assert.deepEqual(await main.session.query(`SELECT * FROM read_parquet(${quoteLiteral(result.output.location)})`), [{ name: 'bob' }]);
    const attached = await main.session.query(`SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1`);
    assert.deepEqual(attached, [{ database_name: 'memory' }]);
    assert.deepEqual(await main.session.query('SELECT current_database() AS db'), [{ db: 'memory' }]);
  });

  it('asks for exactly one of table and query', () => {
    assert.equal(duckdbConnector.readSchema.safeParse({}).success, false);
    assert.equal(duckdbConnector.readSchema.safeParse({ table: 't', query: 'select 1' }).success, false);
  });
});

describe('duckdb connector: two sessions', () => {
  it('lets two data planes write the same warehouse file one after another', async () => {
    const other = await openSide('other');
    try {
      await write('shared', 'replace', people, undefined, main);
      await write('shared', 'upsert', `SELECT * FROM (VALUES (2, 'BOB'), (3, 'cy')) t(id, name)`, ['id'], other);
      await write('shared', 'append', `SELECT 4 AS id, 'dee' AS name`, undefined, main);
      const expected = [
        { id: 1, name: 'ann' },
        { id: 2, name: 'BOB' },
        { id: 3, name: 'cy' },
        { id: 4, name: 'dee' },
      ];
      assert.deepEqual(await contents('shared', 'ORDER BY ALL', other), expected);
      assert.deepEqual(await contents('shared', 'ORDER BY ALL', main), expected);
    } finally {
      await other.plane.close();
    }
  });
});
