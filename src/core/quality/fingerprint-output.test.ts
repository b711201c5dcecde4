import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { useDataPlaneSession } from '../../testing/data-plane-session.ts';
import { quoteLiteral } from '../sql/quote.ts';
import { batchFingerprintSampleRows, fingerprintOutput, fingerprintSampleRows, fingerprintSource, valueShapeSql } from './fingerprint-output.ts';

const plane = useDataPlaneSession('sluice-fingerprint-');

describe('valueShapeSql', () => {
  it('classes values as numbers, e-mail addresses, uuids, blanks, masks of short values with digits, or text', async () => {
    const values = ['2024-03-07', '03/07/2024', ' -1.5e3 ', '00123', 'ann@example.com', '1b4e28ba-2fa1-11d2-883f-0016d3cca427', '  ', 'Mar 7, 2024', 'Straße 12', 'just words', null];
    const list = values.map((v, i) => `(${i}, ${v === null ? 'NULL' : quoteLiteral(v)})`).join(', ');
    const rows = await plane.session.query(`SELECT ${valueShapeSql('v')} AS shape FROM (VALUES ${list}) t(i, v) ORDER BY i`);
    assert.deepEqual(
      rows.map((r) => r.shape),
      ['9999-99-99', '99/99/9999', 'number', 'number', 'email', 'uuid', 'blank', 'a 9, 9999', 'a 99', 'text', null],
    );
  });
});

describe('fingerprintOutput', () => {
  it("records each column's type and null rate, and a text column's most common shape with its share", async () => {
    const output = await plane.session.storeQuery(
      `SELECT * FROM (VALUES (1, '2024-03-07', 'x'), (2, '2024-03-08', NULL), (3, '2024-03-09', NULL), (4, '07/03/2024', NULL)) t(id, "order ""date""", note)`,
      path.join(plane.dir, 'orders.parquet'),
    );
    assert.deepEqual(await fingerprintOutput(plane.session, output), {
      rows: 4,
      columns: [
        { name: 'id', type: 'INTEGER', nullRate: 0 },
        { name: 'order "date"', type: 'VARCHAR', nullRate: 0, shape: '9999-99-99', shapeShare: 0.75 },
        { name: 'note', type: 'VARCHAR', nullRate: 0.75, shape: 'text', shapeShare: 1 },
      ],
    });
  });

  it('counts the null rates of an output without text columns in one pass, sampled alike when large', async () => {
    const small = await plane.session.storeQuery(
      `SELECT * FROM (VALUES (1, DATE '2024-03-07', 2.5::DECIMAL(12,2)), (NULL, NULL, 1.0), (3, NULL, NULL), (4, DATE '2024-03-09', 7.25)) t(id, "order ""date""", amount)`,
      path.join(plane.dir, 'numbers.parquet'),
    );
    assert.deepEqual(await fingerprintOutput(plane.session, small), {
      rows: 4,
      columns: [
        { name: 'id', type: 'INTEGER', nullRate: 0.25 },
        { name: 'order "date"', type: 'DATE', nullRate: 0.5 },
        { name: 'amount', type: 'DECIMAL(12,2)', nullRate: 0.25 },
      ],
    });
    const rows = 2 * fingerprintSampleRows;
    const large = await plane.session.storeQuery(`SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE i END AS id FROM range(${rows}) t(i)`, path.join(plane.dir, 'numbers-large.parquet'));
    const fingerprint = await fingerprintOutput(plane.session, large);
    assert.equal(fingerprint.sampled, fingerprintSampleRows);
    assert.ok(Math.abs(fingerprint.columns[0]!.nullRate! - 0.25) < 0.01, `null rate ${fingerprint.columns[0]!.nullRate}`);
    const empty = await plane.session.storeQuery(`SELECT 1 AS id WHERE false`, path.join(plane.dir, 'numbers-empty.parquet'));
    assert.deepEqual((await fingerprintOutput(plane.session, empty)).columns, [{ name: 'id', type: 'INTEGER' }]);
  });

  it('leaves out the shape of an empty or all-null column', async () => {
    const output = await plane.session.storeQuery(`SELECT NULL::VARCHAR AS note FROM range(3)`, path.join(plane.dir, 'nulls.parquet'));
    assert.deepEqual((await fingerprintOutput(plane.session, output)).columns, [{ name: 'note', type: 'VARCHAR', nullRate: 1 }]);
    const empty = await plane.session.storeQuery(`SELECT 'a'::VARCHAR AS note WHERE false`, path.join(plane.dir, 'empty.parquet'));
    assert.deepEqual((await fingerprintOutput(plane.session, empty)).columns, [{ name: 'note', type: 'VARCHAR' }]);
  });

  it('reads a sample of a large output and says so', async () => {
    const rows = fingerprintSampleRows + 5_000;
    const output = await plane.session.storeQuery(`SELECT i AS id, strftime(DATE '2024-01-01' + (i % 300)::INTEGER, '%d/%m/%Y') AS day FROM range(${rows}) t(i)`, path.join(plane.dir, 'large.parquet'));
    const fingerprint = await fingerprintOutput(plane.session, output);
    assert.equal(fingerprint.rows, rows);
    assert.equal(fingerprint.sampled, fingerprintSampleRows);
    assert.deepEqual(fingerprint.columns[1], { name: 'day', type: 'VARCHAR', nullRate: 0, shape: '99/99/9999', shapeShare: 1 });
  });

  it('spreads the sample over the whole output, not its first rows', async () => {
    const rows = 4 * fingerprintSampleRows;
    // The first quarter are dates, the rest words: a sample of the first rows alone would see only dates.
    const output = await plane.session.storeQuery(
      `SELECT i AS id, CASE WHEN i < ${rows / 4} THEN '2024-01-01' ELSE 'word' END AS v FROM range(${rows}) t(i)`,
      path.join(plane.dir, 'spread.parquet'),
    );
    const fingerprint = await fingerprintOutput(plane.session, output);
    assert.equal(fingerprint.sampled, fingerprintSampleRows);
    assert.equal(fingerprint.columns[1]?.shape, 'text');
    assert.ok(Math.abs(fingerprint.columns[1]!.shapeShare! - 0.75) < 0.02, `share ${fingerprint.columns[1]!.shapeShare}`);
  });

  it('samples fifty runs of consecutive rows, one at the start of each fiftieth of the output, and nothing past the last', async () => {
    const rows = 4 * fingerprintSampleRows + 37;
    const output = await plane.session.storeQuery(`SELECT i AS id FROM range(${rows}) t(i)`, path.join(plane.dir, 'runs.parquet'));
    const [runs = {}] = await plane.session.query(
      `SELECT count(*) AS n, count(DISTINCT id // ${Math.floor(rows / 50)}) AS runs, max(id % ${Math.floor(rows / 50)}) AS last_offset, max(id) AS last
       FROM ${fingerprintSource(output)}`,
    );
    const stride = Math.floor(rows / 50);
    assert.deepEqual(
      { n: Number(runs.n), runs: Number(runs.runs), lastOffset: Number(runs.last_offset), last: Number(runs.last) },
      { n: fingerprintSampleRows, runs: 50, lastOffset: fingerprintSampleRows / 50 - 1, last: 49 * stride + fingerprintSampleRows / 50 - 1 },
    );
  });

  it('reads a smaller sample of a sync batch, with shares close to the whole', async () => {
    const rows = batchFingerprintSampleRows * 3;
    // Every fourth value is null and every tenth has another shape: the sample must see about as many.
    const output = await plane.session.storeQuery(
      `SELECT CASE WHEN i % 4 = 0 THEN NULL WHEN i % 10 = 1 THEN 'x' || i ELSE strftime(DATE '2024-01-01' + (i % 300)::INTEGER, '%Y-%m-%d') END AS day FROM range(${rows}) t(i)`,
      path.join(plane.dir, 'batch.parquet'),
    );
    const fingerprint = await fingerprintOutput(plane.session, output, batchFingerprintSampleRows);
    assert.equal(fingerprint.rows, rows);
    assert.equal(fingerprint.sampled, batchFingerprintSampleRows);
    const day = fingerprint.columns[0]!;
    assert.equal(day.shape, '9999-99-99');
    assert.ok(Math.abs(day.nullRate! - 0.25) < 0.02, `null rate ${day.nullRate}`);
    assert.ok(Math.abs(day.shapeShare! - 0.65 / 0.75) < 0.02, `shape share ${day.shapeShare}`);
  });
});
