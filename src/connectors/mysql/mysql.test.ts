import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import type { DataPlaneSession, StoredOutput } from '../../core/data-plane/data-plane.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ConnectorConnection, ConnectorContext, WriteResult } from '../../core/connectors/connector.ts';
import { mysqlConnector, type MysqlReadSettings, type MysqlWriteSettings } from './index.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';

const skip = await requirePrerequisites('mariadb');

const url = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const database = `sluice_test_${process.pid}_${Date.now().toString(36)}`;
const testUrl = Object.assign(new URL(url), { pathname: `/${database}` }).toString();

let dir: string;
let bench: ConnectorTestBench;
let outputs = 0;
let session: DataPlaneSession;
let admin: mysql.Connection;
let connection: ConnectorConnection<MysqlReadSettings, MysqlWriteSettings>;

before(async () => {
  if (skip) return;
  bench = await openConnectorTestBench('sluice-mysql-test-');
  ({ dir, session } = bench);
  admin = await mysql.createConnection({ uri: url, supportBigNumbers: true, dateStrings: true, jsonStrings: true, multipleStatements: true });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${database}\``);
  connection = await mysqlConnector.connect(mysqlConnector.connectionSchema.parse({ url: testUrl }), { name: 'test_mysql', projectRoot: dir, warehousePath: '' });
});

after(async () => {
  await connection?.close();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  await bench?.close();
});

function context(signal?: AbortSignal): ConnectorContext {
  return bench.context(signal);
}

function input(sql: string) {
  return bench.input(sql);
}

function write(settings: Record<string, unknown>, data: Awaited<ReturnType<typeof input>>): Promise<WriteResult> {
  return connection.write!({ settings: mysqlConnector.writeSchema.parse(settings), input: data }, context());
}

/** Reads through the connector and makes the stored output visible as a table. */
async function read(settings: Record<string, unknown>): Promise<{ output: StoredOutput; table: string }> {
  const table = `read_${++outputs}`;
  const result = await connection.read!({ settings: mysqlConnector.readSchema.parse(settings), location: path.join(dir, `${table}.parquet`) }, context());
  await session.attach(table, result.output);
  return { output: result.output, table };
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const [found] = await admin.query(sql);
  return (found as Record<string, unknown>[]).map((r) => ({ ...r }));
}

async function leftovers(): Promise<string[]> {
  const found = await rows(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME LIKE '\\_sluice\\_%'`);
  return found.map((r) => String(r.t));
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

const oddName = 'odd "name" `with` spaces';
const oddSql = `\`${oddName.replaceAll('`', '``')}\``;
/** In settings a part holding double quotes (or a dot) is itself written in double quotes, inner ones doubled. */
const oddSetting = `"${oddName.replaceAll('"', '""')}"`;

describe('mysql connector: reading', { skip }, () => {
  before(async () => {
    await admin.query(
      `CREATE TABLE ${oddSql} (id BIGINT PRIMARY KEY, amount DECIMAL(38,10), at DATETIME(6), day DATE, doc JSON, flag BOOLEAN,
        ratio DOUBLE, note VARCHAR(100), bytes VARBINARY(16), small INT UNSIGNED)`,
    );
    await admin.query(`INSERT INTO ${oddSql} VALUES
      (9007199254740993, '1234567890123456789012345678.0123456789', '2024-02-29 23:59:59.123456', '2024-02-29', '{"a": [1, "x"]}', TRUE, 0.1, 'héllo 🌍 "q"', X'00FF10', 4294967295),
      (-9223372036854775808, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (2, '-0.0000000001', '1970-01-01 00:00:00', '1000-01-01', 'null', FALSE, -1.5e300, '', X'', 0)`);
  });

  it('reads a table with an odd name, mapping every column type from the metadata and keeping values exact', async () => {
    const { output, table } = await read({ table: oddSetting });
    assert.equal(output.rows, 3);
    assert.deepEqual(Object.fromEntries(output.columns.map((c) => [c.name, c.type])), {
      id: 'BIGINT', amount: 'DECIMAL(38,10)', at: 'TIMESTAMP', day: 'DATE', doc: 'JSON', flag: 'BOOLEAN',
      ratio: 'DOUBLE', note: 'VARCHAR', bytes: 'BLOB', small: 'BIGINT',
    });
    const found = await session.query(
      `SELECT CAST(id AS VARCHAR) AS id, CAST(amount AS VARCHAR) AS amount, CAST("at" AS VARCHAR) AS "at", CAST(day AS VARCHAR) AS day,
              CAST(doc AS VARCHAR) AS doc, flag, ratio, note, hex(bytes) AS bytes, CAST(small AS VARCHAR) AS small FROM ${table} ORDER BY id`,
    );
    assert.deepEqual(found, [
      { id: '-9223372036854775808', amount: null, at: null, day: null, doc: null, flag: null, ratio: null, note: null, bytes: null, small: null },
      { id: '2', amount: '-0.0000000001', at: '1970-01-01 00:00:00', day: '1000-01-01', doc: 'null', flag: false, ratio: -1.5e300, note: '', bytes: '', small: '0' },
      {
        id: '9007199254740993', amount: '1234567890123456789012345678.0123456789', at: '2024-02-29 23:59:59.123456', day: '2024-02-29',
        doc: '{"a": [1, "x"]}', flag: true, ratio: 0.1, note: 'héllo 🌍 "q"', bytes: '00FF10', small: '4294967295',
      },
    ]);
  });

  it('reads a query and runs a SQL block inside the database, both typed from the result', async () => {
    const { output, table } = await read({ query: `SELECT id, CAST(amount * 2 AS DECIMAL(38,10)) AS doubled, amount * 2 AS wide FROM ${oddSql} WHERE id > 0;` });
    assert.deepEqual(output.columns, [{ name: 'id', type: 'BIGINT' }, { name: 'doubled', type: 'DECIMAL(38,10)' }, { name: 'wide', type: 'VARCHAR' }]);
    const found = await session.query(`SELECT CAST(id AS VARCHAR) AS id, CAST(doubled AS VARCHAR) AS d FROM ${table} ORDER BY id`);
    assert.deepEqual(found, [{ id: '2', d: '-0.0000000002' }, { id: '9007199254740993', d: '2469135780246913578024691356.0246913578' }]);

    const sqlBlock = await connection.runSql!('SELECT COUNT(*) AS n, MAX(note) AS top FROM ' + oddSql, path.join(dir, 'sql-block.parquet'), context());
    assert.equal(sqlBlock.output.rows, 1);
    assert.deepEqual(sqlBlock.output.columns, [{ name: 'n', type: 'BIGINT' }, { name: 'top', type: 'VARCHAR' }]);
  });

  it('keeps the declared columns of an empty result', async () => {
    const { output } = await read({ query: `SELECT id, note FROM ${oddSql} WHERE 1 = 0` });
    assert.equal(output.rows, 0);
    assert.deepEqual(output.columns, [{ name: 'id', type: 'BIGINT' }, { name: 'note', type: 'VARCHAR' }]);
  });

  it('answers small queries with ? parameters', async () => {
    const found = await connection.query!(`SELECT note FROM ${oddSql} WHERE id = ?`, ['9007199254740993']);
    assert.deepEqual(found.map((r) => ({ ...r })), [{ note: 'héllo 🌍 "q"' }]);
  });

  it('names a missing table', async () => {
    const error = await rejects(read({ table: 'nope' }), 'mysql.table_missing');
    assert.match(error.message, /nope does not exist in 'test_mysql'/);
  });
});

describe('mysql connector: writing', { skip }, () => {
  it('creates, then replaces a table: the second run leaves only the new rows, types exact', async () => {
    const first = await write(
      { table: 'sales' },
      await input(`SELECT 9007199254740993 + i AS id, CAST('12345678901234567890.0123456789' AS DECIMAL(38,10)) AS amount,
                          TIMESTAMP '2024-01-02 03:04:05.123456' AS at, DATE '2024-01-02' AS day, i % 2 = 0 AS even,
                          'ünï ' || i AS label, CAST('{"k": 1}' AS JSON) AS doc, 0.1::DOUBLE AS ratio FROM range(100) t(i)`),
    );
    assert.equal(first.rows, 100);
    assert.match(first.summary, /^created .*sales with 100 rows$/);
    const [types] = await rows(`SHOW CREATE TABLE sales`);
    assert.match(String(types!['Create Table']), /`amount` decimal\(38,10\).*`at` datetime\(6\).*`even` tinyint\(1\).*`label` longtext/s);
    const [row] = await rows(`SELECT CAST(id AS CHAR) AS id, CAST(amount AS CHAR) AS amount, CAST(at AS CHAR) AS at, even, label, doc, ratio FROM sales ORDER BY id LIMIT 1`);
    assert.deepEqual(row, { id: '9007199254740993', amount: '12345678901234567890.0123456789', at: '2024-01-02 03:04:05.123456', even: 1, label: 'ünï 0', doc: '{"k": 1}', ratio: 0.1 });

    const second = await write({ table: 'sales' }, await input(`SELECT 5 + i AS id, 2.5::DECIMAL(38,10) AS amount, NULL::TIMESTAMP AS at, NULL::DATE AS day,
                                                                 true AS even, 'x' AS label, NULL::JSON AS doc, 1.0::DOUBLE AS ratio FROM range(40) t(i)`));
    assert.match(second.summary, /^replaced .*sales with 40 rows$/);
    assert.deepEqual(await rows('SELECT COUNT(*) AS n, MIN(id) AS lo, CAST(SUM(amount) AS CHAR) AS total FROM sales'), [{ n: 40, lo: 5, total: '100.0000000000' }]);
    assert.deepEqual(await leftovers(), []);
  });

  it('appends rows', async () => {
    await write({ table: 'events' }, await input('SELECT i AS id FROM range(5) t(i)'));
    const result = await write({ table: 'events', mode: 'append' }, await input('SELECT i + 5 AS id FROM range(7) t(i)'));
    assert.match(result.summary, /^appended 7 rows to .*events$/);
    assert.deepEqual(await rows('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM events'), [{ n: 12, d: 12 }]);
  });

  it('upserts by key: updates rows that exist and inserts the others', async () => {
    await write({ table: 'customers', mode: 'upsert', key: ['id'] }, await input("SELECT i AS id, 'old' AS name FROM range(5) t(i)"));
    await write({ table: 'customers', mode: 'upsert', key: 'id' }, await input("SELECT i + 3 AS id, 'new' AS name FROM range(5) t(i)"));
    assert.deepEqual(await rows('SELECT name, COUNT(*) AS n FROM customers GROUP BY name ORDER BY name'), [{ name: 'new', n: 5 }, { name: 'old', n: 3 }]);
  });

  it('refuses an upsert into a table without a unique key on the key columns', async () => {
    await admin.query('CREATE TABLE no_key (id BIGINT, v TEXT)');
    const error = await rejects(write({ table: 'no_key', mode: 'upsert', key: ['id'] }, await input("SELECT 1 AS id, 'a' AS v")), 'mysql.key_not_unique');
    assert.match(error.message, /no_key.*\(id\)/);
  });

  it('merges: deletes the rows whose key is in the input, then inserts the input', async () => {
    await write({ table: 'orders', mode: 'merge', key: ['region', 'day'] }, await input("SELECT r AS region, d AS day, 1 AS v FROM (VALUES ('a'), ('b')) r(r), range(3) d(d)"));
    const result = await write({ table: 'orders', mode: 'merge', key: ['region', 'day'] }, await input("SELECT 'a' AS region, 1 AS day, v FROM range(10, 13) t(v)"));
    assert.match(result.summary, /^merged 3 rows into .*orders, replacing 1$/);
    assert.deepEqual(await rows("SELECT region, COUNT(*) AS n, SUM(v) AS s FROM orders GROUP BY region ORDER BY region"), [
      { region: 'a', n: 5, s: '35' },
      { region: 'b', n: 3, s: '3' },
    ]);
  });

  it('leaves the target as it was when a load fails mid-way, in every mode', async () => {
    await admin.query('CREATE TABLE strict_t (id BIGINT PRIMARY KEY, v VARCHAR(20) NOT NULL)');
    await admin.query("INSERT INTO strict_t VALUES (1, 'kept'), (2, 'kept')");
    const bad = await input("SELECT i + 10 AS id, CASE WHEN i = 2500 THEN NULL ELSE 'new' END AS v FROM range(3000) t(i)");
    for (const settings of [{ mode: 'replace' }, { mode: 'append' }, { mode: 'upsert', key: 'id' }, { mode: 'merge', key: 'id' }]) {
      const error = await rejects(write({ table: 'strict_t', ...settings }, bad), 'mysql.write_failed');
      assert.match(error.message, /cannot be null/i, settings.mode);
      assert.equal(error.retryable, false);
      assert.deepEqual(await rows('SELECT id, v FROM strict_t ORDER BY id'), [{ id: 1, v: 'kept' }, { id: 2, v: 'kept' }], settings.mode);
    }
    // A failed load into a missing table creates nothing.
    await rejects(write({ table: 'fresh_t', mode: 'append' }, await input("SELECT CASE WHEN i = 1500 THEN 'inf'::DOUBLE ELSE i END AS x FROM range(3000) t(i)")), 'mysql.write_failed');
    assert.deepEqual(await rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME = 'fresh_t'"), []);
    assert.deepEqual(await leftovers(), []);
  });

  it('refuses an input whose columns do not match the target, without touching it', async () => {
    await admin.query("CREATE TABLE shaped (id BIGINT NOT NULL, name TEXT NOT NULL)");
    await admin.query("INSERT INTO shaped VALUES (1, 'a')");
    const extra = await rejects(write({ table: 'shaped', mode: 'append' }, await input("SELECT 2 AS id, 'b' AS name, 3 AS surplus")), 'mysql.columns_mismatch');
    assert.match(extra.message, /lacks: surplus/);
    const missing = await rejects(write({ table: 'shaped' }, await input('SELECT 2 AS id')), 'mysql.columns_mismatch');
    assert.match(missing.message, /input lacks \(not null, no default\): name/);
    assert.deepEqual(await rows('SELECT id, name FROM shaped'), [{ id: 1, name: 'a' }]);
  });

  it('writes to and reads back a table whose name holds spaces, quotes and backticks', async () => {
    await write({ table: `"w \`odd\` ""t"" . x"` }, await input("SELECT 1 AS \"col `x`\""));
    assert.deepEqual(await rows("SELECT `col ``x``` AS v FROM `w ``odd`` \"t\" . x`"), [{ v: 1 }]);
    const { table } = await read({ table: `"w \`odd\` ""t"" . x"` });
    assert.deepEqual(await session.query(`SELECT CAST("col \`x\`" AS VARCHAR) AS v FROM ${table}`), [{ v: '1' }]);
  });
});

describe('mysql connector: merging in place', { skip }, () => {
  /** A merge, with the debug lines it logged: a merge that deletes, then inserts says why. */
  async function merge(table: string, sql: string, key: string[]): Promise<{ result: WriteResult; debug: string[] }> {
    const debug: string[] = [];
    const logger = { ...context().logger, debug: (line: string) => void debug.push(line) };
    const result = await connection.write!({ settings: mysqlConnector.writeSchema.parse({ table, mode: 'merge', key }), input: await input(sql) }, { ...context(), logger });
    return { result, debug };
  }

  it('merges into a table keyed on exactly the key with one statement that ends as delete and insert would', async () => {
    await admin.query('CREATE TABLE m_pk (code VARCHAR(10) PRIMARY KEY, v INT NOT NULL, note VARCHAR(20)) COLLATE utf8mb4_general_ci');
    await admin.query("INSERT INTO m_pk VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, 'z'), ('e', 5, 'kept')");
    // 'A' meets 'a' under the collation and lands as the input spells it; 'b' is set to the values it has; 'c' changes; 'd' is new.
    const { result, debug } = await merge('m_pk', "SELECT * FROM (VALUES ('A', 1, 'x'), ('b', 2, 'y'), ('c', 30, NULL), ('d', 4, 'new')) t(code, v, note)", ['code']);
    assert.deepEqual(debug, []);
    assert.match(result.summary, /^merged 4 rows into .*m_pk, replacing 3$/);
    assert.deepEqual(await rows('SELECT code, v, note FROM m_pk ORDER BY code'), [
      { code: 'A', v: 1, note: 'x' },
      { code: 'b', v: 2, note: 'y' },
      { code: 'c', v: 30, note: null },
      { code: 'd', v: 4, note: 'new' },
      { code: 'e', v: 5, note: 'kept' },
    ]);
  });

  it('fails a merge whose input repeats a key the table holds once, leaving the table as it was', async () => {
    await admin.query('CREATE TABLE m_twice (id BIGINT PRIMARY KEY, v INT NOT NULL)');
    await admin.query('INSERT INTO m_twice VALUES (1, 1)');
    const error = await rejects(merge('m_twice', 'SELECT * FROM (VALUES (1, 10), (2, 20), (2, 21)) t(id, v)', ['id']), 'mysql.write_failed');
    assert.match(error.message, /m_twice.*Duplicate entry '2'/);
    assert.deepEqual(await rows('SELECT id, v FROM m_twice'), [{ id: 1, v: 1 }]);
    assert.deepEqual(await leftovers(), []);
  });

  it('deletes, then inserts where an update in place would end otherwise', async () => {
    // A column the input lacks takes its default in the new row; an update would keep 'custom'.
    await admin.query("CREATE TABLE m_default (id BIGINT PRIMARY KEY, v INT, note VARCHAR(10) DEFAULT 'd')");
    await admin.query("INSERT INTO m_default VALUES (1, 1, 'custom')");
    const lacking = await merge('m_default', 'SELECT 1 AS id, 2 AS v', ['id']);
    assert.match(lacking.debug.join('\n'), /with DELETE, then INSERT: the input lacks note/);
    assert.deepEqual(await rows('SELECT id, v, note FROM m_default'), [{ id: 1, v: 2, note: 'd' }]);

    // A second unique index: the new row (3, 'x') collides with row 1 on v, where an update would have rekeyed row 1.
    await admin.query('CREATE TABLE m_unique (id BIGINT PRIMARY KEY, v VARCHAR(10) UNIQUE)');
    await admin.query("INSERT INTO m_unique VALUES (1, 'x'), (2, 'y')");
    const collision = await rejects(merge('m_unique', "SELECT 3 AS id, 'x' AS v", ['id']), 'mysql.write_failed');
    assert.match(collision.message, /Duplicate entry 'x'/);
    assert.deepEqual(await rows('SELECT id, v FROM m_unique ORDER BY id'), [{ id: 1, v: 'x' }, { id: 2, v: 'y' }]);

    // Triggers see a delete and an insert.
    await admin.query('CREATE TABLE m_trig (id BIGINT PRIMARY KEY, v INT)');
    await admin.query('CREATE TABLE m_trig_log (what VARCHAR(10), id BIGINT)');
    await admin.query("CREATE TRIGGER m_trig_d AFTER DELETE ON m_trig FOR EACH ROW INSERT INTO m_trig_log VALUES ('delete', OLD.id)");
    await admin.query("CREATE TRIGGER m_trig_u AFTER UPDATE ON m_trig FOR EACH ROW INSERT INTO m_trig_log VALUES ('update', OLD.id)");
    await admin.query('INSERT INTO m_trig VALUES (1, 1), (2, 2)');
    const triggered = await merge('m_trig', 'SELECT * FROM (VALUES (2, 20), (3, 30)) t(id, v)', ['id']);
    assert.match(triggered.debug.join('\n'), /it has triggers/);
    assert.deepEqual(await rows('SELECT what, id FROM m_trig_log'), [{ what: 'delete', id: 2 }]);

    // A foreign key on delete cascade removes the children of a replaced row.
    await admin.query('CREATE TABLE m_parent (id BIGINT PRIMARY KEY, v INT) ENGINE=InnoDB');
    await admin.query('CREATE TABLE m_child (pid BIGINT, FOREIGN KEY (pid) REFERENCES m_parent (id) ON DELETE CASCADE) ENGINE=InnoDB');
    await admin.query('INSERT INTO m_parent VALUES (1, 1), (2, 2)');
    await admin.query('INSERT INTO m_child VALUES (1), (2)');
    const cascaded = await merge('m_parent', 'SELECT 1 AS id, 10 AS v', ['id']);
    assert.match(cascaded.debug.join('\n'), /it has foreign keys/);
    assert.deepEqual(await rows('SELECT pid FROM m_child'), [{ pid: 2 }]);
    assert.match(cascaded.result.summary, /replacing 1$/);
  });
});

describe('mysql connector: connecting', { skip }, () => {
  const password = 'n0t-the-Real-pass!';

  it('fails on a bad password naming connection, host and database, never the password, and does not retry', async () => {
    const settings = mysqlConnector.connectionSchema.parse({ url, password });
    const error = await rejects(mysqlConnector.connect(settings, { name: 'bad_login', projectRoot: dir, warehousePath: '' }), 'mysql.connect_failed');
    assert.match(error.message, /'bad_login'.*127\.0\.0\.1:3306, database test/);
    assert.ok(!error.message.includes(password) && !JSON.stringify(error.toJSON()).includes(password));
    assert.ok(!String((error.cause as Error).message).includes(password));
    assert.equal(error.retryable, false);
  });

  it('fails on an unreachable port as retryable, never showing the password', async () => {
    const settings = mysqlConnector.connectionSchema.parse({ host: '127.0.0.1', port: 1, user: 'root', password, database: 'shop', connect_timeout: 2 });
    const error = await rejects(mysqlConnector.connect(settings, { name: 'down', projectRoot: dir, warehousePath: '' }), 'mysql.connect_failed');
    assert.match(error.message, /'down'.*127\.0\.0\.1:1, database shop/);
    assert.ok(!error.message.includes(password));
    assert.equal(error.retryable, true);
  });
});

describe('mysql connector: volume', { skip }, () => {
  it('writes and reads back 200,000 rows with exact counts and sums', async (t) => {
    const data = await input(`SELECT i AS id, CAST(i / 100 AS DECIMAL(18,2)) AS amount, 'row ' || i AS label, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS at FROM range(200000) t(i)`);
    let started = performance.now();
    const written = await write({ table: 'big' }, data);
    const writeSeconds = (performance.now() - started) / 1000;
    assert.equal(written.rows, 200_000);
    assert.deepEqual(await rows('SELECT COUNT(*) AS n, CAST(SUM(id) AS CHAR) AS ids, CAST(SUM(amount) AS CHAR) AS total FROM big'), [{ n: 200_000, ids: '19999900000', total: '199999000.00' }]);

    started = performance.now();
    const { output, table } = await read({ table: 'big' });
    const readSeconds = (performance.now() - started) / 1000;
    assert.equal(output.rows, 200_000);
    assert.deepEqual(await session.query(`SELECT CAST(SUM(id) AS VARCHAR) AS ids, CAST(SUM(amount) AS VARCHAR) AS total, CAST(MAX("at") AS VARCHAR) AS last FROM ${table}`), [
      { ids: '19999900000', total: '199999000.00', last: '2024-01-03 07:33:19' },
    ]);
    t.diagnostic(`write ${Math.round(200_000 / writeSeconds).toLocaleString('en-US')} rows/s, read ${Math.round(200_000 / readSeconds).toLocaleString('en-US')} rows/s`);
  });
});
