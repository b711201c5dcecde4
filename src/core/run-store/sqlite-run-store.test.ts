import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { RunRecord } from './run-store.ts';
import { SqliteRunStore } from './sqlite-run-store.ts';

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

const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();

function run(id: string, pipeline: string, minute: number): Omit<RunRecord, 'status' | 'endedAt' | 'error'> {
  return { id, pipeline, pipelineVersion: 'v1', variables: { day: '2024-05-01', n: 3 }, trigger: 'manual', startedAt: at(minute) };
}

describe('SqliteRunStore', () => {
  let file: string;
  let store: SqliteRunStore;
  beforeEach(() => {
    file = storeFile();
    store = new SqliteRunStore(file);
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates a running run and reads it back as written', async () => {
    await store.createRun({ ...run('r1', 'daily', 0), logicalDate: '2024-05-01' });
    assert.deepEqual(await store.getRun('r1'), {
      id: 'r1',
      pipeline: 'daily',
      status: 'running',
      pipelineVersion: 'v1',
      logicalDate: '2024-05-01',
      variables: { day: '2024-05-01', n: 3 },
      trigger: 'manual',
      startedAt: at(0),
      endedAt: undefined,
      error: undefined,
    });
    assert.equal(await store.getRun('nope'), undefined);
  });

  it('finishes a run with its status, end time and error', async () => {
    await store.createRun({ ...run('r1', 'daily', 0), status: 'queued' });
    assert.equal((await store.getRun('r1'))?.status, 'queued');
    const error = { code: 'block.failed', message: 'boom', retryable: false, kind: 'run' as const, location: { block: 'b', line: 3 } };
    await store.finishRun('r1', 'failed', error);
    const finished = await store.getRun('r1');
    assert.equal(finished?.status, 'failed');
    assert.deepEqual(finished?.error, error);
    assert.ok(finished?.endedAt && !Number.isNaN(Date.parse(finished.endedAt)));
  });

  it('lists runs newest first, filtered by pipeline and status, up to a limit', async () => {
    await store.createRun(run('d1', 'daily', 1));
    await store.createRun(run('h1', 'hourly', 2));
    await store.createRun(run('d3', 'daily', 3));
    await store.createRun(run('d2', 'daily', 2));
    await store.finishRun('d1', 'succeeded');
    await store.finishRun('d3', 'failed');
    const ids = async (filter?: Parameters<SqliteRunStore['listRuns']>[0]) => (await store.listRuns(filter)).map((r) => r.id);
    assert.deepEqual(await ids(), ['d3', 'd2', 'h1', 'd1']);
    assert.deepEqual(await ids({ pipeline: 'daily' }), ['d3', 'd2', 'd1']);
    assert.deepEqual(await ids({ status: 'running' }), ['d2', 'h1']);
    assert.deepEqual(await ids({ pipeline: 'daily', status: 'succeeded' }), ['d1']);
    assert.deepEqual(await ids({ limit: 2 }), ['d3', 'd2']);
  });

  it('orders runs that started at the same moment by when they were created', async () => {
    await store.createRun(run('first', 'daily', 5));
    await store.createRun(run('second', 'daily', 5));
    assert.deepEqual((await store.listRuns()).map((r) => r.id), ['second', 'first']);
  });

  it('inserts a block run, then updates it in place', async () => {
    await store.createRun(run('r1', 'daily', 0));
    await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'running', startedAt: at(1) });
    await store.upsertBlockRun({
      runId: 'r1',
      block: 'load',
      status: 'succeeded',
      endedAt: at(2),
      rowsIn: 10,
      rowsOut: 9,
      output: '/out/load.parquet',
      columns: [{ name: 'id', type: 'BIGINT' }],
      summary: 'read 9 rows',
    });
    assert.deepEqual(await store.listBlockRuns('r1'), [
      {
        runId: 'r1',
        block: 'load',
        status: 'succeeded',
        startedAt: at(1),
        endedAt: at(2),
        rowsIn: 10,
        rowsOut: 9,
        output: '/out/load.parquet',
        columns: [{ name: 'id', type: 'BIGINT' }],
        error: undefined,
        summary: 'read 9 rows',
      },
    ]);
  });

  it('lists the block runs of a run in the order they started, pending ones last', async () => {
    await store.createRun(run('r1', 'daily', 0));
    await store.upsertBlockRun({ runId: 'r1', block: 'later', status: 'pending' });
    await store.upsertBlockRun({ runId: 'r1', block: 'second', status: 'running', startedAt: at(2) });
    await store.upsertBlockRun({ runId: 'r1', block: 'first', status: 'succeeded', startedAt: at(1) });
    assert.deepEqual((await store.listBlockRuns('r1')).map((b) => b.block), ['first', 'second', 'later']);
    assert.deepEqual(await store.listBlockRuns('other'), []);
  });

  it('refuses a block run of a run it does not know', async () => {
    await assert.rejects(store.upsertBlockRun({ runId: 'ghost', block: 'b', status: 'running' }), /FOREIGN KEY/);
  });

  it('finds the newest succeeded block run that still has an output', async () => {
    await store.createRun(run('r1', 'daily', 1));
    await store.createRun(run('r2', 'daily', 2));
    await store.createRun(run('r3', 'daily', 3));
    await store.createRun(run('r4', 'daily', 4));
    await store.createRun(run('other', 'hourly', 9));
    await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', endedAt: at(11), output: '/r1.parquet' });
    await store.upsertBlockRun({ runId: 'r2', block: 'b', status: 'succeeded', endedAt: at(12), output: '/r2.parquet' });
    await store.upsertBlockRun({ runId: 'r3', block: 'b', status: 'failed', endedAt: at(13), output: '/r3.parquet' });
    await store.upsertBlockRun({ runId: 'r4', block: 'b', status: 'succeeded', endedAt: at(14) });
    await store.upsertBlockRun({ runId: 'other', block: 'b', status: 'succeeded', endedAt: at(19), output: '/other.parquet' });
    await store.upsertBlockRun({ runId: 'r4', block: 'c', status: 'succeeded', endedAt: at(15), output: '/c.parquet' });
    assert.equal((await store.latestOutput('daily', 'b'))?.output, '/r2.parquet');
    assert.equal((await store.latestOutput('daily', 'c'))?.runId, 'r4');
    assert.equal(await store.latestOutput('daily', 'missing'), undefined);
  });

  it('keeps logs in the order they were written and filters them by block', async () => {
    await store.createRun(run('r1', 'daily', 0));
    await store.appendLog({ runId: 'r1', level: 'info', message: 'run started', at: at(0) });
    await store.appendLog({ runId: 'r1', block: 'a', level: 'debug', message: 'a: 1', at: at(0) });
    await store.appendLog({ runId: 'r1', block: 'b', level: 'warn', message: 'b: 1', at: at(0) });
    await store.appendLog({ runId: 'r1', block: 'a', level: 'error', message: 'a: 2', at: at(0) });
    await store.appendLog({ runId: 'r2', block: 'a', level: 'info', message: 'elsewhere', at: at(0) });
    const all = await store.listLogs('r1');
    assert.deepEqual(all.map((l) => l.message), ['run started', 'a: 1', 'b: 1', 'a: 2']);
    assert.equal(all[0]?.block, undefined);
    assert.deepEqual(
      (await store.listLogs('r1', { block: 'a' })).map((l) => [l.level, l.message]),
      [
        ['debug', 'a: 1'],
        ['error', 'a: 2'],
      ],
    );
  });

  it('names the runs of a pipeline beyond the newest ones to keep, oldest first', async () => {
    for (const minute of [1, 2, 3, 4, 5]) await store.createRun(run(`d${minute}`, 'daily', minute));
    await store.createRun(run('h1', 'hourly', 0));
    assert.deepEqual(await store.runsBeyond('daily', 2), ['d1', 'd2', 'd3']);
    assert.deepEqual(await store.runsBeyond('daily', 5), []);
    assert.deepEqual(await store.runsBeyond('hourly', 0), ['h1']);
  });

  it('keeps its data and its schema version when reopened', async () => {
    await store.createRun(run('r1', 'daily', 0));
    await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', output: '/b.parquet', endedAt: at(1) });
    await store.close();
    store = new SqliteRunStore(file);
    assert.equal((await store.getRun('r1'))?.pipeline, 'daily');
    assert.equal((await store.latestOutput('daily', 'b'))?.output, '/b.parquet');
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('user_version', { simple: true }), 1);
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  it('shares one file between two stores, as two processes would', async () => {
    const other = new SqliteRunStore(file);
    try {
      await store.createRun(run('mine', 'daily', 1));
      await other.createRun(run('theirs', 'daily', 2));
      await other.appendLog({ runId: 'mine', block: 'b', level: 'info', message: 'from the other store', at: at(2) });
      await store.finishRun('theirs', 'succeeded');
      assert.deepEqual((await store.listRuns()).map((r) => r.id), ['theirs', 'mine']);
      assert.equal((await other.getRun('theirs'))?.status, 'succeeded');
      assert.equal((await store.listLogs('mine'))[0]?.message, 'from the other store');
    } finally {
      await other.close();
    }
  });
});
