import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

describe("the sales example's 60-day backfill of daily order files", () => {
  const { dir, cleanup } = tempDir('sluice-e2e-backfill-');
  const project = path.join(dir, 'shop');
  after(cleanup);

  before(async () => {
    const init = await sluice(dir, ['init', 'shop', '--example', 'sales']);
    assert.equal(init.code, 0, init.stderr);
  });

  it('generates one orders file a day for 60 days', () => {
    const said = execFileSync(process.execPath, ['scripts/generate-sales-by-day.mjs'], { cwd: project, encoding: 'utf8' });
    assert.match(said, /wrote 60 daily files/);
    const files = readdirSync(path.join(project, 'data/days')).sort();
    assert.equal(files.length, 60);
    assert.deepEqual([files[0], files.at(-1)], ['2025-01-01.csv', '2025-03-01.csv']);
  });

  it('backfills 60 runs, each reading the file of its own logical date', async () => {
    const backfill = await sluice(project, ['run', 'sales_by_day', '--backfill', '2025-01-01..2025-03-01']);
    assert.equal(backfill.code, 0, backfill.stderr + backfill.stdout);
    assert.match(backfill.stdout, /Backfill complete: 60 succeeded, 0 already done, 0 failed/);
  });

  it('flags the 15% jump in revenue on its first day, and nothing before it', async () => {
    const shown = await sluice(project, ['metrics', 'show', 'sales_by_day', 'day_orders', '--limit', '60']);
    assert.equal(shown.code, 0, shown.stderr);
    const rows = shown.stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter((cells) => /^\d{4}-\d{2}-\d{2}$/.test(cells[1] ?? ''));
    const sums = rows.filter((cells) => cells[0] === 'sum:amount');
    assert.equal(sums.length, 60);
    // Each day read its own file: the values differ from day to day.
    assert.equal(new Set(sums.map((cells) => cells[3])).size, 60);
    const flagged = rows.filter((cells) => cells.includes('ANOMALY'));
    assert.ok(flagged.length >= 1, shown.stdout);
    assert.deepEqual(flagged[0]!.slice(0, 2), ['sum:amount', '2025-02-22']);
    assert.ok(flagged.every((cells) => cells[0] === 'sum:amount' && cells[1]! >= '2025-02-22'), shown.stdout);
    assert.match(shown.stdout, /2025-02-22 .* ANOMALY\s+23,725 is [\d.]+ deviations above the expe/);
  });
});

describe('a backfill of many dates at once', () => {
  const { dir, cleanup } = tempDir('sluice-e2e-backfill-parallel-');
  after(cleanup);

  it('runs 16 dates side by side without a listener-leak warning, and each date once', async () => {
    writeProject(dir, { 'sluice.yaml': 'name: wide_backfill\n', 'pipelines/daily.yaml': 'blocks:\n  - { name: day, file: blocks/day.sql }\n', 'blocks/day.sql': "SELECT getvariable('logical_date') AS day\n" });
    const backfill = await sluice(dir, ['run', 'daily', '--backfill', '2025-01-01..2025-01-20', '--parallel', '16']);
    assert.equal(backfill.code, 0, backfill.stderr + backfill.stdout);
    assert.match(backfill.stdout, /Backfill complete: 20 succeeded, 0 already done, 0 failed/);
    // Each date in flight once listened on the backfill's own signal: 11 of them tripped Node's warning.
    assert.doesNotMatch(backfill.stderr, /MaxListenersExceededWarning/);
    const again = await sluice(dir, ['run', 'daily', '--backfill', '2025-01-01..2025-01-20', '--parallel', '16']);
    assert.match(again.stdout, /Backfill complete: 0 succeeded, 20 already done, 0 failed/);
  });
});
