import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { DataPlaneSession, Row } from '../../core/data-plane/data-plane.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ConnectorConnection, ConnectorContext, ReadResult, WriteResult } from '../../core/connectors/connector.ts';
import { sqliteConnector, type SqliteReadSettings, type SqliteWriteSettings } from './index.ts';

const oddName = 'odd "table" name';
/** Rows of the round trip: several of the reader's 10,000-row batches and a short last one; SLUICE_HEAVY=1 moves 200,000. */
const bigRows = process.env.SLUICE_HEAVY === '1' ? 200_000 : 25_000;

let dir: string;
let bench: ConnectorTestBench;
let counter = 0;
let session: DataPlaneSession;
let admin: Database.Database;
let connection: ConnectorConnection<SqliteReadSettings, SqliteWriteSettings>;

before(async () => {
  bench = await openConnectorTestBench('sluice-sqlite-test-');
  ({ dir, session } = bench);
  connection = await sqliteConnector.connect(sqliteConnector.connectionSchema.parse({ path: 'db/test.sqlite', busy_timeout: '5' }), { name: 'test_sqlite', projectRoot: dir, warehousePath: '' });
  admin = new Database(path.join(dir, 'db/test.sqlite'));
  admin.defaultSafeIntegers(true);
});

after(async () => {
  admin?.close();
  await connection?.close();
  await bench?.close();
});

function context(signal?: AbortSignal): ConnectorContext {
  return bench.context(signal);
}

function input(sql: string) {
  return bench.input(sql);
}

function write(settings: Record<string, unknown>, data: Awaited<ReturnType<typeof input>>): Promise<WriteResult> {
  return connection.write!({ settings: sqliteConnector.writeSchema.parse(settings), input: data }, context());
}

/** Reads through the connector, then returns the stored output's rows (ordered by the first column) and types. */
async function read(settings: Record<string, unknown>): Promise<{ result: ReadResult; rows: Row[]; types: Record<string, string> }> {
  const name = `output_${++counter}`;
  const result = await connection.read!({ settings: sqliteConnector.readSchema.parse(settings), location: path.join(dir, `${name}.parquet`) }, context());
  await session.attach(name, result.output);
  const rows = await session.query(`SELECT * FROM ${name} ORDER BY 1`);
  return { result, rows, types: Object.fromEntries(result.output.columns.map((c) => [c.name, c.type])) };
}

async function rejects(work: Promise<unknown>, code: string): Promise<SluiceError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const sample = `SELECT * FROM (VALUES
  (1, 9007199254740993::BIGINT, 12345678901234567890123456.78::DECIMAL(38,2), 'café ☕ 雪', true, 1.5::DOUBLE, DATE '2024-02-29', '\\x00\\xFF'::BLOB),
  (2, (-9223372036854775807 - 1)::BIGINT, -0.05::DECIMAL(38,2), '', false, -0.1::DOUBLE, NULL, NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, big, amount, name, flag, ratio, day, bytes)`;

describe('sqlite connector: reading', () => {
  before(() => {
    admin.exec(`CREATE TABLE "${oddName.replaceAll('"', '""')}" (id INTEGER PRIMARY KEY, big BIGINT, price DECIMAL(10,2), label VARCHAR(20), ok BOOLEAN, score REAL, at DATETIME, raw BLOB, anything)`);
    const insert = admin.prepare(`INSERT INTO "${oddName.replaceAll('"', '""')}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    insert.run(1, 9007199254740993n, '19.99', 'naïve – ünïcödé', 1, 2.5, '2024-01-31 13:45:00', Buffer.from([0, 1, 254]), 7n);
    insert.run(2, -5n, 0.1, '', 0, 1e300, null, Buffer.alloc(0), 8n);
    insert.run(3, null, null, null, null, null, null, null, null);
  });

  it('reads a table with an odd name, keeping big integers, decimals, unicode, blobs and NULL exact', async () => {
    const { result, rows, types } = await read({ table: `"${oddName.replaceAll('"', '""')}"` });
    assert.equal(result.rowsIn, 3);
    assert.match(result.summary!, /^read 3 rows from /);
    assert.deepEqual(types, { id: 'BIGINT', big: 'BIGINT', price: 'DECIMAL(10,2)', label: 'VARCHAR', ok: 'BOOLEAN', score: 'DOUBLE', at: 'VARCHAR', raw: 'BLOB', anything: 'BIGINT' });
    assert.equal(rows[0]!.big, 9007199254740993n);
    assert.equal(rows[0]!.label, 'naïve – ünïcödé');
    assert.deepEqual([...(rows[0]!.raw as Uint8Array)], [0, 1, 254]);
    assert.equal(rows[0]!.at, '2024-01-31 13:45:00');
    assert.equal(rows[1]!.label, '');
    assert.equal(rows[1]!.score, 1e300);
    assert.deepEqual(await session.query(`SELECT price::VARCHAR AS p FROM ${result.output.location.includes("'") ? '' : `'${result.output.location}'`} ORDER BY id`), [{ p: '19.99' }, { p: '0.10' }, { p: null }]);
    assert.deepEqual(Object.values(rows[2]!).filter((v) => v !== null), [3n]);
  });

  it('reads a query, typing expressions from their values', async () => {
    const { rows, types } = await read({ query: "SELECT id, big + 1 AS next, score / 2 AS half, label || '!' AS shout, 'x' AS const FROM \"odd \"\"table\"\" name\" WHERE id < 3" });
    assert.deepEqual(types, { id: 'BIGINT', next: 'BIGINT', half: 'DOUBLE', shout: 'VARCHAR', const: 'VARCHAR' });
    assert.deepEqual(rows[0], { id: 1n, next: 9007199254740994n, half: 1.25, shout: 'naïve – ünïcödé!', const: 'x' });
  });

  it('fails on a value that does not fit its declared type, naming the row and column', async () => {
    admin.exec("CREATE TABLE loose (id INTEGER, price DECIMAL(6,2)); INSERT INTO loose VALUES (1, 1.25), (2, 'n/a')");
    const error = await rejects(read({ table: 'loose' }), 'sqlite.bad_value');
    assert.match(error.message, /row 2 of loose, column 'price': text 'n\/a' is not a decimal number/);
    assert.equal(error.location?.record, 2);
    admin.exec("UPDATE loose SET price = 1.255 WHERE id = 2");
    assert.match((await rejects(read({ table: 'loose' }), 'sqlite.bad_value')).message, /more than 2 decimal places/);
  });

  it('says when a table does not exist', async () => {
    await rejects(read({ table: 'nowhere' }), 'sqlite.table_missing');
  });
});

describe('sqlite connector: writing', () => {
  it('replaces a table, the second run leaving only the new rows, and reads back what it wrote exactly', async () => {
    const first = await write({ table: oddName.replaceAll('"', '""').replace(/^/, '"').replace(/$/, '"').replace('odd', 'written odd') }, await input(sample));
    assert.match(first.summary, /^created .* with 3 rows$/);
    const table = `"written odd ""table"" name"`;
    const again = await write({ table }, await input(sample));
    assert.match(again.summary, /^replaced .* with 3 rows$/);
    assert.deepEqual(admin.prepare(`SELECT count(*) AS n FROM ${table}`).get(), { n: 3n });
    const { rows, types } = await read({ table });
    assert.deepEqual(types, { id: 'BIGINT', big: 'BIGINT', amount: 'DECIMAL(38,2)', name: 'VARCHAR', flag: 'BOOLEAN', ratio: 'DOUBLE', day: 'VARCHAR', bytes: 'BLOB' });
    const expected = await session.query(`SELECT id::BIGINT AS id, big, amount, name, flag, ratio, day::VARCHAR AS day, bytes FROM (${sample}) ORDER BY 1`);
    assert.deepEqual(rows, expected);
    assert.equal(rows[0]!.big, 9007199254740993n);
    assert.deepEqual(admin.prepare(`SELECT amount, typeof(amount) AS t FROM ${table} WHERE id = 1`).get(), { amount: '12345678901234567890123456.78', t: 'text' });
  });

  it('appends rows', async () => {
    await write({ table: 'events' }, await input('SELECT i AS id FROM range(5) t(i)'));
    const result = await write({ table: 'events', mode: 'append' }, await input('SELECT i + 5 AS id FROM range(7) t(i)'));
    assert.equal(result.summary, 'appended 7 rows to events');
    assert.deepEqual(admin.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events').get(), { n: 12n, d: 12n });
  });

  it('upserts by key: updates rows that exist and inserts the others', async () => {
    await write({ table: 'customers', mode: 'upsert', key: 'id' }, await input("SELECT i AS id, 'old' AS name FROM range(5) t(i)"));
    await write({ table: 'customers', mode: 'upsert', key: ['id'] }, await input("SELECT i + 3 AS id, 'new' AS name FROM range(5) t(i)"));
    assert.deepEqual(admin.prepare('SELECT name, count(*) AS n FROM customers GROUP BY name ORDER BY name').all(), [{ name: 'new', n: 5n }, { name: 'old', n: 3n }]);
  });

  it('refuses an upsert into a table without a unique key on the key columns', async () => {
    admin.exec('CREATE TABLE no_key (id INTEGER, v TEXT)');
    const error = await rejects(write({ table: 'no_key', mode: 'upsert', key: 'id' }, await input("SELECT 1 AS id, 'a' AS v")), 'sqlite.key_not_unique');
    assert.match(error.message, /no_key.*\(id\)/);
  });

  it('merges: deletes the rows with the input keys, then inserts the input', async () => {
    await write({ table: 'lines' }, await input("SELECT i // 2 AS order_id, i AS line, 'old' AS v FROM range(6) t(i)"));
    const result = await write({ table: 'lines', mode: 'merge', key: 'order_id' }, await input("SELECT 1 AS order_id, 10 AS line, 'new' AS v UNION ALL SELECT 7, 11, 'new'"));
    assert.equal(result.summary, 'merged 2 rows into lines, replacing 2');
    assert.deepEqual(admin.prepare('SELECT order_id, line, v FROM lines ORDER BY order_id, line').all(), [
      { order_id: 0n, line: 0n, v: 'old' },
      { order_id: 0n, line: 1n, v: 'old' },
      { order_id: 1n, line: 10n, v: 'new' },
      { order_id: 2n, line: 4n, v: 'old' },
      { order_id: 2n, line: 5n, v: 'old' },
      { order_id: 7n, line: 11n, v: 'new' },
    ]);
  });

  it('leaves the target as it was when a row fails mid-input, in every mode', async () => {
    admin.exec("CREATE TABLE guarded (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL CHECK (qty >= 0)); INSERT INTO guarded VALUES (1, 10), (2, 20)");
    const before = admin.prepare('SELECT * FROM guarded ORDER BY id').all();
    const nullMidway = await input('SELECT i + 100 AS id, CASE WHEN i = 2500 THEN NULL ELSE i END AS qty FROM range(5000) t(i)');
    const error = await rejects(write({ table: 'guarded' }, nullMidway), 'sqlite.write_failed');
    assert.match(error.message, /input row 2501.*NOT NULL constraint failed: guarded\.qty/);
    assert.equal(error.location?.record, 2501);
    const negative = await input('SELECT i + 100 AS id, CASE WHEN i = 3 THEN -1 ELSE i END AS qty FROM range(10) t(i)');
    await rejects(write({ table: 'guarded', mode: 'append' }, negative), 'sqlite.write_failed');
    await rejects(write({ table: 'guarded', mode: 'upsert', key: 'id' }, negative), 'sqlite.write_failed');
    await rejects(write({ table: 'guarded', mode: 'merge', key: 'id' }, negative), 'sqlite.write_failed');
    assert.deepEqual(admin.prepare('SELECT * FROM guarded ORDER BY id').all(), before);
    assert.equal(admin.inTransaction, false);
  });

  it('refuses an input whose columns do not fit the target, without touching it', async () => {
    admin.exec("CREATE TABLE shaped (id INTEGER NOT NULL, name TEXT NOT NULL, note TEXT); INSERT INTO shaped VALUES (1, 'a', NULL)");
    const error = await rejects(write({ table: 'shaped' }, await input('SELECT 2 AS id, 3 AS extra')), 'sqlite.columns_mismatch');
    assert.match(error.message, /lacks: extra.*input lacks.*: name/);
    assert.deepEqual(admin.prepare('SELECT * FROM shaped').all(), [{ id: 1n, name: 'a', note: null }]);
  });

  it('waits for another writer to finish instead of failing', async () => {
    await write({ table: 'contended' }, await input('SELECT 1 AS id'));
    const data = await input('SELECT 2 AS id');
    const other = new Database(path.join(dir, 'db/test.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    other.prepare('INSERT INTO contended VALUES (3)').run();
    const released = new Promise<void>((resolve) => setTimeout(() => resolve(other.exec('COMMIT').close() && undefined), 300));
    const result = await write({ table: 'contended', mode: 'append' }, data);
    await released;
    assert.equal(result.rows, 1);
    assert.deepEqual(admin.prepare('SELECT id FROM contended ORDER BY id').all(), [{ id: 1n }, { id: 2n }, { id: 3n }]);
  });

  it(`writes and reads ${bigRows.toLocaleString('en-US')} rows with exact counts and sums`, async () => {
    const data = await input(`SELECT i AS id, (i % 1000)::DECIMAL(12,2) / 4 AS amount, 'customer ' || (i % 977) AS name, i * 1.5 AS score FROM range(${bigRows}) t(i)`);
    let started = performance.now();
    const written = await write({ table: 'big' }, data);
    const writeSeconds = (performance.now() - started) / 1000;
    assert.equal(written.rows, bigRows);
    started = performance.now();
    const result = await connection.read!({ settings: { table: 'big' }, location: path.join(dir, 'big.parquet') }, context());
    const readSeconds = (performance.now() - started) / 1000;
    console.log(`${bigRows.toLocaleString('en-US')} rows: write ${Math.round(bigRows / writeSeconds).toLocaleString('en-US')} rows/s, read ${Math.round(bigRows / readSeconds).toLocaleString('en-US')} rows/s`);
    assert.equal(result.output.rows, bigRows);
    const [got] = await session.query(`SELECT count(*) AS n, sum(id) AS ids, sum(amount)::VARCHAR AS amount, sum(score) AS score, count(DISTINCT name) AS names FROM '${result.output.location}'`);
    const [want] = await session.query(`SELECT count(*) AS n, sum(id) AS ids, sum(amount)::VARCHAR AS amount, sum(score) AS score, count(DISTINCT name) AS names FROM ${data.table}`);
    assert.deepEqual(got, want);
  });
});

describe('sqlite connector: SQL and queries', () => {
  it('runs a SQL block inside the database and stores its rows', async () => {
    const result = await connection.runSql!('SELECT count(*) AS n, sum(id) AS total FROM events;', path.join(dir, 'sql_block.parquet'), context());
    assert.deepEqual(await session.query(`SELECT * FROM '${result.output.location}'`), [{ n: 12n, total: 66n }]);
  });

  it('binds $1, $2 parameters and returns exact integers', async () => {
    assert.deepEqual(await connection.query!("SELECT $2 || '$1' AS s, $1 + 1 AS n, 9007199254740993 AS big", [41, 'x']), [{ s: 'x$1', n: 42, big: 9007199254740993n }]);
    assert.deepEqual(await connection.query!('CREATE TABLE made_by_query (v TEXT)'), []);
    await rejects(connection.query!('SELECT * FROM missing_table'), 'sqlite.query_failed');
  });
});
