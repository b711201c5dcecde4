import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { repoRoot, sluice, stop, tempDir } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { testRedisUrl } from '../../src/testing/prerequisite-checks.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('redis');
const published = 600;

describe('sluice init --example streaming, run for real', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-streaming-example-');
  const project = path.join(dir, 'shop');
  // The example's stream key, made unique so runs side by side never share a stream.
  const key = `streamui_example_${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  before(() => {
    redis = new Redis(testRedisUrl());
  });
  after(async () => {
    await redis?.del(key);
    redis?.disconnect();
    cleanup();
  });

  it('backfills history and streams orders into one table through one SQL file, then reports once the stream has caught up', async () => {
    const init = await sluice(dir, ['init', 'shop', '--example', 'streaming']);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /read README\.md, then: sluice run backfill_orders/);
    const live = path.join(project, 'pipelines/orders_live.yaml');
    const url = new URL(testRedisUrl());
    writeFileSync(live, readFileSync(live, 'utf8').replace('stream: sluice_example_orders', `stream: ${key}`).replace('redis://127.0.0.1:6379', url.href));

    const valid = await sluice(project, ['validate']);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    assert.doesNotMatch(valid.stdout + valid.stderr, /warning/, 'the example validates without warnings');

    const backfill = await sluice(project, ['run', 'backfill_orders']);
    assert.equal(backfill.code, 0, backfill.stdout + backfill.stderr);
    const publish = await promisify(execFile)(process.execPath, ['scripts/publish-orders.mjs', String(published), '--stream', key, '--url', url.href], { cwd: project });
    assert.match(publish.stdout, new RegExp(`published ${published} orders to ${key}`));

    const stream = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'stream', 'run', 'orders_live'], { cwd: project, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: 'ignore' });
    try {
      const report = await sluice(project, ['run', 'daily_revenue']);
      assert.equal(report.code, 0, report.stdout + report.stderr);
      assert.match(report.stdout, /orders_live has caught up/);

      const db = new Database(path.join(project, 'data/shop.sqlite'), { readonly: true });
      try {
        const history = readFileSync(path.join(project, 'data/orders_history.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
        const kept = history.filter((fields) => Number(fields[3]) > 0);
        const orders = db.prepare('SELECT count(*) AS n, count(DISTINCT order_id) AS k, sum(order_id >= 100001) AS streamed, round(sum(total), 2) AS total FROM orders').get() as { n: number; k: number; streamed: number; total: number };
        // The report ran once fewer than 100 messages waited; by now the stream has them all.
        await waitFor(() => (db.prepare('SELECT count(*) AS n FROM orders WHERE order_id >= 100001').get() as { n: number }).n === published, { what: 'every published order in the table' });
        assert.ok(orders.streamed > published - 100, `the report saw the stream caught up: ${orders.streamed} of ${published} streamed orders`);
        assert.equal(orders.n, orders.k, 'one row per order');
        const cleaned = db.prepare("SELECT count(*) AS n FROM orders WHERE customer <> lower(trim(customer)) OR currency <> 'EUR' OR abs(total - round(quantity * unit_price, 2)) > 1e-9").get() as { n: number };
        assert.equal(cleaned.n, 0, 'both pipelines cleaned their orders with the same SQL');
        assert.equal((db.prepare('SELECT count(*) AS n FROM orders WHERE order_id < 100001').get() as { n: number }).n, kept.length, 'the cancelled history line is not an order');
        const revenue = db.prepare('SELECT sum(orders) AS orders, round(sum(revenue), 2) AS revenue FROM daily_revenue').get() as { orders: number; revenue: number };
        // The stream may commit its last few batches after the report read the table.
        assert.ok(revenue.orders > kept.length + published - 100 && revenue.orders <= orders.n, `the report counted the backfilled and nearly all streamed orders: ${revenue.orders}`);
        assert.ok(revenue.revenue > 0 && revenue.revenue <= orders.total + 1e-6);
      } finally {
        db.close();
      }
      const status = JSON.parse((await sluice(project, ['stream', 'status', '--json'])).stdout) as { pipeline: string; status: string; metrics?: { rows: number } }[];
      assert.equal(status.find((s) => s.pipeline === 'orders_live')?.status, 'running');
    } finally {
      await stop(stream, 'SIGINT');
    }
  });
});
