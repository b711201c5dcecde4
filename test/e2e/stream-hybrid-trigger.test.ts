import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startScheduler, stop, writeProject } from './cli-helpers.ts';
import { countRows, createStreamWorld, publishToRedis, type StreamWorld } from './stream-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

const skip = await requirePrerequisites('postgres', 'redis');

const base = Date.UTC(2026, 0, 1);
/** Readings one second apart from `from` (seconds past base): a 10 s window closes every 10 readings. */
const readings = (from: number, count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ id: from + i, ts: new Date(base + (from + i) * 1000).toISOString(), v: 1 }));

describe('a batch pipeline triggered by a streaming pipeline', { skip }, () => {
  let world: StreamWorld;
  const key = `hybrid_${randomBytes(4).toString('hex')}`;
  const drops: (() => Promise<void>)[] = [];
  before(async () => {
    world = await createStreamWorld('windows_hybrid');
    world.pipeline(
      'readings_live',
      [
        'kind: streaming',
        `source: { type: redis_streams, stream: ${key}, claim_idle: 2s }`,
        'payload:',
        '  columns: { id: BIGINT NOT NULL, ts: TIMESTAMP, v: BIGINT }',
        'batch_size: 1000',
        'batch_wait: 50ms',
        'window: { type: tumbling, time: ts, size: 10s, aggregates: { n: count, total: sum(v) } }',
        'sinks:',
        '  - { connection: pg, table: per_window }',
        '',
      ].join('\n'),
    );
    world.pipeline(
      'report',
      [
        'on_stream: { pipeline: readings_live, window_closed: true, every_records: 25 }',
        'blocks:',
        '  - name: fired',
        '    file: blocks/fired.sql',
        '  - name: land',
        '    connection: pg',
        '    upstream: [fired]',
        '    settings: { table: report_runs, mode: append }',
        '',
      ].join('\n'),
    );
    writeProject(world.dir, {
      'blocks/fired.sql': "SELECT getvariable('trigger_stream') AS stream, CAST(getvariable('trigger_windows_closed') AS BIGINT) AS windows_closed, CAST(getvariable('trigger_window_end') AS VARCHAR) AS window_end, CAST(getvariable('trigger_records') AS BIGINT) AS records\n",
    });
  });
  after(async () => {
    for (const drop of drops) await drop();
    await world?.close();
  });

  const runs = async () => (await world.query(`SELECT stream, windows_closed, window_end, records FROM ${world.name}.report_runs`)).map((r) => ({ stream: r.stream, windows: r.windows_closed === null ? null : Number(r.windows_closed), end: r.window_end, records: r.records === null ? null : Number(r.records) }));

  it('runs once per closed window and per 25 records, and never again for the same event after the scheduler is killed', async () => {
    // 30 readings (0..29 s): the watermark reaches 29 s, so windows 0-10 and 10-20 close; 25 records pass once.
    drops.push((await publishToRedis(key, readings(0, 30))).drop);
    const first = startScheduler(world.dir);
    try {
      await waitFor(async () => (await countRows(world, 'per_window')) === 2 && (await runs()).some((r) => r.windows === 2) && (await runs()).some((r) => r.records === 25), {
        what: 'the windows and the runs they trigger',
        giveUpWhen: () => (first.child.exitCode !== null ? first.output() : undefined),
      });
    } finally {
      await stop(first.child, 'SIGKILL');
    }
    const before = await runs();
    // Killed and started again: the events it already ran on are not run again.
    const second = startScheduler(world.dir);
    try {
      await waitFor(() => /scheduling \d+ pipeline/.test(second.output()), { what: 'the scheduler to start' });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      assert.deepEqual(await runs(), before, second.output());
      // 25 more readings (30..54 s): windows 20-30, 30-40 and 40-50 close, and 50 records pass.
      const more = await publishToRedis(key, readings(30, 25));
      drops.push(more.drop);
      await waitFor(async () => (await runs()).some((r) => r.windows === 5) && (await runs()).some((r) => r.records === 50), {
        what: 'the runs for the new windows and records',
        giveUpWhen: () => (second.child.exitCode !== null ? second.output() : undefined),
      });
    } finally {
      await stop(second.child, 'SIGINT');
    }
    const all = await runs();
    const windowRuns = all.filter((r) => r.windows !== null).map((r) => r.windows!);
    const recordRuns = all.filter((r) => r.records !== null).map((r) => r.records!);
    assert.equal(new Set(windowRuns).size, windowRuns.length, `a window event ran twice: ${JSON.stringify(all)}`);
    assert.deepEqual(recordRuns.sort((a, b) => a - b), [25, 50]);
    assert.ok(windowRuns.includes(2) && windowRuns.includes(5) && windowRuns.every((w) => w >= 1 && w <= 5), JSON.stringify(all));
    assert.ok(all.every((r) => r.stream === 'readings_live'));
    assert.ok(all.some((r) => r.windows === 5 && r.end === '2026-01-01T00:00:50.000Z'), JSON.stringify(all));
    const windows = await world.query(`SELECT n, total FROM ${world.name}.per_window ORDER BY window_start`);
    assert.deepEqual(windows.map((w) => [Number(w.n), Number(w.total)]), [[10, 10], [10, 10], [10, 10], [10, 10], [10, 10]]);
  });
});
