import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { ConfigError, SluiceError } from '../core/errors.ts';
import { requirePrerequisites } from '../testing/require-prerequisites.ts';
import { openProject, type SluiceProject } from './open-project.ts';

const salesExample = fileURLToPath(new URL('../../examples/sales/', import.meta.url));
const pgUrl = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh copy of the sales example in a temporary folder, without any local state. */
function copySalesExample(): { dir: string; cleanup: () => void } {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sluice-library-'));
  const dir = path.join(parent, 'shop');
  cpSync(salesExample, dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('.sluice') });
  return { dir, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}

async function query(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, file === ':memory:' ? {} : { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

describe('Sluice as a library, on the sales example', () => {
  const { dir, cleanup } = copySalesExample();
  let project: SluiceProject;
  before(async () => {
    project = await openProject(dir);
  });
  after(async () => {
    await project.close();
    cleanup();
  });

  it('lists the pipelines of the project', () => {
    assert.equal(project.name, 'sales');
    assert.deepEqual(project.listPipelines(), ['daily_sales', 'refunds', 'sales_by_day']);
  });

  it('runs daily_sales and returns a typed result whose rows match the warehouse', async () => {
    const run = await project.runPipeline('daily_sales', { logicalDate: '2026-12-01', variables: { tax_rate: 0.08 } });
    assert.equal(run.status, 'succeeded', run.error?.describe(dir));
    assert.match(run.runId, /^\d{8}-\d{6}-[0-9a-f]{6}$/);
    assert.equal(run.pipeline, 'daily_sales');
    assert.equal(run.logicalDate, '2026-12-01');
    assert.ok(run.durationMs > 0);
    assert.equal(run.rowsRejected, 0);
    assert.equal(run.error, undefined);
    const blocks = ['raw_sales', 'products', 'raw_customers', 'clean_customers', 'clean_sales', 'daily_revenue', 'check_daily_revenue', 'export_sales', 'export_daily_revenue'];
    assert.deepEqual(run.blocks.map((b) => b.block).sort(), [...blocks].sort());
    assert.ok(run.blocks.every((b) => b.status === 'succeeded'));
    const byName = new Map(run.blocks.map((b) => [b.block, b]));
    const raw = byName.get('raw_sales')!;
    const clean = byName.get('clean_sales')!;
    assert.equal(raw.role, 'loader');
    assert.equal(raw.rowsOut, 2000);
    assert.equal(clean.role, 'transformer');
    assert.equal(clean.rowsIn, 2000);
    assert.ok(clean.rowsOut! > 0 && clean.rowsOut! < 2000, 'clean_sales drops refunds and duplicates');
    assert.ok(clean.columns!.some((c) => c.name === 'tax'));
    assert.equal(byName.get('export_sales')!.role, 'exporter');
    assert.match(byName.get('export_sales')!.summary!, /sales/);

    const [sales] = await query(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT count(*)::INTEGER AS n, count(DISTINCT order_id)::INTEGER AS ids, sum(amount)::DOUBLE AS amount FROM sales');
    assert.equal(sales!.n, clean.rowsOut, 'the result counts the rows that landed');
    assert.equal(sales!.ids, clean.rowsOut, 'one row per order');
    const [csv] = await query(':memory:', `SELECT count(DISTINCT order_id)::INTEGER AS n, sum(amount)::DOUBLE AS amount FROM (SELECT DISTINCT ON (order_id) order_id, amount FROM read_csv('${path.join(dir, 'data/sales.csv')}', types = {'amount': 'DECIMAL(12,2)', 'order_date': 'VARCHAR'}) WHERE amount > 0)`);
    assert.equal(sales!.n, csv!.n, 'every positive order of the file, once');
    assert.equal(Number(sales!.amount).toFixed(2), Number(csv!.amount).toFixed(2));
  });

  it('cancels a run whose signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the caller'));
    const run = await project.runPipeline('daily_sales', { signal: controller.signal });
    assert.equal(run.status, 'cancelled');
  });

  it('throws a ConfigError when the run cannot start', async () => {
    await assert.rejects(project.runPipeline('no_such_pipeline'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'pipeline.not_found');
      assert.match(error.message, /pipelines here: daily_sales, refunds/);
      return true;
    });
    await assert.rejects(project.runPipeline('daily_sales', { logicalDate: '2026-13-45' }), (error: unknown) => error instanceof ConfigError && error.code === 'run.bad_date');
  });

  it('refuses a folder that is not a project', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'sluice-library-empty-'));
    try {
      await assert.rejects(openProject(empty), (error: unknown) => error instanceof ConfigError && error.code === 'project.not_found');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('a failed run through the library', () => {
  // A copy of its own: this process has not loaded its blocks yet, so the edit below is what runs.
  const { dir, cleanup } = copySalesExample();
  after(cleanup);

  it('returns a failed run whose error names the block, file and line', async () => {
    const file = path.join(dir, 'blocks/clean_sales.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('const taxRate'));
    lines.splice(at, 0, "    throw new Error('no tax table today');");
    writeFileSync(file, lines.join('\n'));
    const project = await openProject(dir);
    try {
      const run = await project.runPipeline('daily_sales');
      assert.equal(run.status, 'failed');
      assert.ok(run.error instanceof SluiceError);
      assert.equal(run.error.location?.block, 'clean_sales');
      assert.equal(path.resolve(dir, run.error.location!.file!), file);
      assert.equal(run.error.location?.line, at + 1);
      assert.match(run.error.describe(dir), /^blocks\/clean_sales\.ts:\d+:\d+, block 'clean_sales': .*no tax table today/);
      const byName = new Map(run.blocks.map((b) => [b.block, b]));
      assert.equal(byName.get('clean_sales')!.status, 'failed');
      assert.match(byName.get('clean_sales')!.error!.message, /no tax table today/);
      assert.equal(byName.get('export_sales')!.status, 'skipped');
      assert.equal(byName.get('raw_customers')!.status, 'succeeded', 'an independent branch runs to its end');
    } finally {
      await project.close();
    }
  });
});

describe('Sluice as a library, with the PostgreSQL run store sluice.yaml names', async () => {
  const skip = await requirePrerequisites('postgres');
  const schema = `lib_runs_${randomBytes(4).toString('hex')}`;
  const { dir, cleanup } = copySalesExample();
  after(async () => {
    cleanup();
    if (skip) return;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('records the run in PostgreSQL and closes once, however often asked', { skip }, async () => {
    writeFileSync(path.join(dir, 'sluice.yaml'), `${readFileSync(path.join(dir, 'sluice.yaml'), 'utf8')}metadata: { type: postgres, url: "${pgUrl}", schema: ${schema} }\n`);
    const project = await openProject(dir);
    const run = await project.runPipeline('daily_sales');
    await Promise.all([project.close(), project.close()]);
    assert.equal(run.status, 'succeeded', run.error?.describe(dir));
    await assert.rejects(project.runPipeline('daily_sales'), (error: unknown) => error instanceof SluiceError && error.code === 'project.closed');

    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; status: string; trigger: string }>(`SELECT id, status, trigger FROM "${schema}".runs`);
      assert.deepEqual(rows, [{ id: run.runId, status: 'succeeded', trigger: 'library' }]);
    } finally {
      await client.end();
    }
  });
});
