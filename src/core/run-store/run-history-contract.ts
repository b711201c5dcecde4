import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunFilter, RunHistory } from './run-history.ts';
import { at, run, type ContractStores } from './contract-fixtures.ts';

/** The run history role's contract: runs, their filters and counts, createRunOnce, and two processes on one database. */
export function describeRunHistoryContract(stores: ContractStores<RunHistory>): void {
  const openStore = stores.open;
  const closeStore = stores.close;
  describe('runs', () => {
    it('creates a running run and reads it back as written', async () => {
      const store = await openStore();
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
        dedupeKey: undefined,
        attempt: 1,
      });
      assert.equal(await store.getRun('nope'), undefined);
    });

    it('refuses a second run with the same id', async () => {
      const store = await openStore();
      await store.createRun(run('r1', 'daily', 0));
      await assert.rejects(store.createRun(run('r1', 'daily', 1)));
    });

    it('finishes a run with its status, end time and error', async () => {
      const store = await openStore();
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
      const store = await openStore();
      await store.createRun(run('d1', 'daily', 1));
      await store.createRun(run('h1', 'hourly', 2));
      await store.createRun(run('d3', 'daily', 3));
      await store.createRun(run('d2', 'daily', 2));
      await store.finishRun('d1', 'succeeded');
      await store.finishRun('d3', 'failed');
      const ids = async (filter?: RunFilter) => (await store.listRuns(filter)).map((r) => r.id);
      assert.deepEqual(await ids(), ['d3', 'd2', 'h1', 'd1']);
      assert.deepEqual(await ids({ pipeline: 'daily' }), ['d3', 'd2', 'd1']);
      assert.deepEqual(await ids({ status: 'running' }), ['d2', 'h1']);
      assert.deepEqual(await ids({ pipeline: 'daily', status: 'succeeded' }), ['d1']);
      assert.deepEqual(await ids({ limit: 2 }), ['d3', 'd2']);
    });

    it('lists at most 50 runs unless given a limit', async () => {
      const store = await openStore();
      for (let i = 0; i < 55; i++) await store.createRun(run(`r${i}`, 'daily', i));
      assert.equal((await store.listRuns()).length, 50);
      assert.equal((await store.listRuns({ limit: 55 })).length, 55);
    });

    it('orders runs that started at the same moment by when they were created', async () => {
      const store = await openStore();
      await store.createRun(run('first', 'daily', 5));
      await store.createRun(run('second', 'daily', 5));
      assert.deepEqual((await store.listRuns()).map((r) => r.id), ['second', 'first']);
    });

    it('filters runs by when they started (since inclusive, until exclusive), logical date and trigger', async () => {
      const store = await openStore();
      for (const minute of [1, 2, 3, 4]) await store.createRun({ ...run(`d${minute}`, 'daily', minute), logicalDate: `2024-04-0${minute}` });
      const ids = async (filter: RunFilter) => (await store.listRuns(filter)).map((r) => r.id);
      assert.deepEqual(await ids({ since: at(2) }), ['d4', 'd3', 'd2']);
      assert.deepEqual(await ids({ until: at(2) }), ['d1']);
      assert.deepEqual(await ids({ since: at(2), until: at(4) }), ['d3', 'd2']);
      // The same instant written with an offset.
      assert.deepEqual(await ids({ since: '2024-05-01T12:03:00+02:00' }), ['d4', 'd3']);
      assert.deepEqual(await ids({ until: '2024-05-01' }), []);
      assert.deepEqual(await ids({ logicalDate: '2024-04-02' }), ['d2']);
      await store.createRun({ ...run('s1', 'daily', 0), trigger: 'schedule' });
      assert.deepEqual(await ids({ trigger: 'schedule' }), ['s1']);
      assert.deepEqual(await ids({ trigger: 'manual', since: at(4) }), ['d4']);
      assert.deepEqual(await ids({ logicalDate: '2024-04-02', since: at(3) }), []);
      await assert.rejects(store.listRuns({ since: 'last tuesday' }), /since is not a date or time/);
    });

    it('filters runs by the kind of their trigger, a kind with a detail included', async () => {
      const store = await openStore();
      await store.createRun({ ...run('u1', 'daily', 1), trigger: 'ui' });
      await store.createRun({ ...run('u2', 'daily', 2), trigger: 'ui:blocks' });
      await store.createRun({ ...run('r1', 'daily', 3), trigger: 'retry of u1' });
      await store.createRun({ ...run('m1', 'daily', 4), trigger: 'manual' });
      const ids = async (filter: RunFilter) => (await store.listRuns(filter)).map((r) => r.id);
      assert.deepEqual(await ids({ triggerKind: 'ui' }), ['u2', 'u1']);
      assert.deepEqual(await ids({ triggerKind: 'retry' }), ['r1']);
      assert.deepEqual(await ids({ triggerKind: 'manual' }), ['m1']);
      // A kind is a whole word: `u` is not `ui`, and no wildcard matches.
      assert.deepEqual(await ids({ triggerKind: 'u' }), []);
      assert.deepEqual(await ids({ triggerKind: '%' }), []);
    });

    it('pages runs with an offset', async () => {
      const store = await openStore();
      for (let i = 0; i < 5; i++) await store.createRun(run(`p${i}`, 'daily', i));
      assert.deepEqual((await store.listRuns({ limit: 2, offset: 2 })).map((r) => r.id), ['p2', 'p1']);
      assert.deepEqual((await store.listRuns({ limit: 2, offset: 4 })).map((r) => r.id), ['p0']);
    });

    it('lists a backfill as its newest matching run, and its runs by backfill id', async () => {
      const store = await openStore();
      await store.createRun(run('alone', 'daily', 0));
      for (const minute of [1, 2, 3]) await store.createRun({ ...run(`b${minute}`, 'daily', minute), trigger: 'backfill', backfillId: 'bf1' });
      await store.createRun(run('later', 'daily', 4));
      await store.finishRun('b1', 'failed');
      const ids = async (filter: RunFilter) => (await store.listRuns(filter)).map((r) => r.id);
      assert.deepEqual(await ids({ onePerBackfill: true }), ['later', 'b3', 'alone']);
      assert.deepEqual(await ids({ onePerBackfill: true, status: 'failed' }), ['b1']);
      assert.deepEqual(await ids({ backfillId: 'bf1' }), ['b3', 'b2', 'b1']);
      assert.equal((await store.getRun('b2'))?.backfillId, 'bf1');
      assert.equal((await store.getRun('alone'))?.backfillId, undefined);
    });

    it('counts matching runs by status', async () => {
      const store = await openStore();
      for (const minute of [1, 2, 3]) await store.createRun({ ...run(`b${minute}`, 'daily', minute), backfillId: 'bf1' });
      await store.createRun(run('other', 'daily', 4));
      await store.finishRun('b1', 'failed');
      await store.finishRun('b2', 'succeeded');
      assert.deepEqual(await store.countRuns({ backfillId: 'bf1' }), { failed: 1, succeeded: 1, running: 1 });
      assert.deepEqual(await store.countRuns({ pipeline: 'none' }), {});
    });

  });

  describe('two processes', () => {
    it('opens a new database from two processes at once', async () => {
      const [a, b] = await Promise.all([openStore(), openStore()]);
      await a.createRun(run('r1', 'daily', 0));
      assert.equal((await b.getRun('r1'))?.id, 'r1');
    });

    it('keeps its data when reopened', async () => {
      let store = await openStore();
      await store.createRun({ ...run('r1', 'daily', 0), dedupeKey: 'daily@2024-05-01' });
      await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', output: '/b.parquet', endedAt: at(1) });
      await closeStore(store);
      store = await openStore();
      assert.equal((await store.getRun('r1'))?.dedupeKey, 'daily@2024-05-01');
      assert.equal((await store.latestOutput('daily', 'b'))?.output, '/b.parquet');
    });

    it('shares one database between two stores', async () => {
      const [store, other] = [await openStore(), await openStore()];
      await store.createRun(run('mine', 'daily', 1));
      await other.createRun(run('theirs', 'daily', 2));
      await other.appendLog({ runId: 'mine', block: 'b', level: 'info', message: 'from the other store', at: at(2) });
      await store.finishRun('theirs', 'succeeded');
      assert.deepEqual((await store.listRuns()).map((r) => r.id), ['theirs', 'mine']);
      assert.equal((await other.getRun('theirs'))?.status, 'succeeded');
      assert.equal((await store.listLogs('mine'))[0]?.message, 'from the other store');
    });
  });

  describe('createRunOnce', () => {
    it('creates a run once per dedupe key and returns the existing run after that', async () => {
      const store = await openStore();
      const first = await store.createRunOnce({ ...run('r1', 'daily', 1), dedupeKey: 'daily@2024-05-01' });
      assert.equal(first.created, true);
      assert.equal(first.run.id, 'r1');
      assert.equal(first.run.status, 'running');
      assert.equal(first.run.dedupeKey, 'daily@2024-05-01');
      await store.finishRun('r1', 'succeeded');
      const again = await store.createRunOnce({ ...run('r2', 'daily', 2), dedupeKey: 'daily@2024-05-01' });
      assert.equal(again.created, false);
      assert.equal(again.run.id, 'r1');
      assert.equal(again.run.status, 'succeeded');
      assert.equal(await store.getRun('r2'), undefined);
      assert.equal((await store.createRunOnce({ ...run('r3', 'daily', 3), dedupeKey: 'daily@2024-05-02' })).created, true);
    });

    it('always creates a run without a dedupe key', async () => {
      const store = await openStore();
      const a = await store.createRunOnce(run('a', 'daily', 1));
      const b = await store.createRunOnce({ ...run('b', 'daily', 1), status: 'queued' });
      assert.deepEqual([a.created, b.created], [true, true]);
      assert.equal(b.run.status, 'queued');
      assert.equal(a.run.dedupeKey, undefined);
      assert.deepEqual((await store.listRuns()).map((r) => r.id), ['b', 'a']);
    });

    it('refuses createRun with a dedupe key already in use', async () => {
      const store = await openStore();
      await store.createRun({ ...run('a', 'daily', 1), dedupeKey: 'k' });
      await assert.rejects(store.createRun({ ...run('b', 'daily', 1), dedupeKey: 'k' }));
      assert.equal(await store.getRun('b'), undefined);
    });

    it('creates exactly one run when two processes trigger the same key at once', async () => {
      const [a, b] = [await openStore(), await openStore()];
      const attempts = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).createRunOnce({ ...run(`r${i}`, 'daily', 1), dedupeKey: 'tick' }));
      const results = await Promise.all(attempts);
      assert.equal(results.filter((r) => r.created).length, 1);
      const winner = results.find((r) => r.created)!.run.id;
      assert.deepEqual(new Set(results.map((r) => r.run.id)), new Set([winner]));
      assert.deepEqual((await a.listRuns()).map((r) => r.id), [winner]);
    });
  });
}
