import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { SluiceError } from '../../core/errors.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { LoadDataRefused, loadDataInto } from './mysql-load-data.ts';
import { siblingTable } from './mysql-names.ts';

const skip = await requirePrerequisites('mariadb');

const url = process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const database = `sluice_load_${process.pid}_${Date.now().toString(36)}`;

let bench: ConnectorTestBench;
let admin: mysql.Connection;

before(async () => {
  if (skip) return;
  bench = await openConnectorTestBench('sluice-mysql-load-');
  admin = await mysql.createConnection({ uri: url });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
});

after(async () => {
  await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await admin?.end();
  await bench?.close();
});

/** A session of its own, in a transaction like a write's, on a fresh table `name`. */
async function loadInto(name: string, options: mysql.ConnectionOptions = {}): Promise<{ conn: mysql.Connection; table: ReturnType<typeof siblingTable> }> {
  await admin.query(`CREATE TABLE \`${database}\`.\`${name}\` (id BIGINT PRIMARY KEY, note TEXT) ENGINE=InnoDB`);
  const conn = await mysql.createConnection({ uri: url, ...options });
  await conn.beginTransaction();
  return { conn, table: siblingTable(database, name) };
}

async function count(name: string): Promise<number> {
  const [rows] = await admin.query(`SELECT count(*) AS n FROM \`${database}\`.\`${name}\``);
  return Number((rows as { n: number }[])[0]!.n);
}

async function pipesLeft(): Promise<string[]> {
  return (await readdir(bench.context().tempDir).catch(() => [] as string[])).filter((f) => f.endsWith('.pipe'));
}

describe('mysql LOAD DATA through a pipe', { skip }, () => {
  it('streams the input while the data plane writes it, every row and value intact', async () => {
    const input = await bench.input("SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN 'NULL' ELSE 'n\\' || i || ',\"q\"' END AS note FROM range(300000) t(i)");
    const { conn, table } = await loadInto('streamed');
    try {
      assert.equal(await loadDataInto(conn, table, input, bench.context()), 300_000);
      await conn.commit();
    } finally {
      await conn.end();
    }
    const [rows] = await admin.query(`SELECT count(*) AS n, sum(note IS NULL) AS nulls, sum(note = 'NULL') AS word, sum(note = 'n\\\\8,"q"') AS odd FROM \`${database}\`.streamed`);
    assert.deepEqual(rows, [{ n: 300_000, nulls: '42858', word: '51428', odd: '1' }]);
    assert.deepEqual(await pipesLeft(), []);
  });

  it('says LOAD DATA LOCAL is refused, without waiting on the data plane, when the client does not allow it', async () => {
    const input = await bench.input("SELECT i AS id, repeat('x', 200) AS note FROM range(200000) t(i)");
    const { conn, table } = await loadInto('refused', { flags: ['-LOCAL_FILES'] });
    try {
      await assert.rejects(loadDataInto(conn, table, input, bench.context()), LoadDataRefused);
    } finally {
      await conn.end();
    }
    assert.equal(await count('refused'), 0);
    assert.deepEqual(await pipesLeft(), []);
  });

  it('fails the load when the data plane fails partway, and the transaction leaves the table empty', async () => {
    const stored = await bench.input("SELECT i AS id, 'n' || i AS note FROM range(300000) t(i)");
    // Read back through a view that fails on a row past the first chunks, after the server has rows.
    await bench.session.query(`CREATE OR REPLACE VIEW failing AS SELECT id, CASE WHEN id = 250000 THEN error('the input broke') ELSE note END AS note FROM ${stored.table}`);
    const { conn, table } = await loadInto('broken');
    try {
      const error = await loadDataInto(conn, table, { ...stored, table: 'failing' }, bench.context()).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SluiceError, String(error));
      assert.equal(error.code, 'mysql.write_failed');
      assert.match(error.message, /reading the input failed: .*the input broke/);
      await conn.rollback();
    } finally {
      await conn.end();
    }
    assert.equal(await count('broken'), 0);
    assert.deepEqual(await pipesLeft(), []);
  });
});
