import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { SluiceError } from '../../core/errors.ts';
import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { mysqlConnector, type MysqlReadSettings, type MysqlWriteSettings } from './index.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { waitFor } from '../../testing/wait-for.ts';

const skip = await requirePrerequisites('mariadb');

const url = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const database = `sluice_read_${process.pid}_${Date.now().toString(36)}`;

let bench: ConnectorTestBench;
let admin: mysql.Connection;
let connection: ConnectorConnection<MysqlReadSettings, MysqlWriteSettings>;
let outputs = 0;

before(async () => {
  if (skip) return;
  bench = await openConnectorTestBench('sluice-mysql-read-');
  admin = await mysql.createConnection({ uri: url, multipleStatements: true });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${database}\``);
  const testUrl = Object.assign(new URL(url), { pathname: `/${database}` }).toString();
  // One session, so every read after the first reuses the session the one before it released.
  connection = await mysqlConnector.connect(mysqlConnector.connectionSchema.parse({ url: testUrl }), { name: 'read_mysql', projectRoot: bench.dir, warehousePath: '' });
});

after(async () => {
  await connection?.close();
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  await bench?.close();
});

async function read(query: string, signal?: AbortSignal): Promise<{ table: string; columns: Record<string, string>; rows: number }> {
  const table = `read_${++outputs}`;
  const result = await connection.read!({ settings: mysqlConnector.readSchema.parse({ query }), location: path.join(bench.dir, `${table}.parquet`) }, bench.context(signal));
  await bench.session.attach(table, result.output);
  return { table, columns: Object.fromEntries(result.output.columns.map((c) => [c.name, c.type])), rows: result.output.rows };
}

describe('mysql read path: values as the server sends them', { skip }, () => {
  it('keeps text exact whatever it holds: delimiters, quotes, line breaks, the word NULL, empty strings', async () => {
    const texts = ['a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', 'NULL', '', '\\N', '"', ',', 'héllo 🌍', ' padded '];
    await admin.query('CREATE TABLE texts (id INT PRIMARY KEY, t TEXT, e ENUM(\'\', \'x\'), s SET(\'a\', \'b\', \'c\'), j JSON)');
    await admin.query('INSERT INTO texts VALUES ?', [texts.map((t, i) => [i, t, i % 2 ? 'x' : '', i % 3 ? 'a,c' : '', JSON.stringify({ t })])]);
    await admin.query("INSERT INTO texts VALUES (100, NULL, NULL, NULL, NULL)");
    const { table, columns } = await read('SELECT * FROM texts');
    assert.deepEqual(columns, { id: 'BIGINT', t: 'VARCHAR', e: 'VARCHAR', s: 'VARCHAR', j: 'JSON' });
    const found = await bench.session.query(`SELECT CAST(id AS INTEGER) AS id, t, e, s, CAST(j AS VARCHAR) AS j FROM ${table} ORDER BY id`);
    assert.deepEqual(
      found.map((r) => ({ ...r, j: r.j === null ? null : JSON.parse(String(r.j)) })),
      [
        ...texts.map((t, i) => ({ id: i, t, e: i % 2 ? 'x' : '', s: i % 3 ? 'a,c' : '', j: { t } })),
        { id: 100, t: null, e: null, s: null, j: null },
      ],
    );
  });

  it('maps numbers, bits, zero dates, times and bytes from their text and raw forms', async () => {
    await admin.query(`CREATE TABLE odd (id INT PRIMARY KEY, flag TINYINT(1), b1 BIT(1), b12 BIT(12), big BIGINT UNSIGNED, wide DECIMAL(65,30),
      f FLOAT, d DATE, dt DATETIME, tm TIME(3), raw VARBINARY(8), g GEOMETRY)`);
    await admin.query(`SET SESSION sql_mode = ''`);
    await admin.query(`INSERT INTO odd VALUES
      (1, -1, b'1', b'101010101010', 18446744073709551615, '12345678901234567890123456789012345.123456789012345678901234567890', 1.5, '0000-00-00', '0000-00-00 00:00:00', '-838:59:59.000', X'22002C0A', POINT(1, 2)),
      (2, 0, b'0', b'0', 0, '-0.000000000000000000000000000001', -0.25, '2024-02-29', '2024-02-29 23:59:59', '12:00:00.5', X'', NULL),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const { table, columns } = await read('SELECT * FROM odd');
    assert.deepEqual(columns, {
      id: 'BIGINT', flag: 'BOOLEAN', b1: 'BOOLEAN', b12: 'UBIGINT', big: 'UBIGINT', wide: 'VARCHAR',
      f: 'FLOAT', d: 'DATE', dt: 'TIMESTAMP', tm: 'VARCHAR', raw: 'BLOB', g: 'BLOB',
    });
    const found = await bench.session.query(
      `SELECT CAST(id AS INTEGER) AS id, flag, b1, CAST(b12 AS VARCHAR) AS b12, CAST(big AS VARCHAR) AS big, wide, f,
              CAST(d AS VARCHAR) AS d, CAST(dt AS VARCHAR) AS dt, tm, hex(raw) AS raw, hex(g) AS g FROM ${table} ORDER BY id`,
    );
    // A geometry keeps its SRID prefix: the value is the server's bytes.
    const [point] = await admin.query('SELECT HEX(POINT(1, 2)) AS g');
    const geometry = (point as { g: string }[])[0]!.g;
    assert.deepEqual(found, [
      {
        id: 1, flag: true, b1: true, b12: String(0b101010101010), big: '18446744073709551615', wide: '12345678901234567890123456789012345.123456789012345678901234567890',
        f: 1.5, d: null, dt: null, tm: '-838:59:59.000', raw: '22002C0A', g: geometry,
      },
      { id: 2, flag: false, b1: false, b12: '0', big: '0', wide: '-0.000000000000000000000000000001', f: -0.25, d: '2024-02-29', dt: '2024-02-29 23:59:59', tm: '12:00:00.500', raw: '', g: null },
      { id: 3, flag: null, b1: null, b12: null, big: null, wide: null, f: null, d: null, dt: null, tm: null, raw: null, g: null },
    ]);
  });
});

describe('mysql read path: streaming', { skip }, () => {
  it('reads a result larger than the socket and file buffers, then reuses the session', async () => {
    const n = 150_000;
    const first = await read(`SELECT seq AS id, CONCAT('row "', seq, '",\n', REPEAT('x', seq % 50)) AS note FROM seq_1_to_${n}`);
    assert.equal(first.rows, n);
    const [sums] = await bench.session.query(`SELECT CAST(SUM(id) AS VARCHAR) AS ids, CAST(SUM(length(note)) AS VARCHAR) AS chars FROM ${first.table}`);
    const [want] = (await admin.query(`SELECT CAST(SUM(seq) AS CHAR) AS ids, CAST(SUM(CHAR_LENGTH(CONCAT('row "', seq, '",\n', REPEAT('x', seq % 50)))) AS CHAR) AS chars FROM seq_1_to_${n}`))[0] as Record<string, unknown>[];
    assert.deepEqual({ ...sums }, { ...want });
    const again = await read('SELECT 1 AS one');
    assert.equal(again.rows, 1);
  });

  it('stops a read when cancelled, and the connection keeps working', async () => {
    const controller = new AbortController();
    const reading = read('SELECT seq, REPEAT(\'y\', 200) AS pad FROM seq_1_to_5000000', controller.signal);
    // Cancel once the server runs the query (another session's), not after a guessed time.
    await waitFor(
      async () => {
        const [found] = await admin.query("SELECT count(*) AS n FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND db = DATABASE() AND info LIKE '%seq\\_1\\_to\\_5000000%'");
        return Number((found as { n: number }[])[0]!.n) > 0;
      },
      { what: 'the read of 5,000,000 rows to run on the server' },
    );
    controller.abort();
    await assert.rejects(reading, (error: unknown) => error instanceof SluiceError && error.code === 'mysql.cancelled');
    const after = await read('SELECT 2 AS two');
    assert.equal(after.rows, 1);
  });
});
