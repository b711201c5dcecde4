import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { alertReceiver } from './alert-receiver.ts';
import { queryWarehouse, sluice, tempDir, writeProject, type CliResult } from './cli-helpers.ts';

const isoDates = ['order_id,order_date,amount', '1,2024-03-07,10.5', '2,2024-03-08,20', '3,2024-03-09,30', '4,2024-03-10,40', ''].join('\n');
const usDates = ['order_id,order_date,amount', '5,03/11/2024,50', '6,03/12/2024,60', '7,03/13/2024,70', ''].join('\n');
const mixed = ['order_id,order_date,amount', '8,2024-03-14,80', '9,03/15/2024,90', '10,2024-03-16,100', '11,03/17/2024,110', '12,03/18/2024,120', ''].join('\n');

/** A project whose loader reads data/orders.csv (dates as text) under `policy`, and a block that lands the rows in the warehouse. */
function project(dir: string, policy: string): void {
  writeProject(dir, {
    'sluice.yaml': 'name: shop\n',
    'data/orders.csv': isoDates,
    'pipelines/orders.yaml': [
      'alerts:',
      '  - on: [drift]',
      '    webhook: "${HOOK_URL}/drift"',
      'blocks:',
      '  - name: raw_orders',
      '    role: loader',
      '    connector: file',
      '    settings:',
      '      path: data/orders.csv',
      '      columns: { order_id: BIGINT, order_date: VARCHAR, amount: DOUBLE }',
      `    drift: ${policy}`,
      '  - { name: land, role: exporter, connection: warehouse, upstream: [raw_orders], settings: { table: orders } }',
      '',
    ].join('\n'),
  });
}

async function landed(dir: string): Promise<string[]> {
  const rows = await queryWarehouse(path.join(dir, '.sluice', 'warehouse.duckdb'), 'SELECT order_id, order_date FROM orders ORDER BY order_id');
  return rows.map((r) => `${r.order_id} ${r.order_date}`);
}

interface DriftEvent {
  runId: string;
  pipeline: string;
  at: string;
  block: string;
  column: string;
  kind: string;
  before?: string;
  after?: string;
  action: string;
  message: string;
  rows?: number;
  samples?: Record<string, unknown>[];
}

async function driftEvents(dir: string): Promise<DriftEvent[]> {
  const listed = await sluice(dir, ['drift', 'orders', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout) as DriftEvent[];
}

// The three projects run side by side: each test is a handful of CLI runs, mostly waiting.
/** Runs the project once with ISO dates (the baseline) and again with `csv`; returns the second run. */
async function runTwice(dir: string, policy: string, csv: string): Promise<CliResult> {
  project(dir, policy);
  const first = await sluice(dir, ['run', 'orders'], { HOOK_URL: hook.url });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.doesNotMatch(first.stdout + first.stderr, /drift in/, 'the first run only sets the baseline');
  writeProject(dir, { 'data/orders.csv': csv });
  return sluice(dir, ['run', 'orders'], { HOOK_URL: hook.url });
}

let hook: Awaited<ReturnType<typeof alertReceiver>>;

describe('drift in a loaded CSV whose date format changes between runs', { concurrency: true }, () => {
  before(async () => (hook = await alertReceiver()));
  after(() => hook.server.close());

  describe('drift: warn', () => {
    const { dir, cleanup } = tempDir('sluice-drift-warn-');
    after(cleanup);

    it('records the change with the run and block where it began, warns, alerts and goes on; the next run compares with the new format', async () => {
      const second = await runTwice(dir, 'warn', usDates);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout + second.stderr, /drift in raw_orders: format of order_date changed: 9999-99-99 -> 99\/99\/9999 \(3 rows\)/);
      assert.deepEqual(await landed(dir), ['5 03/11/2024', '6 03/12/2024', '7 03/13/2024']);

      const [event, ...others] = await driftEvents(dir);
      assert.deepEqual(others, []);
      const { runId, at, samples, ...rest } = event!;
      assert.deepEqual(rest, {
        pipeline: 'orders',
        block: 'raw_orders',
        column: 'order_date',
        kind: 'format_changed',
        before: '9999-99-99',
        after: '99/99/9999',
        action: 'warned',
        message: 'format of order_date changed: 9999-99-99 -> 99/99/9999',
        rows: 3,
      });
      assert.deepEqual(samples?.map((row) => row.order_date), ['03/11/2024', '03/12/2024', '03/13/2024']);
      assert.ok(second.stdout.includes(runId), `the second run (${runId}) began the drift`);
      assert.ok(Date.parse(at) > 0);

      const alerts = hook.received.filter((r) => r.body.kind === 'drift' && r.body.runId === event!.runId);
      assert.equal(alerts.length, 1, JSON.stringify(hook.received));
      assert.deepEqual(alerts[0]!.body.drift, [{ block: 'raw_orders', column: 'order_date', message: 'format of order_date changed: 9999-99-99 -> 99/99/9999', action: 'warned' }]);

      // The warned run's output is the new baseline: the same format again is no drift.
      writeProject(dir, { 'data/orders.csv': usDates });
      const third = await sluice(dir, ['run', 'orders'], { HOOK_URL: hook.url });
      assert.equal(third.code, 0, third.stdout + third.stderr);
      const listed = await sluice(dir, ['drift']);
      assert.equal(listed.stdout.trim().split('\n').length, 1, listed.stdout);
      assert.match(listed.stdout, new RegExp(`orders raw_orders  warned  format of order_date changed: 9999-99-99 -> 99/99/9999 \\(3 rows\\)  run ${runId}`));
    });
  });

  describe('drift: fail', () => {
    const { dir, cleanup } = tempDir('sluice-drift-fail-');
    after(cleanup);

    it('fails the block naming the column, both formats and sample rows, and nothing downstream is written', async () => {
      const second = await runTwice(dir, 'fail', usDates);
      assert.equal(second.code, 1, second.stdout + second.stderr);
      const said = second.stdout + second.stderr;
      assert.match(said, /the output of 'raw_orders' drifted from its last succeeded run \(drift: fail\); nothing was kept/);
      assert.match(said, /format of order_date changed: 9999-99-99 -> 99\/99\/9999 in 3 rows; e\.g\. \{"order_id":5,"order_date":"03\/11\/2024","amount":50\}/);
      assert.match(said, /pipelines\/orders\.yaml:\d+/);
      assert.deepEqual(await landed(dir), ['1 2024-03-07', '2 2024-03-08', '3 2024-03-09', '4 2024-03-10'], 'the landed table keeps the first run');

      // A refused output does not move the baseline: the next run with the new format fails again.
      const third = await sluice(dir, ['run', 'orders'], { HOOK_URL: hook.url });
      assert.equal(third.code, 1, third.stdout + third.stderr);
      assert.deepEqual((await driftEvents(dir)).map((e) => e.action), ['failed', 'failed']);
    });
  });

  describe('drift: discard_row', () => {
    const { dir, cleanup } = tempDir('sluice-drift-discard-');
    after(cleanup);

    it('moves the rows in the new format to raw_orders__drift with a reason, lands the rest, and the counts add up', async () => {
      const second = await runTwice(dir, 'discard_row', mixed);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.deepEqual(await landed(dir), ['8 2024-03-14', '10 2024-03-16']);

      const file = readdirSync(path.join(dir, '.sluice'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('raw_orders__drift.parquet'));
      assert.equal(file.length, 1, file.join(', '));
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const reader = await connection.runAndReadAll(`SELECT order_id, _sluice_drift_reason FROM read_parquet('${path.join(dir, '.sluice', file[0]!)}') ORDER BY order_id`);
      const discarded = reader.getRowObjectsJS().map((r) => `${r.order_id} ${r._sluice_drift_reason}`);
      connection.closeSync();
      instance.closeSync();
      assert.deepEqual(discarded, [
        '9 order_date: 99/99/9999 does not match the established 9999-99-99',
        '11 order_date: 99/99/9999 does not match the established 9999-99-99',
        '12 order_date: 99/99/9999 does not match the established 9999-99-99',
      ]);
      const [event] = await driftEvents(dir);
      assert.deepEqual([event!.action, event!.rows, event!.after], ['discarded', 3, 'mixed (60% 99/99/9999)']);
      assert.equal(2 + discarded.length, 5);
    });
  });
});
