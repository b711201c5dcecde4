import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { describeRunStoreContract } from './run-store-contract.ts';
import { SqliteRunStore, sqliteMigrations } from './sqlite-run-store.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A store file in a fresh folder that does not exist yet (the store creates it). */
function storeFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  dirs.push(dir);
  return path.join(dir, 'state', 'sluice.db');
}

let contractFile = storeFile();
describeRunStoreContract(
  'SqliteRunStore',
  async () => new SqliteRunStore(contractFile),
  async () => {
    contractFile = storeFile();
  },
);

describe('SqliteRunStore', () => {
  const opened: (SqliteRunStore | Database.Database)[] = [];
  afterEach(() => {
    for (const handle of opened.splice(0)) handle.close();
  });

  it('records its schema version and writes ahead (WAL) so processes can share the file', () => {
    const file = storeFile();
    opened.push(new SqliteRunStore(file));
    const raw = new Database(file, { readonly: true });
    opened.push(raw);
    assert.equal(raw.pragma('user_version', { simple: true }), sqliteMigrations.length);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  });

  it('upgrades a file written at version 1 and keeps its runs', async () => {
    const file = storeFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(sqliteMigrations[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO runs (id, pipeline, status, pipeline_version, variables, trigger, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run('old', 'daily', 'running', 'v1', '{}', 'manual', '2024-05-01T10:00:00.000Z');
    old.close();

    const store = new SqliteRunStore(file);
    opened.push(store);
    assert.equal((await store.getRun('old'))?.pipeline, 'daily');
    assert.equal(await store.heartbeat('old', 'pid-1', 60_000), true);
    assert.equal((await store.createRunOnce({ id: 'new', pipeline: 'daily', pipelineVersion: 'v1', variables: {}, trigger: 'manual', startedAt: '2024-05-02T10:00:00.000Z', dedupeKey: 'k' })).created, true);
  });

  it('upgrades a file written at version 2: its runs are attempt 1 and its queued runs can be claimed', async () => {
    const file = storeFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    for (const migration of sqliteMigrations.slice(0, 2)) old.exec(migration);
    old.pragma('user_version = 2');
    const insert = old.prepare(`INSERT INTO runs (id, pipeline, status, pipeline_version, variables, trigger, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    insert.run('waiting', 'daily', 'queued', 'v1', '{}', 'manual', '2024-05-01T10:00:00.000Z');
    insert.run('broken', 'daily', 'failed', 'v1', '{}', 'manual', '2024-05-01T09:00:00.000Z');
    old.close();

    const store = new SqliteRunStore(file);
    opened.push(store);
    assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.attempt]), [['waiting', 1], ['broken', 1]]);
    assert.deepEqual(await store.claimQueuedRun('pid-1', 60_000).then((r) => [r?.id, r?.attempt]), ['waiting', 1]);
    assert.equal((await store.requeueRun('broken'))?.attempt, 2);
  });

  it('refuses UPDATE and DELETE of audit entries even to SQL that goes around the store', async () => {
    const file = storeFile();
    const store = new SqliteRunStore(file);
    opened.push(store);
    await store.audit.append({ actor: 'token', action: 'git.commit', target: 'abc123' });
    const raw = new Database(file);
    opened.push(raw);
    assert.throws(() => raw.prepare(`UPDATE audit_log SET actor = 'someone else'`).run(), /append-only/);
    assert.throws(() => raw.prepare(`DELETE FROM audit_log`).run(), /append-only/);
    assert.deepEqual((await store.audit.list()).entries.map((e) => `${e.actor} ${e.target}`), ['token abc123']);
  });

  it('applies migrations once when two stores open a new file', () => {
    const file = storeFile();
    opened.push(new SqliteRunStore(file), new SqliteRunStore(file));
    const raw = new Database(file, { readonly: true });
    opened.push(raw);
    assert.equal(raw.pragma('user_version', { simple: true }), sqliteMigrations.length);
  });

  it('gives each lost run, queued run, a lease, a requeue and a deduplicated run to one of several real processes', async () => {
    const file = storeFile();
    const setup = new SqliteRunStore(file);
    opened.push(setup);
    const startedAt = new Date(Date.now() - 120_000).toISOString();
    const ids = Array.from({ length: 400 }, (_, i) => `lost${String(i).padStart(3, '0')}`);
    for (const id of ids) await setup.createRun({ id, pipeline: 'daily', pipelineVersion: 'v1', variables: {}, trigger: 'manual', startedAt });
    const queued = Array.from({ length: 200 }, (_, i) => `queued${String(i).padStart(3, '0')}`);
    for (const id of queued) await setup.createRun({ id, pipeline: 'daily', pipelineVersion: 'v1', variables: {}, trigger: 'manual', startedAt, status: 'queued' });
    await setup.createRun({ id: 'retry', pipeline: 'daily', pipelineVersion: 'v1', variables: {}, trigger: 'manual', startedAt });
    await setup.finishRun('retry', 'failed');

    // Each process waits until all four have opened the store (a file each in a barrier folder), then races the others.
    const barrier = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-barrier-'));
    const script = `
      import { SqliteRunStore } from ${JSON.stringify(new URL('./sqlite-run-store.ts', import.meta.url).href)};
      const store = new SqliteRunStore(process.env.STORE_FILE);
      const { readdirSync, writeFileSync } = await import('node:fs');
      writeFileSync(process.env.BARRIER + '/' + process.pid, '');
      while (readdirSync(process.env.BARRIER).length < 4) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      const claims = async () => {
        const got = [];
        for (let run = await store.claimQueuedRun(String(process.pid), 60_000); run; run = await store.claimQueuedRun(String(process.pid), 60_000)) got.push(run.id);
        return got;
      };
      const [reaped, leader, once, requeued, claimed] = await Promise.all([
        store.reapLostRuns(),
        store.acquireLease('scheduler', String(process.pid), 60_000),
        store.createRunOnce({ id: 'tick-' + process.pid, pipeline: 'daily', pipelineVersion: 'v1', variables: {}, trigger: 'schedule', startedAt: new Date().toISOString(), dedupeKey: 'tick' }),
        store.requeueRun('retry'),
        claims(),
      ]);
      await store.close();
      console.log(JSON.stringify({ reaped: reaped.map((r) => r.id), leader, created: once.created, requeued: requeued !== undefined, claimed }));`;
    const env = { ...process.env, STORE_FILE: file, BARRIER: barrier };
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(() => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env })),
    );
    fs.rmSync(barrier, { recursive: true, force: true });
    const results = outputs.map((o) => JSON.parse(o.stdout) as { reaped: string[]; leader: boolean; created: boolean; requeued: boolean; claimed: string[] });
    const reaped = results.flatMap((r) => r.reaped);
    assert.equal(new Set(reaped).size, reaped.length, 'a lost run was returned twice');
    assert.deepEqual(reaped.sort(), ids);
    assert.equal(results.filter((r) => r.leader).length, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(results.filter((r) => r.requeued).length, 1);
    // The requeued run may have been claimed too, by whichever process asked after it was queued.
    const claimed = results.flatMap((r) => r.claimed);
    assert.equal(new Set(claimed).size, claimed.length, 'a queued run was claimed twice');
    assert.deepEqual(claimed.filter((id) => id !== 'retry').sort(), queued);
    assert.equal((await setup.getRun('retry'))?.attempt, 2);
  });
});
