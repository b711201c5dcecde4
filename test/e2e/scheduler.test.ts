import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { queryWarehouse, startScheduler, stop, tempDir, writeProject } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres');

const base = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';


describe('the scheduler, with its run store in PostgreSQL', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-sched-');
  const schema = `sluice_sched_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  const children: ChildProcess[] = [];
  before(async () => {
    await admin.connect();
    const start = new Date(Date.now() - 1000).toISOString();
    writeProject(dir, {
      'sluice.yaml': `name: sched\nmetadata: { type: postgres, url: "\${SCHED_PG_URL}", schema: ${schema} }\n`,
      'pipelines/tick.yaml': [
        `schedule: { interval: 1s, start_date: "${start}", catchup: true, max_active_runs: 5 }`,
        'blocks:',
        '  - name: now',
        '    file: blocks/now.sql',
        '',
      ].join('\n'),
      'blocks/now.sql': "SELECT getvariable('logical_date') AS logical_date\n",
    });
    process.env.SCHED_PG_URL = base;
  });
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    cleanup();
  });

  it('fires every tick exactly once across two schedulers, and the survivor takes over without a gap', async () => {
    const first = startScheduler(dir);
    const second = startScheduler(dir);
    children.push(first.child, second.child);
    await sleep(3500);
    // Kill whichever is the leader; the other must carry on.
    const leaderIsFirst = /is firing schedules/.test(first.output());
    const [leader, survivor] = leaderIsFirst ? [first, second] : [second, first];
    await stop(leader.child, 'SIGKILL');
    await sleep(3500);
    await stop(survivor.child);
    assert.match(survivor.output(), /is firing schedules/, survivor.output());

    const { rows } = await admin.query<{ logical_date: string; status: string; n: string }>(
      `SELECT logical_date, count(*) AS n, min(status) AS status FROM ${schema}.runs WHERE pipeline = 'tick' AND trigger = 'schedule' GROUP BY logical_date ORDER BY logical_date`,
    );
    assert.ok(rows.length >= 5, `runs fired: ${rows.length}\n${first.output()}\n${second.output()}`);
    assert.ok(rows.every((r) => Number(r.n) === 1), 'no logical date fired twice');
    const times = rows.map((r) => Date.parse(r.logical_date));
    for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 1000, `no tick missed between ${rows[i - 1]!.logical_date} and ${rows[i]!.logical_date}`);
    const fired = [...(first.output() + second.output()).matchAll(/→ tick /g)].length;
    assert.equal(fired, rows.length, 'each run was fired by one scheduler only');
  });
});

describe('a run whose process is killed', () => {
  const { dir, cleanup } = tempDir('sluice-kill-');
  const children: ChildProcess[] = [];
  before(() => {
    const start = new Date(Date.now() - 1500).toISOString().slice(0, 19) + 'Z';
    writeProject(dir, {
      'sluice.yaml': 'name: kill\n',
      'pipelines/slow.yaml': [
        // One interval only (the end date), retried once if lost.
        `schedule: { interval: 1s, start_date: "${start}", end_date: "${new Date(Date.parse(start) + 1000).toISOString()}", catchup: true }`,
        'retries: { count: 1, delay: 10ms }',
        'blocks:',
        '  - name: rows',
        '    file: blocks/rows.ts',
        '  - name: land',
        '    connection: warehouse',
        '    upstream: [rows]',
        '    settings: { table: landed, mode: replace }',
        '',
      ].join('\n'),
      'blocks/rows.ts': `import { defineLoader } from 'sluice';
export default defineLoader(async () => {
  await new Promise((r) => setTimeout(r, 1500));
  return Array.from({ length: 100 }, (_, i) => ({ i }));
});
`,
    });
  });
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    cleanup();
  });

  it('is reaped through its lapsed lease and retried, leaving exactly the expected rows', async () => {
    const doomed = startScheduler(dir);
    children.push(doomed.child);
    const deadline = Date.now() + 10_000;
    while (!/→ slow /.test(doomed.output()) && Date.now() < deadline) await sleep(50);
    assert.match(doomed.output(), /→ slow /);
    await stop(doomed.child, 'SIGKILL');

    const rescuer = startScheduler(dir);
    children.push(rescuer.child);
    const until = Date.now() + 15_000;
    while (!/✓ slow/.test(rescuer.output()) && Date.now() < until) await sleep(100);
    await stop(rescuer.child);
    assert.match(rescuer.output(), /! slow run \S+ lost/, rescuer.output());
    assert.match(rescuer.output(), /✓ slow/, rescuer.output());
    const [landed] = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT count(*)::INTEGER AS n, count(DISTINCT i)::INTEGER AS d FROM landed');
    assert.deepEqual(landed, { n: 100, d: 100 });
  });
});

describe('a file-arrival trigger', () => {
  const { dir, cleanup } = tempDir('sluice-files-');
  const children: ChildProcess[] = [];
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: arrivals\n',
      'pipelines/ingest.yaml': [
        'on_file: { path: incoming/*.csv }',
        'blocks:',
        '  - name: rows',
        '    file: blocks/rows.sql',
        '  - name: land',
        '    connection: warehouse',
        '    upstream: [rows]',
        '    settings: { table: arrivals, mode: append }',
        '',
      ].join('\n'),
      'blocks/rows.sql': "SELECT *, getvariable('trigger_file') AS source FROM read_csv(getvariable('trigger_file'))\n",
    }),
  );
  after(async () => {
    for (const child of children) await stop(child, 'SIGKILL');
    cleanup();
  });

  it('runs once per arriving file, with the file as trigger_file', async () => {
    mkdirSync(path.join(dir, 'incoming'), { recursive: true });
    writeFileSync(path.join(dir, 'incoming/a.csv'), 'n\n1\n2\n');
    const scheduler = startScheduler(dir);
    children.push(scheduler.child);
    await sleep(1500);
    writeFileSync(path.join(dir, 'incoming/b.csv'), 'n\n3\n');
    writeFileSync(path.join(dir, 'incoming/ignored.txt'), 'not a csv');
    const until = Date.now() + 10_000;
    while ([...scheduler.output().matchAll(/✓ ingest/g)].length < 2 && Date.now() < until) await sleep(100);
    await sleep(500);
    await stop(scheduler.child);
    assert.equal([...scheduler.output().matchAll(/→ ingest /g)].length, 2, scheduler.output());
    const rows = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT source, sum(n)::INTEGER AS total FROM arrivals GROUP BY source ORDER BY source');
    assert.deepEqual(rows, [
      { source: 'incoming/a.csv', total: 3 },
      { source: 'incoming/b.csv', total: 3 },
    ]);
  });
});
