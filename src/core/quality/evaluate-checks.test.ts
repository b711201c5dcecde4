import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataPlane, DataPlaneSession, StoredOutput } from '../data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import { SluiceError } from '../errors.ts';
import { checksFileSchema, toCheckSpec, type CheckSpec } from './check-spec.ts';
import { evaluateChecks, failedChecksColumn, freshnessMessageParts, type EvaluateRequest } from './evaluate-checks.ts';
import { profileOutput } from './profile-output.ts';

let dir: string;
let plane: DataPlane;
let session: DataPlaneSession;
let counter = 0;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-checks-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
  session = await plane.openSession();
});

after(async () => {
  await plane.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Orders: id 3 repeats, one amount is null, one negative, one status unknown, one email malformed, one product missing. */
const ordersSql = `SELECT * FROM (VALUES
  (1, 10.50::DECIMAL(12,2), 'paid',     'a@x.org', 1, TIMESTAMP '2024-05-01 09:00'),
  (2, NULL,                 'paid',     'b@x.org', 2, TIMESTAMP '2024-05-01 10:00'),
  (3, -4.00,                'refunded', 'c@x.org', 1, TIMESTAMP '2024-04-30 12:00'),
  (3, 7.00,                 'paid''s',  'not-an-email', 9, TIMESTAMP '2024-04-30 13:00'),
  (5, 99.00,                'paid',     NULL,      2, TIMESTAMP '2024-04-29 08:00')
) t(id, amount, status, email, product_id, ordered_at)`;

async function stored(sql: string): Promise<StoredOutput> {
  return session.storeQuery(sql, path.join(dir, 'outputs', `o${++counter}`, 'orders.parquet'));
}

function checks(yaml: unknown[]): CheckSpec[] {
  return checksFileSchema.parse(yaml).map((c) => toCheckSpec(c));
}

async function evaluate(output: StoredOutput, specs: CheckSpec[], extra: Partial<EvaluateRequest> = {}) {
  const products = await session.storeQuery(`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) p(product_id, name)`, path.join(dir, 'outputs', `p${++counter}.parquet`));
  return evaluateChecks({
    session,
    block: 'orders',
    file: 'pipelines/shop.yaml',
    output,
    checks: specs,
    reference: new Date('2024-05-02T00:00:00Z'),
    relationshipSource: () => ({ location: products.location, format: 'parquet' }),
    quarantine: true,
    ...extra,
  });
}

describe('checks on a stored output', () => {
  it('counts the failing rows of every kind of check in one evaluation, with samples of the failures', async () => {
    const output = await stored(ordersSql);
    const specs = checks([
      { not_null: 'amount', severity: 'warn' },
      { unique: 'id', severity: 'warn' },
      { unique: ['id', 'status'], severity: 'warn' },
      { accepted_values: { column: 'status', values: ['paid', 'refunded'] }, severity: 'warn' },
      { range: { column: 'amount', min: 0 }, severity: 'warn' },
      { regex: { column: 'email', pattern: '^[^@]+@[^@]+$' }, severity: 'warn' },
      { relationships: { column: 'product_id', to: 'products', field: 'product_id' }, severity: 'warn' },
      { row_count: { min: 6 }, severity: 'warn' },
      { freshness: { column: 'ordered_at', max_age: '1d' }, severity: 'warn' },
      { name: 'no_big_orders', sql: 'SELECT * FROM orders WHERE amount > 50 -- a big order is a typo;', severity: 'warn' },
    ]);
    const { results, output: after, quarantined } = await evaluate(output, specs);
    assert.deepEqual(
      results.map((r) => [r.name, r.status, r.failingRows]),
      [
        ['not_null_amount', 'failed', 1],
        ['unique_id', 'failed', 2],
        ['unique_id_status', 'passed', 0],
        ['accepted_values_status', 'failed', 1],
        ['range_amount', 'failed', 1],
        ['regex_email', 'failed', 1],
        ['relationships_product_id', 'failed', 1],
        ['row_count', 'failed', undefined],
        ['freshness_ordered_at', 'passed', undefined],
        ['no_big_orders', 'failed', 1],
      ],
    );
    assert.equal(after, output, 'warn checks leave the output as it was');
    assert.equal(quarantined, undefined);
    assert.deepEqual(results[3]!.sample, [{ id: 3, amount: 7, status: "paid's", email: 'not-an-email', product_id: 9, ordered_at: '2024-04-30T13:00:00.000Z' }]);
    assert.match(results[7]!.message, /5 rows; expected at least 6/);
  });

  it('moves the rows failing quarantine checks to their own output, named by check, and keeps exact counts', async () => {
    const output = await stored(ordersSql);
    const specs = checks([
      { not_null: 'amount', severity: 'quarantine' },
      { range: { column: 'amount', min: 0 }, severity: 'quarantine' },
      { name: 'known_product', relationships: { column: 'product_id', file: 'ignored.csv', field: 'product_id' }, severity: 'quarantine' },
      { unique: 'id', severity: 'warn' },
      { row_count: { min: 2, max: 2 } },
    ]);
    const { results, output: good, quarantined } = await evaluate(output, specs);
    assert.equal(good.rows, 2);
    assert.equal(quarantined?.rows, 3);
    assert.equal(good.rows + quarantined!.rows, output.rows);
    assert.equal(good.location, output.location, 'the good rows replace the output where downstream reads it');
    assert.equal(path.basename(quarantined!.location), 'orders__quarantine.parquet');
    const moved = await session.query(`SELECT id, ${failedChecksColumn} AS why FROM read_parquet($1) ORDER BY id, why`, [quarantined!.location]);
    assert.deepEqual(moved.map((r) => [Number(r.id), r.why]), [[2, 'not_null_amount'], [3, 'known_product'], [3, 'range_amount']]);
    const kept = await session.query(`SELECT id FROM read_parquet($1) ORDER BY id`, [good.location]);
    assert.deepEqual(kept.map((r) => Number(r.id)), [1, 5]);
    // The other checks judge the rows that flow on: id 3's duplicate left with the quarantined rows.
    assert.deepEqual(results.map((r) => [r.name, r.status]), [['not_null_amount', 'failed'], ['range_amount', 'failed'], ['known_product', 'failed'], ['unique_id', 'passed'], ['row_count', 'passed']]);
  });

  it('only counts quarantine failures when asked not to move rows (re-checking a stored output)', async () => {
    const output = await stored(ordersSql);
    const { results, output: after, quarantined } = await evaluate(output, checks([{ not_null: 'amount', severity: 'quarantine' }]), { quarantine: false });
    assert.equal(results[0]!.failingRows, 1);
    assert.equal(after.rows, 5);
    assert.equal(quarantined, undefined);
  });

  it('judges freshness against the reference time and says how old the newest value is', async () => {
    const output = await stored(ordersSql);
    const [stale] = (await evaluate(output, checks([{ freshness: { column: 'ordered_at', max_age: '12h' } }]))).results;
    assert.equal(stale!.status, 'failed');
    assert.match(stale!.message, /newest ordered_at is 2024-05-01 10:00:00, 14h before 2024-05-02T00:00:00.000Z \(allowed 12h\)/);
  });

  it("names a freshness message's column and can hide its value, failed or passed", async () => {
    const output = await stored(ordersSql);
    const results = (await evaluate(output, checks([{ freshness: { column: 'ordered_at', max_age: '12h' } }, { name: 'fresh_enough', freshness: { column: 'ordered_at', max_age: '2d' } }]))).results;
    const [failed, passed] = results.map((r) => freshnessMessageParts(r.message)!);
    assert.equal(failed!.column, 'ordered_at');
    assert.equal(failed!.withValue('[masked]'), 'newest ordered_at is [masked], 14h before 2024-05-02T00:00:00.000Z (allowed 12h)');
    assert.equal(passed!.withValue('[masked]'), 'newest ordered_at is [masked] (allowed 48h)');
    assert.equal(freshnessMessageParts('3 rows have a null amount'), undefined);
  });

  it('binds values as parameters, so a quote in an accepted value is just a character', async () => {
    const output = await stored(ordersSql);
    const [result] = (await evaluate(output, checks([{ accepted_values: { column: 'status', values: ['paid', 'refunded', "paid's"] } }]))).results;
    assert.equal(result!.status, 'passed');
  });

  it('refuses a check on a column the output does not have, naming the check, block and columns', async () => {
    const output = await stored(ordersSql);
    await assert.rejects(
      evaluate(output, checks([{ not_null: 'amount_usd' }])),
      (error: SluiceError) => error.code === 'check.unknown_column' && /check 'not_null_amount_usd' of block 'orders' names column 'amount_usd'.*it has id, amount/.test(error.message),
    );
  });

  it('fails with the check named when the engine refuses its query', async () => {
    const output = await stored(ordersSql);
    await assert.rejects(evaluate(output, checks([{ name: 'broken', sql: 'SELECT * FROM orders WHERE no_such_column > 1' }])), (error: SluiceError) =>
      error.code === 'check.query_failed' && /check 'broken' of block 'orders' could not run/.test(error.message),
    );
  });
});

describe('check declarations', () => {
  it('refuses a check with two kinds, a quarantine of a whole-table check, and two checks of one name', () => {
    assert.throws(() => checksFileSchema.parse([{ not_null: 'a', unique: 'a' }]), /exactly one of .* \(this one has not_null and unique\)/);
    assert.throws(() => checksFileSchema.parse([{ row_count: { min: 1 }, severity: 'quarantine' }]), /judges the whole output, so it cannot quarantine/);
    assert.throws(() => checksFileSchema.parse([{ not_null: 'a' }, { not_null: 'a', severity: 'warn' }]), /two checks are named 'not_null_a'/);
    assert.throws(() => checksFileSchema.parse([{ sql: 'SELECT 1' }]), /a sql check needs a name/);
  });
});

describe('output profiles', () => {
  it('counts rows and nulls, estimates distinct values, and gives min, max, mean, top values and a histogram', async () => {
    const output = await stored(`SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE i % 3 END AS bucket, ['red', 'green'][i % 2 + 1] AS colour, DATE '2024-01-01' + CAST(i AS INTEGER) AS day FROM range(100) r(i)`);
    const profile = await profileOutput(session, output);
    assert.equal(profile.rows, 100);
    const [id, bucket, colour, day] = profile.columns;
    assert.deepEqual([id!.min, id!.max, id!.mean, id!.nulls], [0, 99, 49.5, 0]);
    assert.equal(id!.histogram!.length, 10);
    assert.equal(id!.histogram!.reduce((sum, b) => sum + b.count, 0), 100);
    assert.equal(bucket!.nulls, 25);
    assert.equal(bucket!.histogram!.reduce((sum, b) => sum + b.count, 0), 75, 'nulls are not counted in any bar');
    assert.deepEqual(colour!.topValues, [{ value: 'green', count: 50 }, { value: 'red', count: 50 }]);
    assert.equal(colour!.histogram, undefined);
    assert.deepEqual([day!.min, day!.max], ['2024-01-01', '2024-04-09']);
    assert.ok(id!.approxDistinct! > 80 && id!.approxDistinct! <= 100, `approx distinct ${id!.approxDistinct}`);
  });
});
