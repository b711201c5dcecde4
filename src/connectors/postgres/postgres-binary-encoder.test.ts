import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { quoteIdent } from '../../core/sql/quote.ts';
import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import { requirePrerequisites } from '../../testing/require-prerequisites.ts';
import { openConnectorTestBench, type ConnectorTestBench } from '../testing/connector-test-bench.ts';
import { binaryCopyPlan } from './postgres-binary-encoder.ts';
import { writeNumeric } from './postgres-binary-numeric.ts';
import { postgresConnector, type PostgresReadSettings, type PostgresWriteSettings } from './index.ts';

/** The fields of one encoded numeric: ndigits, weight, sign, dscale, digits. */
function numeric(unscaled: number | bigint, scale: number): number[] {
  const view = new DataView(new ArrayBuffer(128));
  const end = writeNumeric(view, 0, unscaled, scale);
  assert.equal(view.getInt32(0), end - 4, 'the length prefix counts the bytes after it');
  const out: number[] = [];
  for (let at = 4; at < end; at += 2) out.push(at === 8 ? view.getUint16(at) : view.getInt16(at));
  return out;
}

describe('binary numeric encoding', () => {
  it('groups digits in fours from the decimal point', () => {
    assert.deepEqual(numeric(1234, 2), [2, 0, 0, 2, 12, 3400]); // 12.34
    assert.deepEqual(numeric(-5, 2), [1, -1, 0x4000, 2, 500]); // -0.05
    assert.deepEqual(numeric(0, 2), [0, 0, 0, 2]); // 0.00
    assert.deepEqual(numeric(100000000, 0), [1, 2, 0, 0, 1]); // 1 0000 0000: trailing zero groups dropped
    assert.deepEqual(numeric(1, 10), [1, -3, 0, 10, 100]); // 0.0000000001
  });

  it('encodes every value the same on the fast path and the bigint path', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 5000; i++) {
      const scale = Math.floor(random() * 13);
      const magnitude = Math.floor(random() * 16);
      const value = Math.floor((random() - 0.5) * 10 ** magnitude);
      assert.deepEqual(numeric(value, scale), numeric(BigInt(value), scale), `${value} scale ${scale}`);
    }
  });
});

describe('choosing binary COPY', () => {
  it('takes exact pairs and refuses anything PostgreSQL would have to parse', () => {
    const columns = [
      { name: 'a', type: 'INTEGER' },
      { name: 'b', type: 'DECIMAL(12,2)' },
    ];
    assert.ok(binaryCopyPlan(columns, ['integer', 'numeric(12,2)']));
    assert.ok(binaryCopyPlan(columns, ['bigint', 'numeric']), 'a wider integer and an unconstrained numeric');
    assert.equal(binaryCopyPlan(columns, ['smallint', 'numeric(12,2)']), undefined, 'a narrower integer could overflow');
    assert.equal(binaryCopyPlan(columns, ['text', 'numeric(12,2)']), undefined, 'text needs the text form');
    assert.equal(binaryCopyPlan([{ name: 'l', type: 'INTEGER[]' }], ['jsonb']), undefined, 'lists go as JSON text');
    assert.equal(binaryCopyPlan([{ name: 'v', type: 'VARCHAR' }], ['jsonb']), undefined, 'jsonb from text is parsed by the server');
    assert.equal(binaryCopyPlan([{ name: 't', type: 'TIMESTAMP_NS' }], ['timestamp']), undefined, 'nanoseconds are rounded by the CSV path');
  });
});

const skip = await requirePrerequisites('postgres');
const url = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `sluice_binary_${process.pid}_${Date.now().toString(36)}`;

describe('binary COPY into PostgreSQL', { skip }, () => {
  let bench: ConnectorTestBench;
  let admin: pg.Client;
  let connection: ConnectorConnection<PostgresReadSettings, PostgresWriteSettings>;

  before(async () => {
    bench = await openConnectorTestBench('sluice-pg-binary-');
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    connection = await postgresConnector.connect(postgresConnector.connectionSchema.parse({ url, schema }), { name: 'binary_pg', projectRoot: bench.dir, warehousePath: '' });
  });

  after(async () => {
    await connection?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await admin?.end();
    await bench?.close();
  });

  async function load(table: string, sql: string, mode = 'replace'): Promise<Record<string, string | null>[]> {
    const input = await bench.input(sql);
    const settings = postgresConnector.writeSchema.parse({ table, mode, create: true, copy_format: 'binary' });
    const result = await connection.write!({ settings, input }, bench.context());
    assert.equal(result.rows, input.rows);
    const columns = input.columns.map((c) => `${quoteIdent(c.name)}::text AS ${quoteIdent(c.name)}`).join(', ');
    return (await admin.query(`SELECT ${columns} FROM ${quoteIdent(schema)}.${quoteIdent(table)} ORDER BY 1`)).rows;
  }

  it('round-trips every type it encodes, NULLs and edge values included', async () => {
    await admin.query(`SET TIME ZONE 'UTC'`);
    const got = await load(
      'every_type',
      `SELECT * FROM (VALUES
        (1, true, (-128)::TINYINT, 255::UTINYINT, (-32768)::SMALLINT, 65535::USMALLINT, (-2147483648)::INTEGER, 4294967295::UINTEGER,
         9007199254740993::BIGINT, 18446744073709551615::UBIGINT, (-12345678901234567890123456789012345678)::HUGEINT,
         12.34::DECIMAL(4,2), (-0.05)::DECIMAL(9,2), 12345678901234.5678::DECIMAL(18,4), (-1234567890123456789012345678.0123456789)::DECIMAL(38,10),
         1.5::FLOAT, '-0'::DOUBLE, 'a,"b"' || chr(10) || 'c\\d' || chr(9) || 'é 中 🙂', '{"k": [1, 2.5, null]}'::JSON,
         '\\x00\\xFF\\x5C'::BLOB, DATE '2024-02-29', TIMESTAMP '1999-12-31 23:59:59.999999', TIMESTAMPTZ '2024-03-31 01:30:00.123456+00',
         TIME '23:59:59.999999', INTERVAL '1 year 2 months 3 days 04:05:06.789', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID),
        (2, false, 127::TINYINT, 0::UTINYINT, 32767::SMALLINT, 0::USMALLINT, 2147483647::INTEGER, 0::UINTEGER,
         (-9223372036854775808)::BIGINT, 0::UBIGINT, 12345678901234567890123456789012345678::HUGEINT,
         0::DECIMAL(4,2), 0.01::DECIMAL(9,2), (-0.0001)::DECIMAL(18,4), 0.0000000001::DECIMAL(38,10),
         'nan'::FLOAT, '-infinity'::DOUBLE, '', 'null'::JSON,
         ''::BLOB, DATE '0044-03-15 (BC)', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '1900-01-01 00:00:00+00',
         TIME '00:00:00', INTERVAL '0 seconds', '00000000-0000-0000-0000-000000000000'::UUID),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, 'infinity'::DATE, 'infinity'::TIMESTAMP, '-infinity'::TIMESTAMPTZ, NULL, NULL, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID)
      ) AS t(id, bool, i8, u8, i16, u16, i32, u32, i64, u64, i128, d4, d9, d18, d38, f4, f8, txt, js, bin, dt, ts, tstz, tm, iv, id_uuid)`,
    );
    const rows = (await admin.query(`SELECT * FROM ${quoteIdent(schema)}.every_type ORDER BY id`)).rows;
    assert.equal(rows.length, 3);
    const text = got;
    assert.deepEqual(text[0], {
      id: '1', bool: 'true', i8: '-128', u8: '255', i16: '-32768', u16: '65535', i32: '-2147483648', u32: '4294967295',
      i64: '9007199254740993', u64: '18446744073709551615', i128: '-12345678901234567890123456789012345678',
      d4: '12.34', d9: '-0.05', d18: '12345678901234.5678', d38: '-1234567890123456789012345678.0123456789',
      f4: '1.5', f8: '-0', txt: 'a,"b"\nc\\d\té 中 🙂', js: '{"k": [1, 2.5, null]}',
      bin: '\\x00ff5c', dt: '2024-02-29', ts: '1999-12-31 23:59:59.999999', tstz: '2024-03-31 01:30:00.123456+00',
      tm: '23:59:59.999999', iv: '1 year 2 mons 3 days 04:05:06.789', id_uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    });
    assert.equal(rows[0].tstz.toISOString(), '2024-03-31T01:30:00.123Z');
    assert.deepEqual(
      [text[1]!.i64, text[1]!.i128, text[1]!.d4, text[1]!.d9, text[1]!.d18, text[1]!.d38, text[1]!.f4, text[1]!.f8, text[1]!.txt, text[1]!.js, text[1]!.bin, text[1]!.dt, text[1]!.ts, text[1]!.iv, text[1]!.id_uuid],
      ['-9223372036854775808', '12345678901234567890123456789012345678', '0.00', '0.01', '-0.0001', '0.0000000001', 'NaN', '-Infinity', '', 'null', '\\x', '0044-03-15 BC', '1970-01-01 00:00:00', '00:00:00', '00000000-0000-0000-0000-000000000000'],
    );
    const nulls = text[2]!;
    assert.deepEqual(Object.entries(nulls).filter(([, v]) => v !== null).map(([k]) => k), ['id', 'dt', 'ts', 'tstz', 'id_uuid']);
    assert.deepEqual([nulls.dt, nulls.ts, nulls.tstz, nulls.id_uuid], ['infinity', 'infinity', '-infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
    const types = (await admin.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum`, [`${schema}.every_type`])).rows.map((r) => r.t);
    assert.equal(types[18], 'jsonb');
  });

  it('loads the same values through binary COPY and through CSV into an existing table', async () => {
    // id as text makes the whole write fall back to CSV; the other columns are the same.
    await admin.query(`CREATE TABLE ${quoteIdent(schema)}.via_csv (id text, amount numeric(12,2), at timestamptz, note text)`);
    await admin.query(`CREATE TABLE ${quoteIdent(schema)}.via_binary (id bigint, amount numeric(12,2), at timestamptz, note text)`);
    const sql = `SELECT i AS id, (i * 7919 % 200000 - 100000)::DECIMAL(12,2) / 100 AS amount,
                        TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL 37 MINUTE AS at,
                        CASE WHEN i % 5 = 0 THEN NULL ELSE 'n' || i || chr(10) || '"' END AS note
                   FROM range(5000) t(i)`;
    const csv = await load('via_csv', sql, 'append');
    const binary = await load('via_binary', sql, 'append');
    assert.equal(binary.length, 5000);
    const byId = (rows: Record<string, string | null>[]) => rows.map((r) => ({ ...r, id: String(r.id) })).sort((a, b) => Number(a.id) - Number(b.id));
    assert.deepEqual(byId(binary), byId(csv));
  });

  it('loads long text the same as CSV: values side by side, repeated, NULL between, over many chunks', async () => {
    // Text over 12 bytes lives outside the engine's vectors: unique values lie one after another,
    // repeated ones (a dictionary in the stored file) at one address, and NULLs break the runs.
    await admin.query(`CREATE TABLE ${quoteIdent(schema)}.long_csv (id text, unique_note text, repeated text, mixed text)`);
    await admin.query(`CREATE TABLE ${quoteIdent(schema)}.long_binary (id bigint, unique_note text, repeated text, mixed text)`);
    const sql = `SELECT i AS id,
                        'unique note number ' || i || repeat('x', i % 40) AS unique_note,
                        ['Acme Corporation, Ltd.', 'Globex Incorporated', 'short', 'Søren Kierkegaard & Søn', '王芳王芳王芳王芳'][i % 5 + 1] AS repeated,
                        CASE WHEN i % 7 = 0 THEN NULL WHEN i % 3 = 0 THEN 'tiny' || (i % 10) ELSE repeat('é', i % 30) || i END AS mixed
                   FROM range(20000) t(i)`;
    const csv = await load('long_csv', sql, 'append');
    const binary = await load('long_binary', sql, 'append');
    assert.equal(binary.length, 20000);
    const byId = (rows: Record<string, string | null>[]) => rows.map((r) => ({ ...r, id: String(r.id) })).sort((a, b) => Number(a.id) - Number(b.id));
    const sorted = byId(binary);
    assert.deepEqual(sorted, byId(csv));
    assert.deepEqual(sorted[12], { id: '12', unique_note: `unique note number 12${'x'.repeat(12)}`, repeated: 'short', mixed: 'tiny2' });
    assert.deepEqual(sorted[14], { id: '14', unique_note: `unique note number 14${'x'.repeat(14)}`, repeated: '王芳王芳王芳王芳', mixed: null });
    assert.deepEqual(sorted[16], { id: '16', unique_note: `unique note number 16${'x'.repeat(16)}`, repeated: 'Globex Incorporated', mixed: `${'é'.repeat(16)}16` });
  });

  it('names the row PostgreSQL refuses', async () => {
    await admin.query(`CREATE TABLE ${quoteIdent(schema)}.short (id integer, code varchar(3))`);
    const input = await bench.input(`SELECT * FROM (VALUES (1, 'abc'), (2, 'abcd')) t(id, code)`);
    const settings = postgresConnector.writeSchema.parse({ table: 'short', mode: 'append', copy_format: 'binary' });
    await assert.rejects(connection.write!({ settings, input }, bench.context()), (error: Error & { code?: string; location?: { record?: number } }) => {
      assert.equal(error.code, 'postgres.copy_failed');
      assert.match(error.message, /too long/);
      assert.equal(error.location?.record, 2);
      return true;
    });
    assert.equal((await admin.query(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.short`)).rows[0].n, 0);
  });
});
