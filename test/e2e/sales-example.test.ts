import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { queryWarehouse, repoRoot, sluice, tempDir } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');

/** What the example should land, computed independently from the CSV with plain SQL. */
async function expectedFromCsv(): Promise<{ orders: number; amount: number; tax: number }> {
  const csv = path.join(repoRoot, 'examples/sales/data/sales.csv');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(`
    WITH kept AS (
      SELECT DISTINCT ON (order_id) order_id, amount
      FROM read_csv('${csv}', types = {'amount': 'DECIMAL(12,2)', 'order_date': 'VARCHAR'})
      WHERE amount > 0
    )
    SELECT count(*)::INTEGER AS orders, sum(amount)::DOUBLE AS amount, sum(round(amount * 0.08, 2))::DOUBLE AS tax FROM kept`);
  const [row] = reader.getRowObjectsJS() as { orders: number; amount: number; tax: number }[];
  connection.closeSync();
  instance.closeSync();
  return row!;
}

describe('the sales example, end to end through the CLI', () => {
  const { dir, cleanup } = tempDir();
  const project = path.join(dir, 'shop');
  after(cleanup);

  before(async () => {
    const init = await sluice(dir, ['init', 'shop', '--example', 'sales']);
    assert.equal(init.code, 0, init.stderr);
  });

  it('creates a git project with the files a user edits', () => {
    for (const file of ['sluice.yaml', 'connections.yaml', 'pipelines/daily_sales.yaml', 'blocks/clean_sales.ts', 'blocks/daily_revenue.sql', 'data/sales.csv', '.gitignore']) {
      assert.ok(existsSync(path.join(project, file)), `${file} exists`);
    }
    assert.ok(existsSync(path.join(project, '.git')), 'is a git repository');
    assert.match(readFileSync(path.join(project, '.gitignore'), 'utf8'), /^\.sluice\/$/m);
  });

  it('runs daily_sales into the embedded warehouse with the right rows and sums', async () => {
    const run = await sluice(project, ['run', 'daily_sales']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /clean_sales\s+transformer\s+2,000 in → [\d,]+ out/);
    assert.match(run.stdout, /Run succeeded/);
    assert.match(run.stdout, /replaced daily_revenue in \.sluice\/warehouse\.duckdb/);

    const expected = await expectedFromCsv();
    const warehouse = path.join(project, '.sluice/warehouse.duckdb');
    const [sales] = await queryWarehouse(warehouse, 'SELECT count(*)::INTEGER AS n, count(DISTINCT order_id)::INTEGER AS ids, sum(amount)::DOUBLE AS amount, sum(tax)::DOUBLE AS tax, count(order_date)::INTEGER AS dated FROM sales');
    assert.equal(sales!.n, expected.orders);
    assert.equal(sales!.ids, expected.orders, 'one row per order');
    assert.equal(sales!.dated, expected.orders, 'every date parsed');
    assert.equal(Number(sales!.amount).toFixed(2), expected.amount.toFixed(2));
    assert.equal(Number(sales!.tax).toFixed(2), expected.tax.toFixed(2));
    const [daily] = await queryWarehouse(warehouse, 'SELECT sum(revenue)::DOUBLE AS revenue, sum(orders)::INTEGER AS orders FROM daily_revenue');
    assert.equal(Number(daily!.revenue).toFixed(2), expected.amount.toFixed(2));
    assert.equal(daily!.orders, expected.orders);
  });

  it('gives the same tables when run again (no duplicates)', async () => {
    const again = await sluice(project, ['run', 'daily_sales']);
    assert.equal(again.code, 0, again.stderr);
    const expected = await expectedFromCsv();
    const [sales] = await queryWarehouse(path.join(project, '.sluice/warehouse.duckdb'), 'SELECT count(*)::INTEGER AS n FROM sales');
    assert.equal(sales!.n, expected.orders);
  });

  it('re-runs one block on the stored upstream outputs and previews it', async () => {
    const one = await sluice(project, ['run', 'daily_sales', '--block', 'daily_revenue']);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /1 block/);
    const preview = await sluice(project, ['preview', 'daily_sales', 'daily_revenue', '--limit', '3']);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /revenue\s+DECIMAL\(38,2\)/);
    assert.match(preview.stdout, /… [\d,]+ more rows/);
  });

  it('runs a block and everything downstream with --from', async () => {
    const from = await sluice(project, ['run', 'daily_sales', '--from', 'daily_revenue']);
    assert.equal(from.code, 0, from.stderr);
    assert.match(from.stdout, /daily_revenue/);
    assert.match(from.stdout, /export_daily_revenue/);
    assert.doesNotMatch(from.stdout, /raw_sales/);
  });

  it('keeps run history that runs and logs show', async () => {
    const runs = await sluice(project, ['runs', '--pipeline', 'daily_sales']);
    assert.equal(runs.code, 0);
    const ids = [...runs.stdout.matchAll(/^(\d{8}-\d{6}-[0-9a-f]{6})\s+daily_sales\s+succeeded/gm)].map((m) => m[1]);
    assert.equal(ids.length, 4);
    const logs = await sluice(project, ['logs', ids.at(-1)!]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /dropped \d+ non-positive amounts and \d+ duplicate orders/);
    const failed = await sluice(project, ['runs', '--status', 'failed']);
    assert.match(failed.stdout, /no runs yet/);
  });

  it('runs the test blocks on the stored outputs, and fails when a test finds rows', async () => {
    const pass = await sluice(project, ['test']);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /✓ daily_sales\.check_daily_revenue/);
    assert.match(pass.stdout, /1 passed, 0 failed/);
    writeFileSync(path.join(project, 'blocks/check_daily_revenue.sql'), 'SELECT * FROM daily_revenue WHERE revenue > 0\n');
    const fail = await sluice(project, ['test', 'daily_sales']);
    assert.equal(fail.code, 1);
    assert.match(fail.stdout, /✗ daily_sales\.check_daily_revenue: .*test found [\d,]+ failing row\(s\)/);
    writeFileSync(path.join(project, 'blocks/check_daily_revenue.sql'), 'SELECT * FROM daily_revenue WHERE revenue < 0\n');
  });

  it('validates the project', async () => {
    const result = await sluice(project, ['validate']);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /3 pipeline\(s\) valid/);
    // The example's second pipeline also writes daily_revenue: a warning naming both, not a failure.
    assert.match(result.stdout, /warning: warehouse\.daily_revenue is written by 2 pipelines: daily_sales\.export_daily_revenue and refunds\.export_net_revenue/);
  });

  it('shows where daily revenue comes from and goes to', async () => {
    const result = await sluice(project, ['lineage', 'daily_revenue']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /upstream:\n\s+daily_sales\.export_daily_revenue[^\n]*\n\s+daily_sales\.daily_revenue/);
    assert.match(result.stdout, /file data\/sales\.csv/);
    assert.match(result.stdout, /downstream:\n\s+refunds\.revenue_so_far/);
    assert.match(result.stdout, /revenue <- daily_sales\.clean_sales\.amount/);
  });

  it('runs the second writer, which nets the refunds out of daily revenue', async () => {
    const warehouse = path.join(project, '.sluice/warehouse.duckdb');
    const revenue = async () => (await queryWarehouse(warehouse, 'SELECT sum(revenue)::DOUBLE AS revenue, count(*)::INTEGER AS n FROM daily_revenue'))[0]!;
    const before = await revenue();
    const run = await sluice(project, ['run', 'refunds']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const [refunds] = await queryWarehouse(warehouse, `SELECT sum(amount)::DOUBLE AS total FROM read_csv('${path.join(project, 'data/refunds.csv')}')`);
    const after = await revenue();
    assert.equal(after.n, before.n);
    assert.ok(Math.abs(Number(before.revenue) - Number(after.revenue) - Number(refunds!.total)) < 0.005, `revenue fell by the refunds: ${before.revenue} -> ${after.revenue}, refunds ${refunds!.total}`);
  });
});

describe('the sales example into PostgreSQL', { skip }, () => {
  const { dir, cleanup } = tempDir();
  const project = path.join(dir, 'shop');
  const base = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `sluice_e2e_${process.pid}`;
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const env = { SALES_PG_URL: url.toString() };
  let admin: pg.Client;

  before(async () => {
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const init = await sluice(dir, ['init', 'shop', '--example', 'sales']);
    assert.equal(init.code, 0, init.stderr);
    // The example's connection reads the URL from the environment; the schema keeps this test's tables apart.
    writeFileSync(path.join(project, 'connections.yaml'), `connections:\n  postgres:\n    connector: postgres\n    url: \${SALES_PG_URL}\n    schema: ${schema}\n`);
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    cleanup();
  });

  it('lands the clean orders and daily revenue with the right rows and sums, twice without duplicates', async () => {
    const expected = await expectedFromCsv();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const run = await sluice(project, ['run', 'daily_sales', '--var', 'target=postgres'], env);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`upserted .*${schema}\\.sales|sales`));
      const { rows } = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT order_id)::int AS ids, sum(amount)::text AS amount, sum(tax)::text AS tax FROM ${schema}.sales`);
      assert.equal(rows[0].n, expected.orders, `attempt ${attempt}`);
      assert.equal(rows[0].ids, expected.orders);
      assert.equal(Number(rows[0].amount).toFixed(2), expected.amount.toFixed(2));
      assert.equal(Number(rows[0].tax).toFixed(2), expected.tax.toFixed(2));
      const daily = await admin.query(`SELECT sum(revenue)::text AS revenue, sum(orders)::int AS orders FROM ${schema}.daily_revenue`);
      assert.equal(Number(daily.rows[0].revenue).toFixed(2), expected.amount.toFixed(2));
      assert.equal(daily.rows[0].orders, expected.orders);
    }
    const types = await admin.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sales' ORDER BY ordinal_position`,
      [schema],
    );
    assert.deepEqual(Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type])), {
      order_id: 'bigint', order_date: 'date', customer: 'text', product_id: 'bigint', quantity: 'bigint', amount: 'numeric', tax: 'numeric',
    });
  });

  it('names an unreachable connection without printing its password', async () => {
    const run = await sluice(project, ['run', 'daily_sales', '--var', 'target=postgres'], {
      SALES_PG_URL: 'postgres://shop:hunter2-secret@127.0.0.1:1/shop',
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /postgres/);
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2-secret/);
    const logs = await sluice(project, ['runs', '--status', 'failed']);
    assert.doesNotMatch(logs.stdout, /hunter2-secret/);
  });

  it('says which environment variable a connection is missing', async () => {
    const run = await sluice(project, ['run', 'daily_sales', '--var', 'target=postgres'], { SALES_PG_URL: '' });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /connection 'postgres' needs the environment variable SALES_PG_URL/);
  });
});
