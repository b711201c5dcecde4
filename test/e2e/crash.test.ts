import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { repoRoot, stop, tempDir, writeProject } from './cli-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { runModes, setUpMode, skipMode, type ModeSetup } from './run-modes.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

const skip = await requirePrerequisites('postgres');
/** A worker's claim lapses this long after it died, and another worker takes its block run over. */
const workerLeaseMs = 2000;

const base = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `sluice serve` (API and scheduler) as an operator starts it, with a short lease so a dead one is noticed fast. */
async function startServer(cwd: string): Promise<{ child: ChildProcess; api: (route: string, init?: RequestInit) => Promise<Response>; output: () => string }> {
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', '--lease', '2500', '--concurrency', '2'], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1', SLUICE_API_TOKEN: 'crash-test-token-0123456789' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const url = await waitFor(() => /API on (http:\/\/\S+)/.exec(text)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? text : undefined) });
  const api = (route: string, init: RequestInit = {}) =>
    fetch(`${url}${route}`, { ...init, headers: { 'content-type': 'application/json', authorization: 'Bearer crash-test-token-0123456789' } });
  return { child, api, output: () => text };
}


for (const runMode of runModes()) {
  describe(`crash safety (processes killed with SIGKILL)${runMode.label}`, { skip: skip || (await skipMode(runMode)) }, () => {
    const { dir, cleanup } = tempDir('sluice-crash-');
    const schema = `sluice_crash_${process.pid}_${runMode.executor.replace('-', '_')}`;
    const admin = new pg.Client({ connectionString: base });
    const children: ChildProcess[] = [];
    const queued = runMode.executor === 'queue';
    let setup: ModeSetup | undefined;
    /** Through the queue: two workers with a short lease, so one killed is taken over fast. */
    const workers: WorkerProcess[] = [];
    // Days after the 12th wait for this file, so the first server is always killed halfway.
    const release = path.join(dir, 'release');
    before(async () => {
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      setup = await setUpMode(runMode, 'crash');
      // The run store stays in this test's schema, where it reads runs and the ledger; the mode adds its queue and outputs.
      const modeSettings = setup.settings.filter((line) => !line.startsWith('metadata:'));
      writeProject(dir, {
        'sluice.yaml': [`name: crash`, `metadata: { type: postgres, url: "${base}", schema: ${schema} }`, ...modeSettings, ''].join('\n'),
        'connections.yaml': `connections:\n  pg:\n    connector: postgres\n    url: "${base}"\n    schema: ${schema}\n`,
        'pipelines/daily.yaml': [
          'retries: { count: 2, delay: 10ms }',
          'blocks:',
          '  - { name: day, file: blocks/day.ts }',
          '  - { name: land, connection: pg, upstream: [day], settings: { table: daily, mode: partition, partition_column: day } }',
          '',
        ].join('\n'),
        'blocks/day.ts': `import { existsSync } from 'node:fs';
  import { defineLoader } from 'sluice';
  export default defineLoader(async (_, ctx) => {
    while (String(ctx.logicalDate).slice(0, 10) > '2025-01-12' && !existsSync(${JSON.stringify(release)})) await new Promise((r) => setTimeout(r, 50));
    return Array.from({ length: 10 }, (_, i) => ({ day: ctx.logicalDate, i }));
  });
  `,
        'pipelines/big.yaml': [
          'retries: { count: 1, delay: 10ms }',
          'blocks:',
          '  - { name: rows, file: blocks/rows.sql }',
          '  - { name: load, connection: pg, upstream: [rows], settings: { table: target, mode: replace } }',
          '',
        ].join('\n'),
        'blocks/rows.sql': "SELECT i AS id, 'row ' || i AS label, (i % 1000)::DECIMAL(12,2) AS amount FROM range(1500000) t(i)\n",
      });
      await admin.query(`CREATE TABLE ${schema}.target (id BIGINT, label TEXT, amount NUMERIC(12,2))`);
      await admin.query(`INSERT INTO ${schema}.target SELECT i, 'before', 1 FROM generate_series(1, 10) i`);
      if (queued) for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess(dir, {}, ['--concurrency', '2', '--lease', String(workerLeaseMs)], undefined, (child) => children.push(child)));
    });
    after(async () => {
      for (const child of children) await stop(child, 'SIGKILL');
      await setup?.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      cleanup();
    });

    it('a 30-day backfill whose server is killed halfway ends, after a restart, with exactly 30 runs, all succeeded', async () => {
      const first = await startServer(dir);
      children.push(first.child);
      const response = await first.api('/api/pipelines/daily/backfills', { method: 'POST', body: JSON.stringify({ start: '2025-01-01', end: '2025-01-30' }) });
      assert.equal(response.status, 202);
      assert.equal(((await response.json()) as { runs: unknown[] }).runs.length, 30);
      const succeeded = async () => Number((await admin.query(`SELECT count(*) FROM ${schema}.runs WHERE pipeline = 'daily' AND status = 'succeeded'`)).rows[0].count);
      await waitFor(async () => (await succeeded()) >= 12, { what: 'the first 12 days to succeed' });
      await stop(first.child, 'SIGKILL');
      assert.ok((await succeeded()) < 30, 'killed before the end');
      writeFileSync(release, '');

      const second = await startServer(dir);
      children.push(second.child);
      await waitFor(async () => (await succeeded()) >= 30, { what: 'all 30 days to succeed after the restart', giveUpWhen: () => (second.child.exitCode !== null ? second.output() : undefined) });
      await stop(second.child);
      const { rows } = await admin.query(`SELECT logical_date, status, attempt, error FROM ${schema}.runs WHERE pipeline = 'daily' ORDER BY logical_date`);
      assert.equal(rows.length, 30, `exactly 30 runs\n${second.output()}`);
      assert.ok(rows.every((r) => r.status === 'succeeded'), JSON.stringify(rows.filter((r) => r.status !== 'succeeded')));
      assert.equal(new Set(rows.map((r) => r.logical_date)).size, 30);
      const data = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT day)::int AS days FROM ${schema}.daily`);
      assert.deepEqual(data.rows[0], { n: 300, days: 30 });
    });

    it('a run killed in the middle of a PostgreSQL load leaves the target as it was; its retry loads exactly the rows', { skip: queued && 'through the queue the load runs on a worker: the next test kills that' }, async () => {
      const first = await startServer(dir);
      children.push(first.child);
      const triggered = (await (await first.api('/api/pipelines/big/runs', { method: 'POST', body: '{}' })).json()) as { run_id: string };
      // Midway: a COPY into this schema has loaded rows, and the load has not finished.
      const copying = async () =>
        (
          await admin.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid WHERE a.query LIKE '%' || $1 || '%' AND p.tuples_processed > 0`,
            [schema],
          )
        ).rows[0].n > 0;
      await waitFor(copying, { what: 'the load to be midway through its COPY', every: 20 });
      await stop(first.child, 'SIGKILL');
      const during = await admin.query(`SELECT count(*)::int AS n, min(label) AS label FROM ${schema}.target`);
      assert.deepEqual(during.rows[0], { n: 10, label: 'before' }, 'no partial rows');

      const second = await startServer(dir);
      children.push(second.child);
      const status = async () => (await admin.query(`SELECT status, attempt FROM ${schema}.runs WHERE id = $1`, [triggered.run_id])).rows[0] as { status: string; attempt: number };
      await waitFor(async () => (await status()).status === 'succeeded', { what: 'the killed run to be retried to success', giveUpWhen: () => (second.child.exitCode !== null ? second.output() : undefined) });
      await stop(second.child);
      const final = await status();
      assert.equal(final.status, 'succeeded', second.output());
      assert.equal(final.attempt, 2);
      assert.match(second.output(), /lost/);
      const loaded = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, sum(amount)::text AS amount FROM ${schema}.target`);
      assert.deepEqual(loaded.rows[0], { n: 1_500_000, ids: 1_500_000, amount: String(1500 * 499_500) + '.00' });
    });

    it('a worker killed in the middle of a PostgreSQL load leaves the target as it was; another worker loads exactly the rows', { skip: !queued && 'in-process there is no worker: the test above kills the run\'s process' }, async () => {
      await admin.query(`TRUNCATE ${schema}.target`);
      await admin.query(`INSERT INTO ${schema}.target SELECT i, 'before', 1 FROM generate_series(1, 10) i`);
      const server = await startServer(dir);
      children.push(server.child);
      const triggered = (await (await server.api('/api/pipelines/big/runs', { method: 'POST', body: '{}' })).json()) as { run_id: string };
      const copying = async () =>
        (
          await admin.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid WHERE a.query LIKE '%' || $1 || '%' AND p.tuples_processed > 0`,
            [schema],
          )
        ).rows[0].n > 0;
      await waitFor(copying, { what: 'the load to be midway through its COPY on a worker', every: 20 });
      const holder = (await admin.query(`SELECT worker, attempt FROM ${schema}.queued_block_runs WHERE run_id = $1 AND block = 'load'`, [triggered.run_id])).rows[0] as { worker: string; attempt: number };
      const killed = workers.find((w) => holder.worker.split(':')[1] === String(w.pid));
      assert.ok(killed, `the load is held by one of the test's workers: ${holder.worker}`);
      await stop(killed.child, 'SIGKILL');
      const during = await admin.query(`SELECT count(*)::int AS n, min(label) AS label FROM ${schema}.target`);
      assert.deepEqual(during.rows[0], { n: 10, label: 'before' }, 'no partial rows');

      const status = async () => (await admin.query(`SELECT status, attempt FROM ${schema}.runs WHERE id = $1`, [triggered.run_id])).rows[0] as { status: string; attempt: number };
      // The survivor takes the block run over once the dead worker's claim lapses.
      await waitFor(async () => (await status()).status !== 'running', { what: 'the run to end after its worker was killed', timeout: workerLeaseMs + 60_000, giveUpWhen: () => (server.child.exitCode !== null ? server.output() : undefined) });
      await stop(server.child);
      const survivor = workers.find((w) => w !== killed)!;
      assert.deepEqual(await status(), { status: 'succeeded', attempt: 1 }, `${server.output()}\n${survivor.output()}`);
      const ledger = (await admin.query(`SELECT state, attempt, worker FROM ${schema}.queued_block_runs WHERE run_id = $1 AND block = 'load'`, [triggered.run_id])).rows[0] as { state: string; attempt: number; worker: string };
      assert.equal(ledger.state, 'done');
      assert.equal(ledger.attempt, holder.attempt + 1, 'taken over once, by a second claim');
      assert.equal(ledger.worker.split(':')[1], String(survivor.pid), 'by the other worker');
      const loaded = await admin.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, sum(amount)::text AS amount FROM ${schema}.target`);
      assert.deepEqual(loaded.rows[0], { n: 1_500_000, ids: 1_500_000, amount: String(1500 * 499_500) + '.00' });
    });
  });
}
