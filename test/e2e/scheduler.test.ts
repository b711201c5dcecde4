import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { queryWarehouse, startScheduler, stop, tempDir, writeProject } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';

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
    const fired = (scheduler: typeof first) => [...scheduler.output().matchAll(/→ tick \S+ (\S+)/g)].map((m) => m[1]!);
    // Kill whichever is the leader once it has fired a few ticks; the other must carry on.
    const leader = await waitFor(() => [first, second].find((s) => /is firing schedules/.test(s.output()) && fired(s).length >= 3), {
      what: 'a leader that has fired three ticks',
    });
    const survivor = leader === first ? second : first;
    await stop(leader.child, 'SIGKILL');
    await waitFor(() => /is firing schedules/.test(survivor.output()) && fired(survivor).length >= 3, { what: 'the survivor to take over and fire three ticks' });
    await stop(survivor.child);
    assert.match(survivor.output(), /is firing schedules/, survivor.output());

    const { rows } = await admin.query<{ logical_date: string; status: string; n: string }>(
      `SELECT logical_date, count(*) AS n, min(status) AS status FROM ${schema}.runs WHERE pipeline = 'tick' AND trigger = 'schedule' GROUP BY logical_date ORDER BY logical_date`,
    );
    assert.ok(rows.length >= 5, `runs fired: ${rows.length}\n${first.output()}\n${second.output()}`);
    assert.ok(rows.every((r) => Number(r.n) === 1), 'no logical date fired twice');
    const times = rows.map((r) => Date.parse(r.logical_date));
    for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 1000, `no tick missed between ${rows[i - 1]!.logical_date} and ${rows[i]!.logical_date}`);
    const ids = (await admin.query<{ id: string }>(`SELECT id FROM ${schema}.runs WHERE pipeline = 'tick' AND trigger = 'schedule'`)).rows.map((r) => r.id);
    const printed = [...fired(first), ...fired(second)];
    assert.equal(new Set(printed).size, printed.length, 'each run was fired by one scheduler only');
    assert.deepEqual(printed.filter((id) => !ids.includes(id)), [], 'every fired run is recorded');
    // SIGKILL may land between recording a run and printing it: that one run goes unprinted.
    assert.ok(ids.length - printed.length <= 1, `runs recorded: ${ids.length}, printed: ${printed.length}`);
  });
});

describe('a run whose process is killed', () => {
  const { dir, cleanup } = tempDir('sluice-kill-');
  const children: ChildProcess[] = [];
  // The block marks that it started, then holds the run open until the test releases it.
  const started = path.join(dir, 'started');
  const release = path.join(dir, 'release');
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
      'blocks/rows.ts': `import { existsSync, writeFileSync } from 'node:fs';
import { defineLoader } from 'sluice';
export default defineLoader(async () => {
  writeFileSync(${JSON.stringify(started)}, '');
  while (!existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));
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
    await waitFor(() => existsSync(started), { what: 'the scheduled run to start its block', giveUpWhen: () => (doomed.child.exitCode !== null ? doomed.output() : undefined) });
    await stop(doomed.child, 'SIGKILL');
    writeFileSync(release, '');

    const rescuer = startScheduler(dir);
    children.push(rescuer.child);
    await waitFor(() => /✓ slow/.test(rescuer.output()), { what: 'the lost run to be reaped and retried to success', giveUpWhen: () => (rescuer.child.exitCode !== null ? rescuer.output() : undefined) });
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
    const succeeded = () => [...scheduler.output().matchAll(/✓ ingest/g)].length;
    await waitFor(() => succeeded() >= 1, { what: 'the run for the file already there' });
    // The file that must be ignored lands first, so the scan that finds b.csv has seen it too.
    writeFileSync(path.join(dir, 'incoming/ignored.txt'), 'not a csv');
    writeFileSync(path.join(dir, 'incoming/b.csv'), 'n\n3\n');
    await waitFor(() => succeeded() >= 2, { what: 'the run for the file that arrived' });
    await stop(scheduler.child);
    assert.equal([...scheduler.output().matchAll(/→ ingest /g)].length, 2, scheduler.output());
    const rows = await queryWarehouse(path.join(dir, '.sluice/warehouse.duckdb'), 'SELECT source, sum(n)::INTEGER AS total FROM arrivals GROUP BY source ORDER BY source');
    assert.deepEqual(rows, [
      { source: 'incoming/a.csv', total: 3 },
      { source: 'incoming/b.csv', total: 3 },
    ]);
  });
});
