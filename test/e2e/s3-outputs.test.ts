import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createS3Client, type S3Client } from '../../src/core/output-store/s3-client.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { startS3TestServer, type S3TestServer } from '../../src/testing/s3-test-server.ts';
import { serveProject } from './api-server.ts';
import { queryWarehouse, repoRoot, sluice, tempDir, writeProject } from './cli-helpers.ts';
import { createQueueProject } from './queue-fixtures.ts';

const skip = await requirePrerequisites('postgres', 'redis');

/** The sales example's files, but its sluice.yaml: each test writes its own. */
function salesFiles(): Record<string, string> {
  const root = path.join(repoRoot, 'examples/sales');
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else files[path.relative(root, file)] = readFileSync(file, 'utf8');
    }
  };
  walk(root);
  delete files['sluice.yaml'];
  return files;
}

/** sluice.yaml's outputs on the test's S3 server, credentials read from `${KEY}` and `${SECRET}`. */
function outputsOn(server: S3TestServer, prefix: string, [key, secret]: [string, string]): string {
  return `outputs: { store: s3, bucket: ${server.bucket}, prefix: ${prefix}, endpoint: '${server.endpoint}', force_path_style: true, access_key_id: '\${${key}}', secret_access_key: '\${${secret}}' }`;
}

async function keysUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of client.list(bucket, prefix)) keys.push(key);
  return keys.sort();
}

/** The blocks of daily_sales that keep an output of their own (an exporter hands its input on). */
const keptBlocks = ['check_daily_revenue', 'clean_customers', 'clean_sales', 'daily_revenue', 'products', 'raw_customers', 'raw_sales'];

/** What the example lands, computed apart from it: one row per order of a positive amount. */
async function expectedOrders(warehouse: string): Promise<number> {
  const csv = path.join(repoRoot, 'examples/sales/data/sales.csv');
  const [row] = await queryWarehouse(warehouse, `SELECT count(DISTINCT order_id)::INTEGER AS n FROM read_csv('${csv}', types = {'amount': 'DECIMAL(12,2)', 'order_date': 'VARCHAR'}) WHERE amount > 0`);
  return row!.n as number;
}

async function assertTargets(dir: string): Promise<void> {
  const warehouse = path.join(dir, '.sluice/warehouse.duckdb');
  const orders = await expectedOrders(warehouse);
  const [sales] = await queryWarehouse(warehouse, 'SELECT count(*)::INTEGER AS n, count(DISTINCT order_id)::INTEGER AS ids, sum(amount)::DOUBLE AS amount FROM sales');
  assert.equal(sales!.n, orders);
  assert.equal(sales!.ids, orders, 'one row per order');
  const [daily] = await queryWarehouse(warehouse, 'SELECT sum(revenue)::DOUBLE AS revenue, sum(orders)::INTEGER AS orders FROM daily_revenue');
  assert.equal(daily!.orders, orders);
  assert.equal(Number(daily!.revenue).toFixed(2), Number(sales!.amount).toFixed(2));
}

function assertNoLocalOutputs(dir: string): void {
  const local = path.join(dir, '.sluice/outputs');
  const files = existsSync(local) ? readdirSync(local, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')) : [];
  assert.deepEqual(files, [], 'no block output was written to the local outputs folder');
}

describe('block outputs kept in an S3 bucket', { skip }, () => {
  let server: S3TestServer;
  let client: S3Client;
  before(async () => {
    if (skip) return;
    server = await startS3TestServer('sluice-e2e-outputs');
    client = createS3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, partSize: 64 * 2 ** 20 });
  });
  after(async () => server?.close());

  it('runs the sales example in-process from the API, and previews an output read back from the bucket', async () => {
    const env = { SALES_S3_KEY: server.accessKeyId, SALES_S3_SECRET: server.secretAccessKey };
    const served = await serveProject({ ...salesFiles(), 'sluice.yaml': `name: sales\n${outputsOn(server, 'api', ['SALES_S3_KEY', 'SALES_S3_SECRET'])}\n` }, { env });
    try {
      const started = await served.json<{ run_id: string }>('/api/pipelines/daily_sales/runs', { method: 'POST', body: '{}' });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const run = await served.waitForRun(started.body.run_id, 120_000);
      assert.equal(run.status, 'succeeded', JSON.stringify(run) + served.output());

      const keys = await keysUnder(client, server.bucket, `api/daily_sales/${started.body.run_id}/`);
      assert.deepEqual(keys, keptBlocks.map((b) => `api/daily_sales/${started.body.run_id}/${b}.parquet`));
      assertNoLocalOutputs(served.dir);

      // Without the copy the server kept when it stored the output, the preview downloads it from the bucket.
      rmSync(path.join(served.dir, '.sluice/output-cache'), { recursive: true, force: true });
      const page = await served.json<{ total: number; rows: { product: string; orders: number }[] }>(`/api/runs/${started.body.run_id}/blocks/daily_revenue/output?limit=5`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.ok(page.body.total > 0 && page.body.rows.length === 5, JSON.stringify(page.body));
      assert.ok(page.body.rows.every((r) => typeof r.product === 'string' && Number(r.orders) > 0));
      assert.ok(readdirSync(path.join(served.dir, '.sluice/output-cache'), { recursive: true }).map(String).some((f) => f.includes('daily_revenue.')), 'downloaded to the cache');
      await assertTargets(served.dir);
    } finally {
      await served.close();
    }
  });

  it("keeps a loader's rejected rows beside its output in the bucket, and sluice preview --rejects reads them", async () => {
    const { dir, cleanup } = tempDir('sluice-s3-rejects-');
    try {
      writeProject(dir, {
        'sluice.yaml': `name: rejects\n${outputsOn(server, 'rejects', ['REJECTS_S3_KEY', 'REJECTS_S3_SECRET'])}\n`,
        'pipelines/p.yaml': "blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/in.csv, on_error: reject, columns: { amount: 'DECIMAL(12,2)' } }\n",
        'data/in.csv': 'id,amount\n1,10.50\n2,oops\n3,7.25\n',
      });
      const env = { REJECTS_S3_KEY: server.accessKeyId, REJECTS_S3_SECRET: server.secretAccessKey };
      const run = await sluice(dir, ['run', 'p'], env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(run.stdout)![1]!;
      assert.deepEqual(await keysUnder(client, server.bucket, `rejects/p/${runId}/`), [`rejects/p/${runId}/raw.parquet`, `rejects/p/${runId}/raw.rejects.parquet`]);
      assertNoLocalOutputs(dir);
      // A fresh machine's view: nothing cached.
      rmSync(path.join(dir, '.sluice/output-cache'), { recursive: true, force: true });
      const rejects = await sluice(dir, ['preview', 'p', 'raw', '--rejects'], env);
      assert.equal(rejects.code, 0, rejects.stdout + rejects.stderr);
      assert.match(rejects.stdout, /^data\/in\.csv:3, column amount: /m);
    } finally {
      cleanup();
    }
  });

  it('runs the sales example on a queue worker that shares nothing with the run but PostgreSQL, Redis and the bucket', async () => {
    const project = await createQueueProject(
      // The credentials come from the project's secrets file, as the web UI keeps them.
      { ...salesFiles(), '.sluice/secrets.env': `FLEET_S3_KEY=${server.accessKeyId}\nFLEET_S3_SECRET=${server.secretAccessKey}\n` },
      's3-queue',
      [outputsOn(server, 'fleet', ['FLEET_S3_KEY', 'FLEET_S3_SECRET'])],
    );
    try {
      const worker = await project.startWorker(['--concurrency', '2']);
      const run = await sluice(project.dir, ['run', 'daily_sales'], project.env);
      assert.equal(run.code, 0, run.stdout + run.stderr + worker.output());
      const runId = /run (\d{8}-\d{6}-[0-9a-f]{6})/.exec(run.stdout)![1]!;

      const { rows } = await project.db.query(`SELECT b.block, b.output, q.worker FROM ${project.schema}.block_runs b JOIN ${project.schema}.queued_block_runs q USING (run_id, block) WHERE run_id = $1 ORDER BY block`, [runId]);
      assert.ok(rows.length >= keptBlocks.length, JSON.stringify(rows));
      for (const row of rows.filter((r) => keptBlocks.includes(r.block))) {
        assert.equal(row.output, `s3://${server.bucket}/fleet/daily_sales/${runId}/${row.block}.parquet`);
        assert.match(String(row.worker), new RegExp(String(worker.pid)), 'the worker ran it');
      }
      assert.deepEqual(await keysUnder(client, server.bucket, `fleet/daily_sales/${runId}/`), keptBlocks.map((b) => `fleet/daily_sales/${runId}/${b}.parquet`));
      assertNoLocalOutputs(project.dir);
      await assertTargets(project.dir);
      const preview = await sluice(project.dir, ['preview', 'daily_sales', 'daily_revenue', '--limit', '3'], project.env);
      assert.equal(preview.code, 0, preview.stdout + preview.stderr);
      assert.match(preview.stdout, /product/);
    } finally {
      await project.cleanup();
    }
  });
});
