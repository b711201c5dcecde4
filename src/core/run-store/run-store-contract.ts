import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import type { MetricPointRecord, NewRunRecord, RunFilter, RunRecord, RunStore } from './run-store.ts';
import type { CheckResultRecord } from '../quality/check-result.ts';
import { describeDriftContract } from './drift-contract.ts';
import { describeAuditContract } from './audit-contract.ts';
import { describeUserStoreContract } from './user-store-contract.ts';

const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

function run(id: string, pipeline: string, minute: number): NewRunRecord {
  return { id, pipeline, pipelineVersion: 'v1', variables: { day: '2024-05-01', n: 3 }, trigger: 'manual', startedAt: at(minute) };
}

/** Every element once: what several callers got must not overlap. */
function assertDisjoint(lists: readonly (readonly string[])[]): string[] {
  const all = lists.flat();
  assert.equal(new Set(all).size, all.length, `returned to more than one caller: ${JSON.stringify(lists)}`);
  return all.sort();
}

/**
 * The behaviour every run store must have, as node:test cases. `open` opens a
 * store on the backing database; calling it while another store is open gives
 * a second "process" on the same database. `cleanup` runs after every case,
 * once the case's stores are closed, and must leave the backing database
 * empty for the next one (delete the file, drop the schema).
 *
 * @example
 * describeRunStoreContract('SqliteRunStore', async () => new SqliteRunStore(file), async () => rmSync(file));
 */
export function describeRunStoreContract(name: string, open: () => Promise<RunStore>, cleanup?: () => Promise<void>, skip: string | false = false): void {
  describe(`${name} (run store contract)`, { skip }, () => {
    const opened = new Set<RunStore>();
    async function openStore(): Promise<RunStore> {
      const store = await open();
      opened.add(store);
      return store;
    }
    async function closeStore(store: RunStore): Promise<void> {
      opened.delete(store);
      await store.close();
    }
    afterEach(async () => {
      await Promise.all([...opened].map((store) => closeStore(store)));
      await cleanup?.();
    });

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

      it('names the process that holds a running run and when it last beat', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        assert.equal((await store.getRun('r1'))?.leaseOwner, undefined);
        assert.ok(await store.heartbeat('r1', 'host-a:123:abc', 60_000));
        const [listed] = await store.listRuns({ status: 'running' });
        assert.equal(listed?.leaseOwner, 'host-a:123:abc');
        assert.ok(listed?.heartbeatAt && Math.abs(Date.parse(listed.heartbeatAt) - Date.now()) < 60_000);
      });
    });

    describe('block runs, logs and retention', () => {
      it('inserts a block run, then updates it in place', async () => {
        const store = await openStore();
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

      it("sums the rows a run's blocks rejected into the run, in getRun and listRuns", async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        await store.createRun(run('r2', 'daily', 1));
        await store.upsertBlockRun({ runId: 'r1', block: 'a', status: 'succeeded', rowsIn: 10, rowsOut: 8, rowsRejected: 2 });
        await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', rowsIn: 5, rowsOut: 2, rowsRejected: 3 });
        await store.upsertBlockRun({ runId: 'r2', block: 'a', status: 'succeeded', rowsIn: 10, rowsOut: 10 });
        assert.deepEqual((await store.listBlockRuns('r1')).map((b) => b.rowsRejected), [2, 3]);
        assert.equal((await store.getRun('r1'))?.rowsRejected, 5);
        assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.rowsRejected]), [['r2', undefined], ['r1', 5]]);
      });

      it('keeps a failed block run with its error', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        const error = { code: 'block.failed', message: "can't \"parse\" ✓", retryable: true, kind: 'run' as const };
        await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'failed', startedAt: at(1), endedAt: at(2), error, rowsIn: 5_000_000_000 });
        const [stored] = await store.listBlockRuns('r1');
        assert.deepEqual(stored?.error, error);
        assert.equal(stored?.rowsIn, 5_000_000_000);
        assert.equal(stored?.rowsOut, undefined);
      });

      it('lists the block runs of a run in the order they started, pending ones last', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        await store.upsertBlockRun({ runId: 'r1', block: 'later', status: 'pending' });
        await store.upsertBlockRun({ runId: 'r1', block: 'second', status: 'running', startedAt: at(2) });
        await store.upsertBlockRun({ runId: 'r1', block: 'first', status: 'succeeded', startedAt: at(1) });
        assert.deepEqual((await store.listBlockRuns('r1')).map((b) => b.block), ['first', 'second', 'later']);
        assert.deepEqual(await store.listBlockRuns('other'), []);
      });

      it('refuses a block run of a run it does not know', async () => {
        const store = await openStore();
        await assert.rejects(store.upsertBlockRun({ runId: 'ghost', block: 'b', status: 'running' }), /foreign key/i);
      });

      it('finds the newest succeeded block run that still has an output', async () => {
        const store = await openStore();
        for (const [id, minute] of [['r1', 1], ['r2', 2], ['r3', 3], ['r4', 4], ['r5', 5]] as const) await store.createRun(run(id, 'daily', minute));
        await store.createRun(run('other', 'hourly', 9));
        await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', endedAt: at(11), output: '/r1.parquet' });
        await store.upsertBlockRun({ runId: 'r2', block: 'b', status: 'succeeded', endedAt: at(12), output: '/r2.parquet' });
        await store.upsertBlockRun({ runId: 'r3', block: 'b', status: 'failed', endedAt: at(13), output: '/r3.parquet' });
        await store.upsertBlockRun({ runId: 'r4', block: 'b', status: 'succeeded', endedAt: at(14) });
        await store.upsertBlockRun({ runId: 'r5', block: 'b', status: 'succeeded', output: '/r5-no-end.parquet' });
        await store.upsertBlockRun({ runId: 'other', block: 'b', status: 'succeeded', endedAt: at(19), output: '/other.parquet' });
        await store.upsertBlockRun({ runId: 'r4', block: 'c', status: 'succeeded', endedAt: at(15), output: '/c.parquet' });
        assert.equal((await store.latestOutput('daily', 'b'))?.output, '/r2.parquet');
        assert.equal((await store.latestOutput('daily', 'c'))?.runId, 'r4');
        assert.equal(await store.latestOutput('daily', 'missing'), undefined);
      });

      it('keeps the tables a block touched and finds those of its newest succeeded run that recorded any', async () => {
        const store = await openStore();
        for (const [id, minute] of [['r1', 1], ['r2', 2], ['r3', 3]] as const) await store.createRun(run(id, 'daily', minute));
        const orders = { connection: 'shop', table: 'public.orders', access: 'read' } as const;
        const totals = { connection: 'warehouse', table: 'totals', access: 'write' } as const;
        await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'succeeded', endedAt: at(11), datasets: [orders] });
        await store.upsertBlockRun({ runId: 'r2', block: 'b', status: 'succeeded', endedAt: at(12), datasets: [orders, totals] });
        await store.upsertBlockRun({ runId: 'r3', block: 'b', status: 'failed', endedAt: at(13), datasets: [totals] });
        await store.upsertBlockRun({ runId: 'r3', block: 'c', status: 'succeeded', endedAt: at(13) });
        assert.deepEqual(await store.latestDatasets('daily', 'b'), [orders, totals]);
        assert.deepEqual((await store.listBlockRuns('r2'))[0]?.datasets, [orders, totals]);
        assert.equal(await store.latestDatasets('daily', 'c'), undefined);
        assert.equal((await store.listBlockRuns('r3')).find((b) => b.block === 'c')?.datasets, undefined);
      });

      it('keeps logs in the order they were written and filters them by block', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        await store.appendLog({ runId: 'r1', level: 'info', message: 'run started', at: at(0) });
        await store.appendLog({ runId: 'r1', block: 'a', level: 'debug', message: 'a: 1', at: at(0) });
        await store.appendLog({ runId: 'r1', block: 'b', level: 'warn', message: 'b: 1', at: at(0) });
        await store.appendLog({ runId: 'r1', block: 'a', level: 'error', message: 'a: 2', at: at(0) });
        await store.appendLog({ runId: 'r2', block: 'a', level: 'info', message: 'elsewhere', at: at(0) });
        const all = await store.listLogs('r1');
        assert.deepEqual(all.map((l) => l.message), ['run started', 'a: 1', 'b: 1', 'a: 2']);
        assert.deepEqual(all[0], { runId: 'r1', block: undefined, level: 'info', message: 'run started', at: at(0) });
        assert.deepEqual(
          (await store.listLogs('r1', { block: 'a' })).map((l) => [l.level, l.message]),
          [
            ['debug', 'a: 1'],
            ['error', 'a: 2'],
          ],
        );
        assert.deepEqual((await store.listLogs('r1', { offset: 2 })).map((l) => l.message), ['b: 1', 'a: 2']);
        assert.deepEqual((await store.listLogs('r1', { block: 'a', offset: 1 })).map((l) => l.message), ['a: 2']);
        assert.deepEqual(await store.listLogs('r1', { offset: 9 }), []);
      });

      it('names the runs of a pipeline beyond the newest ones to keep, oldest first', async () => {
        const store = await openStore();
        for (const minute of [1, 2, 3, 4, 5]) await store.createRun(run(`d${minute}`, 'daily', minute));
        await store.createRun(run('h1', 'hourly', 0));
        assert.deepEqual(await store.runsBeyond('daily', 2), ['d1', 'd2', 'd3']);
        assert.deepEqual(await store.runsBeyond('daily', 5), []);
        assert.deepEqual(await store.runsBeyond('hourly', 0), ['h1']);
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

    describe('heartbeats and lost runs', () => {
      it('accepts heartbeats while a run is running and refuses them after', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        assert.equal(await store.heartbeat('r1', 'pid-1', 30_000), true);
        assert.equal(await store.heartbeat('r1', 'pid-1', 30_000), true);
        await store.finishRun('r1', 'succeeded');
        assert.equal(await store.heartbeat('r1', 'pid-1', 30_000), false);
        assert.equal(await store.heartbeat('ghost', 'pid-1', 30_000), false);
        assert.equal((await store.getRun('r1'))?.status, 'succeeded');
      });

      it('fails the running runs whose lease expired or that never sent a heartbeat in their first minute', async () => {
        const store = await openStore();
        const started = ago(120_000);
        const create = (id: string, startedAt: string, status?: RunRecord['status']) =>
          store.createRun({ ...run(id, 'daily', 0), startedAt, ...(status ? { status } : {}) });
        await create('expired', started);
        await create('alive', started);
        await create('silent', started);
        await create('young', ago(10_000));
        await create('waiting', started, 'queued');
        await create('done', started);
        await store.heartbeat('expired', 'pid-1', 1);
        await store.heartbeat('alive', 'pid-2', 600_000);
        await store.finishRun('done', 'succeeded');

        // A few seconds ahead, so the one-millisecond lease has run out whatever the clocks say.
        const reaped = await store.reapLostRuns(new Date(Date.now() + 5_000));
        assert.deepEqual(reaped.map((r) => r.id).sort(), ['expired', 'silent']);
        for (const lost of reaped) {
          assert.equal(lost.status, 'failed');
          assert.equal(lost.error?.code, 'run.lost');
          assert.ok(lost.endedAt && !Number.isNaN(Date.parse(lost.endedAt)));
          assert.deepEqual(await store.getRun(lost.id), lost);
        }
        const silent = reaped.find((r) => r.id === 'silent')!;
        assert.equal(silent.error?.message, `the process running it stopped responding (no heartbeat since ${started})`);
        const expired = reaped.find((r) => r.id === 'expired')!;
        const since = /\(no heartbeat since (.+)\)$/.exec(expired.error?.message ?? '')?.[1];
        assert.ok(since && Math.abs(Date.parse(since) - Date.now()) < 60_000, expired.error?.message);

        const statuses = Object.fromEntries((await store.listRuns()).map((r) => [r.id, r.status]));
        assert.deepEqual(statuses, { expired: 'failed', alive: 'running', silent: 'failed', young: 'running', waiting: 'queued', done: 'succeeded' });
        assert.equal(await store.heartbeat('expired', 'pid-1', 30_000), false);
        assert.deepEqual(await store.reapLostRuns(new Date(Date.now() + 5_000)), []);
      });

      it('reaps by its own clock when not given one', async () => {
        const store = await openStore();
        await store.createRun({ ...run('old', 'daily', 0), startedAt: ago(120_000) });
        await store.createRun({ ...run('new', 'daily', 0), startedAt: ago(1_000) });
        assert.deepEqual((await store.reapLostRuns()).map((r) => r.id), ['old']);
      });

      it('returns each lost run to exactly one of two processes reaping at once', async () => {
        const [a, b] = [await openStore(), await openStore()];
        const ids = Array.from({ length: 24 }, (_, i) => `lost${String(i).padStart(2, '0')}`);
        for (const id of ids) await a.createRun({ ...run(id, 'daily', 0), startedAt: ago(120_000) });
        const results = await Promise.all([a, b, a, b].map((store) => store.reapLostRuns()));
        assert.deepEqual(assertDisjoint(results.map((r) => r.map((run) => run.id))), ids);
        assert.deepEqual(new Set((await b.listRuns()).map((r) => r.status)), new Set(['failed']));
      });
    });

    describe('queue and retries', () => {
      const queued = (id: string, minute: number, extra: Partial<NewRunRecord> = {}): NewRunRecord => ({ ...run(id, 'daily', minute), status: 'queued', ...extra });

      it('claims the oldest queued run, by start time then id, as running under the owner\'s lease', async () => {
        const store = await openStore();
        assert.equal(await store.claimQueuedRun('pid-1', 60_000), undefined);
        await store.createRun(queued('q3', 3));
        await store.createRun(queued('q1b', 1));
        await store.createRun(queued('q1a', 1, { logicalDate: '2024-05-01' }));
        await store.createRun(run('busy', 'daily', 0));
        await store.createRun(queued('done', 0));
        await store.finishRun('done', 'cancelled');

        const claimed = await store.claimQueuedRun('pid-1', 60_000);
        assert.equal(claimed?.leaseOwner, 'pid-1');
        const { leaseOwner: _owner, heartbeatAt: _beat, ...first } = claimed!;
        assert.deepEqual(first, {
          id: 'q1a',
          pipeline: 'daily',
          status: 'running',
          pipelineVersion: 'v1',
          logicalDate: '2024-05-01',
          variables: { day: '2024-05-01', n: 3 },
          trigger: 'manual',
          startedAt: at(1),
          endedAt: undefined,
          error: undefined,
          dedupeKey: undefined,
          attempt: 1,
        });
        assert.deepEqual(await store.getRun('q1a'), claimed);
        assert.equal((await store.claimQueuedRun('pid-2', 60_000))?.id, 'q1b');
        assert.equal((await store.claimQueuedRun('pid-1', 60_000))?.id, 'q3');
        assert.equal(await store.claimQueuedRun('pid-1', 60_000), undefined);
        assert.deepEqual((await store.listRuns({ status: 'queued' })).map((r) => r.id), []);
        assert.equal((await store.getRun('done'))?.status, 'cancelled');
        assert.equal(await store.heartbeat('q1a', 'pid-1', 60_000), true);
      });

      it('claims a queued run that createRunOnce created', async () => {
        const store = await openStore();
        const once = await store.createRunOnce(queued('r1', 1, { dedupeKey: 'daily@2024-05-01' }));
        assert.deepEqual([once.created, once.run.status, once.run.attempt], [true, 'queued', 1]);
        const again = await store.createRunOnce(queued('r2', 2, { dedupeKey: 'daily@2024-05-01' }));
        assert.deepEqual([again.created, again.run.id], [false, 'r1']);
        const claimed = await store.claimQueuedRun('pid-1', 60_000);
        assert.deepEqual([claimed?.id, claimed?.status, claimed?.dedupeKey], ['r1', 'running', 'daily@2024-05-01']);
        assert.equal(await store.claimQueuedRun('pid-1', 60_000), undefined);
      });

      it('reaps a claimed run once its lease expires, and not while it is live', async () => {
        const store = await openStore();
        // Started long ago: a live lease, not the start time, decides.
        await store.createRun(queued('short', 0, { startedAt: ago(120_000) }));
        await store.createRun(queued('long', 0, { startedAt: ago(110_000) }));
        assert.equal((await store.claimQueuedRun('pid-1', 1))?.id, 'short');
        assert.equal((await store.claimQueuedRun('pid-2', 600_000))?.id, 'long');
        const reaped = await store.reapLostRuns(new Date(Date.now() + 5_000));
        assert.deepEqual(reaped.map((r) => [r.id, r.status, r.error?.code]), [['short', 'failed', 'run.lost']]);
        assert.equal(await store.heartbeat('short', 'pid-1', 60_000), false);
        assert.equal((await store.getRun('long'))?.status, 'running');
      });

      it('mirrors integration stream state per pipeline and stream, and keeps schema events in order', async () => {
        const store = await openStore();
        await store.putSyncState({ pipeline: 'p', stream: 'a', state: { cursor: '1' }, updatedAt: '2024-05-01T00:00:00.000Z' });
        await store.putSyncState({ pipeline: 'p', stream: 'a', state: { cursor: '2' }, updatedAt: '2024-05-01T00:01:00.000Z' });
        await store.putSyncState({ pipeline: 'p', stream: 'b', state: { cursor: '9' }, updatedAt: '2024-05-01T00:01:00.000Z' });
        await store.putSyncState({ pipeline: 'q', stream: 'a', state: {}, updatedAt: '2024-05-01T00:01:00.000Z' });
        assert.deepEqual((await store.listSyncState('p')).map((s) => [s.stream, s.state]), [['a', { cursor: '2' }], ['b', { cursor: '9' }]]);
        await store.deleteSyncState('p', 'a');
        assert.deepEqual((await store.listSyncState('p')).map((s) => s.stream), ['b']);
        await store.deleteSyncState('p');
        assert.deepEqual(await store.listSyncState('p'), []);
        assert.equal((await store.listSyncState('q')).length, 1);
        for (const kind of ['create_table', 'add_column']) {
          await store.appendSchemaEvent({ pipeline: 'p', stream: 'a', table: 't', kind, detail: kind, runId: 'r1', at: '2024-05-01T00:00:00.000Z' });
        }
        assert.deepEqual((await store.listSchemaEvents('p')).map((e) => [e.kind, e.table, e.runId]), [['create_table', 't', 'r1'], ['add_column', 't', 'r1']]);
        assert.deepEqual(await store.listSchemaEvents('q'), []);
      });

      it('keeps check results per block run, replaces a block run\'s results, and gives one check\'s history newest first', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        await store.createRun(run('r2', 'daily', 1));
        const result = (runId: string, name: string, status: 'passed' | 'failed', minute: number): CheckResultRecord => ({
          runId, pipeline: 'daily', block: 'orders', name, kind: 'not_null', severity: 'warn', status,
          failingRows: status === 'failed' ? 2 : 0, message: 'm', at: at(minute),
          ...(status === 'failed' ? { sample: [{ id: 1, amount: null }] } : {}),
        });
        await store.putCheckResults('r1', 'orders', [result('r1', 'b_check', 'passed', 0), result('r1', 'a_check', 'passed', 0)]);
        await store.putCheckResults('r1', 'orders', [result('r1', 'b_check', 'failed', 0), result('r1', 'a_check', 'passed', 0)]);
        await store.putCheckResults('r2', 'orders', [result('r2', 'b_check', 'passed', 1)]);
        const listed = await store.listCheckResults('r1');
        assert.deepEqual(listed.map((r) => [r.name, r.status, r.failingRows]), [['b_check', 'failed', 2], ['a_check', 'passed', 0]]);
        assert.deepEqual(listed[0]!.sample, [{ id: 1, amount: null }]);
        assert.equal(listed[1]!.sample, undefined);
        assert.deepEqual((await store.checkHistory('daily', 'orders', 'b_check')).map((r) => [r.runId, r.status]), [['r2', 'passed'], ['r1', 'failed']]);
        assert.deepEqual(await store.checkHistory('daily', 'orders', 'b_check', 1).then((h) => h.map((r) => r.runId)), ['r2']);
        assert.deepEqual(await store.checkHistory('other', 'orders', 'b_check'), []);
      });

      it('keeps a profile per block run and replaces it when written again', async () => {
        const store = await openStore();
        await store.createRun(run('r1', 'daily', 0));
        const profile = { rows: 3, ms: 1, columns: [{ name: 'id', type: 'BIGINT', nulls: 0, approxDistinct: 3, min: 1, max: 3, mean: 2 }] };
        await store.putProfile({ runId: 'r1', block: 'orders', profile: { ...profile, rows: 9 } });
        await store.putProfile({ runId: 'r1', block: 'orders', profile });
        assert.deepEqual(await store.getProfile('r1', 'orders'), { runId: 'r1', block: 'orders', profile });
        assert.equal(await store.getProfile('r1', 'other'), undefined);
      });

      it('cancels only a queued or running run, and the running one then fails its heartbeat', async () => {
        const store = await openStore();
        await store.createRun(queued('r1', 1));
        await store.createRun(queued('r2', 2));
        assert.equal((await store.cancelRun('r1'))?.status, 'cancelled');
        assert.equal(await store.claimQueuedRun('pid-1', 60_000).then((r) => r?.id), 'r2');
        assert.equal(await store.heartbeat('r2', 'pid-1', 60_000), true);
        assert.equal((await store.cancelRun('r2'))?.status, 'cancelled');
        assert.equal(await store.heartbeat('r2', 'pid-1', 60_000), false);
        assert.equal(await store.cancelRun('r2'), undefined, 'a finished run stays as it is');
        assert.ok((await store.getRun('r2'))?.endedAt);
      });

      it('requeues a failed run as its next attempt, keeping succeeded block runs and resetting the others', async () => {
        const store = await openStore();
        await store.createRun(queued('r1', 1, { logicalDate: '2024-05-01', dedupeKey: 'daily@2024-05-01' }));
        await store.claimQueuedRun('pid-1', 60_000);
        const error = { code: 'block.failed', message: 'boom', retryable: true, kind: 'run' as const };
        await store.upsertBlockRun({ runId: 'r1', block: 'extract', status: 'succeeded', startedAt: at(2), endedAt: at(3), rowsOut: 7, output: '/extract.parquet', columns: [{ name: 'id', type: 'BIGINT' }] });
        await store.upsertBlockRun({ runId: 'r1', block: 'transform', status: 'failed', startedAt: at(3), endedAt: at(4), rowsIn: 7, error, output: '/half.parquet' });
        await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'skipped' });
        await store.upsertBlockRun({ runId: 'r1', block: 'notify', status: 'cancelled', startedAt: at(4) });
        await store.finishRun('r1', 'failed', error);

        const requeued = await store.requeueRun('r1');
        assert.deepEqual(requeued, {
          id: 'r1',
          pipeline: 'daily',
          status: 'queued',
          pipelineVersion: 'v1',
          logicalDate: '2024-05-01',
          variables: { day: '2024-05-01', n: 3 },
          trigger: 'manual',
          startedAt: at(1),
          endedAt: undefined,
          error: undefined,
          dedupeKey: 'daily@2024-05-01',
          attempt: 2,
        });
        assert.deepEqual(await store.getRun('r1'), requeued);
        assert.deepEqual((await store.listRuns()).map((r) => [r.id, r.status, r.attempt]), [['r1', 'queued', 2]]);
        // Queued again: no heartbeat is taken and it is not lost.
        assert.equal(await store.heartbeat('r1', 'pid-1', 60_000), false);
        assert.deepEqual(await store.reapLostRuns(new Date(Date.now() + 5_000)), []);

        const blocks = Object.fromEntries((await store.listBlockRuns('r1')).map((b) => [b.block, b]));
        assert.deepEqual(blocks.extract, {
          runId: 'r1',
          block: 'extract',
          status: 'succeeded',
          startedAt: at(2),
          endedAt: at(3),
          rowsIn: undefined,
          rowsOut: 7,
          output: '/extract.parquet',
          columns: [{ name: 'id', type: 'BIGINT' }],
          error: undefined,
          summary: undefined,
        });
        for (const block of ['transform', 'load', 'notify']) {
          assert.deepEqual(blocks[block], {
            runId: 'r1',
            block,
            status: 'pending',
            startedAt: undefined,
            endedAt: undefined,
            rowsIn: undefined,
            rowsOut: undefined,
            output: undefined,
            columns: undefined,
            error: undefined,
            summary: undefined,
          });
        }
        assert.equal((await store.latestOutput('daily', 'extract'))?.output, '/extract.parquet');
        assert.equal(await store.latestOutput('daily', 'transform'), undefined);

        // The same run, tried again: claimed, failed, requeued once more.
        const claimed = await store.claimQueuedRun('pid-2', 60_000);
        assert.deepEqual([claimed?.id, claimed?.status, claimed?.attempt], ['r1', 'running', 2]);
        await store.finishRun('r1', 'cancelled');
        assert.equal((await store.requeueRun('r1'))?.attempt, 3);
        assert.equal((await store.createRunOnce(queued('r9', 9, { dedupeKey: 'daily@2024-05-01' }))).run.id, 'r1');
      });

      it('requeues a run lost by its process', async () => {
        const store = await openStore();
        await store.createRun(queued('r1', 0, { startedAt: ago(120_000) }));
        await store.claimQueuedRun('pid-1', 1);
        assert.equal((await store.reapLostRuns(new Date(Date.now() + 5_000)))[0]?.id, 'r1');
        assert.equal((await store.requeueRun('r1'))?.attempt, 2);
        assert.equal((await store.claimQueuedRun('pid-2', 600_000))?.id, 'r1');
        // The new lease is live though the run started long ago.
        assert.deepEqual(await store.reapLostRuns(new Date(Date.now() + 5_000)), []);
        assert.equal(await store.heartbeat('r1', 'pid-2', 600_000), true);
      });

      it('takes a lost run back at once for an owner, as its next attempt, so no one else can claim it', async () => {
        const store = await openStore();
        await store.createRun(queued('r1', 0, { startedAt: ago(120_000) }));
        await store.claimQueuedRun('pid-1', 1);
        await store.upsertBlockRun({ runId: 'r1', block: 'a', status: 'succeeded', output: '/out/a.parquet' });
        await store.upsertBlockRun({ runId: 'r1', block: 'b', status: 'running' });
        assert.equal((await store.reapLostRuns(new Date(Date.now() + 5_000)))[0]?.id, 'r1');
        const adopted = await store.requeueRun('r1', { owner: 'pid-2', leaseMs: 600_000 });
        assert.deepEqual([adopted?.status, adopted?.attempt, adopted?.error], ['running', 2, undefined]);
        assert.equal(await store.claimQueuedRun('pid-3', 600_000), undefined, 'it never waited in the queue');
        assert.deepEqual(await store.reapLostRuns(new Date(Date.now() + 5_000)), [], 'its new lease is live');
        assert.deepEqual((await store.listBlockRuns('r1')).map((b) => [b.block, b.status]), [['a', 'succeeded'], ['b', 'pending']]);
        assert.equal(await store.requeueRun('r1', { owner: 'pid-4', leaseMs: 600_000 }), undefined, 'a running run is not taken again');
      });

      it('requeues only failed or cancelled runs', async () => {
        const store = await openStore();
        await store.createRun(run('running', 'daily', 0));
        await store.createRun(queued('queued', 1));
        await store.createRun(run('succeeded', 'daily', 2));
        await store.finishRun('succeeded', 'succeeded');
        for (const id of ['running', 'queued', 'succeeded', 'ghost']) assert.equal(await store.requeueRun(id), undefined, id);
        const statuses = Object.fromEntries((await store.listRuns()).map((r) => [r.id, [r.status, r.attempt]]));
        assert.deepEqual(statuses, { running: ['running', 1], queued: ['queued', 1], succeeded: ['succeeded', 1] });
      });

      it('gives each queued run to exactly one of many claimers in two processes', async () => {
        const [a, b] = [await openStore(), await openStore()];
        const ids = Array.from({ length: 12 }, (_, i) => `q${String(i).padStart(2, '0')}`);
        for (const [i, id] of ids.entries()) await a.createRun(queued(id, i));
        const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).claimQueuedRun(`owner${i}`, 60_000)));
        const claimed = claims.filter((r): r is RunRecord => r !== undefined);
        assert.equal(claimed.length, 12);
        assert.deepEqual(assertDisjoint([claimed.map((r) => r.id)]), ids);
        assert.ok(claimed.every((r) => r.status === 'running'));
        assert.deepEqual(new Set((await b.listRuns()).map((r) => r.status)), new Set(['running']));
      });

      it('claims until the queue is empty from two processes, each run once', async () => {
        const [a, b] = [await openStore(), await openStore()];
        const ids = Array.from({ length: 20 }, (_, i) => `q${String(i).padStart(2, '0')}`);
        for (const [i, id] of ids.entries()) await a.createRun(queued(id, i % 3));
        const drain = async (store: RunStore, owner: string): Promise<string[]> => {
          const got: string[] = [];
          for (let next = await store.claimQueuedRun(owner, 60_000); next; next = await store.claimQueuedRun(owner, 60_000)) got.push(next.id);
          return got;
        };
        const results = await Promise.all([drain(a, 'a1'), drain(b, 'b1'), drain(a, 'a2'), drain(b, 'b2')]);
        assert.deepEqual(assertDisjoint(results), ids);
      });

      it('requeues a run for exactly one of many callers in two processes', async () => {
        const [a, b] = [await openStore(), await openStore()];
        await a.createRun(run('r1', 'daily', 0));
        await a.upsertBlockRun({ runId: 'r1', block: 'b', status: 'failed', startedAt: at(1) });
        await a.finishRun('r1', 'failed');
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).requeueRun('r1')));
        const wins = results.filter((r) => r !== undefined);
        assert.equal(wins.length, 1);
        assert.deepEqual([wins[0]?.status, wins[0]?.attempt], ['queued', 2]);
        assert.deepEqual([(await b.getRun('r1'))?.attempt, (await b.listBlockRuns('r1'))[0]?.status], [2, 'pending']);
      });
    });

    describe('metric history', () => {
      const point = (runId: string, metric: string, value: number | null, date: string, extra: Partial<MetricPointRecord> = {}): MetricPointRecord => ({
        runId, pipeline: 'daily', block: 'orders', metric, value, date, at: `${date}T10:00:00.000Z`, markedExpected: false, ...extra,
      });
      const verdict = { expected: 100, low: 90, high: 110, score: 4.5, anomaly: true, reason: '145 is 4.5 deviations above the expected 100' };

      it('keeps each metric value with its verdict, and replaces a value recorded again by the same run', async () => {
        const store = await openStore();
        for (const [i, id] of ['m1', 'm2'].entries()) await store.createRun(run(id, 'daily', i));
        await store.putMetricPoints([point('m1', 'rows', 100, '2024-05-01'), point('m1', 'sum:amount', null, '2024-05-01')]);
        await store.putMetricPoints([point('m2', 'rows', 140, '2024-05-02', { verdict: { ...verdict, score: 3.9 } })]);
        await store.putMetricPoints([point('m2', 'rows', 145, '2024-05-02', { verdict })]);
        assert.deepEqual(await store.listRunMetricPoints('m2'), [point('m2', 'rows', 145, '2024-05-02', { verdict })]);
        assert.deepEqual(await store.listRunMetricPoints('m1'), [point('m1', 'rows', 100, '2024-05-01'), point('m1', 'sum:amount', null, '2024-05-01')]);
      });

      it('lists the newest values of each metric oldest first, before a given run, by date and then time', async () => {
        const store = await openStore();
        const dates = ['2024-05-03', '2024-05-01', '2024-05-02', '2024-05-04'];
        for (const [i, date] of dates.entries()) {
          await store.createRun(run(`h${i}`, 'daily', i));
          await store.putMetricPoints([point(`h${i}`, 'rows', i, date), point(`h${i}`, 'null_rate:email', i / 10, date)]);
        }
        await store.createRun(run('other', 'weekly', 9));
        await store.putMetricPoints([{ ...point('other', 'rows', 9, '2024-05-02'), pipeline: 'weekly' }]);
        const rows = await store.listMetricHistory('daily', 'orders', { metric: 'rows' });
        assert.deepEqual(rows.map((p) => p.date), ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
        const before = await store.listMetricHistory('daily', 'orders', { before: { runId: 'h3', date: '2024-05-04', at: '2024-05-04T10:00:00.000Z' }, limit: 2 });
        assert.deepEqual(before.map((p) => `${p.metric} ${p.date}`), ['null_rate:email 2024-05-02', 'null_rate:email 2024-05-03', 'rows 2024-05-02', 'rows 2024-05-03']);
        assert.deepEqual(await store.listMetricHistory('daily', 'customers'), []);
      });

      it('marks a flagged value as expected, and says when the run recorded no such value', async () => {
        const store = await openStore();
        await store.createRun(run('x1', 'daily', 0));
        await store.putMetricPoints([point('x1', 'sum:amount', 145, '2024-05-01', { verdict })]);
        assert.deepEqual(await store.markMetricExpected('x1', 'orders', 'sum:amount'), point('x1', 'sum:amount', 145, '2024-05-01', { verdict, markedExpected: true }));
        assert.equal(await store.markMetricExpected('x1', 'orders', 'sum:price'), undefined);
        assert.equal((await store.listMetricHistory('daily', 'orders'))[0]?.markedExpected, true);
      });
    });

    describeDriftContract(openStore, run);
    describeAuditContract(openStore);
    describeUserStoreContract(openStore);

    describe('leases', () => {
      it('holds a lease until it expires, renews it for its owner and hands it over once expired', async () => {
        const store = await openStore();
        assert.equal(await store.acquireLease('scheduler', 'a', 60_000), true);
        assert.equal(await store.acquireLease('scheduler', 'b', 60_000), false);
        assert.equal(await store.acquireLease('scheduler', 'a', 60_000), true);
        assert.equal(await store.acquireLease('compactor', 'b', 60_000), true);
        assert.equal(await store.acquireLease('scheduler', 'a', 20), true);
        await sleep(60);
        assert.equal(await store.acquireLease('scheduler', 'b', 60_000), true);
        assert.equal(await store.acquireLease('scheduler', 'a', 60_000), false);
      });

      it('releases a lease only for its owner', async () => {
        const store = await openStore();
        assert.equal(await store.acquireLease('scheduler', 'a', 60_000), true);
        assert.equal(await store.releaseLease('scheduler', 'b'), false);
        assert.equal(await store.acquireLease('scheduler', 'b', 60_000), false);
        assert.equal(await store.releaseLease('scheduler', 'a'), true);
        assert.equal(await store.releaseLease('scheduler', 'a'), false);
        assert.equal(await store.acquireLease('scheduler', 'b', 60_000), true);
      });

      it('gives a new lease to exactly one of many callers in two processes', async () => {
        const [a, b] = [await openStore(), await openStore()];
        const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease('scheduler', `owner${i}`, 60_000)));
        assert.equal(wins.filter(Boolean).length, 1);
      });

      it('gives an expired lease to exactly one of many callers in two processes', async () => {
        const [a, b] = [await openStore(), await openStore()];
        assert.equal(await a.acquireLease('scheduler', 'gone', 20), true);
        await sleep(60);
        const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease('scheduler', `owner${i}`, 60_000)));
        assert.equal(wins.filter(Boolean).length, 1);
        const winner = `owner${wins.indexOf(true)}`;
        assert.equal(await b.acquireLease('scheduler', winner, 60_000), true);
      });
    });
  });
}
