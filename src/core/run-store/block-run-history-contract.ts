import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunHistory } from './run-history.ts';
import { at, run } from './contract-fixtures.ts';

/** The run history role's contract for block runs, logs and retention. */
export function describeBlockRunHistoryContract(openStore: () => Promise<RunHistory>): void {
  describe('block runs, logs and retention', () => {
    it('refuses, in the write itself, a block run written under a lower fencing token than the last one', async () => {
      const store = await openStore();
      await store.createRun(run('r1', 'daily', 0));
      await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'running', startedAt: at(1) }, 1);
      // A later claim takes over and ends the block run; the first claim's late writes change nothing.
      await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'running', startedAt: at(2) }, 2);
      await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'succeeded', endedAt: at(3), output: '/out/load.2.parquet' }, 2);
      for (const late of [{ status: 'running' as const }, { status: 'succeeded' as const, output: '/out/load.parquet' }]) {
        await assert.rejects(store.upsertBlockRun({ runId: 'r1', block: 'load', ...late }, 1), { code: 'run_store.stale_claim' });
      }
      const [record] = await store.listBlockRuns('r1');
      assert.deepEqual([record?.status, record?.startedAt, record?.output], ['succeeded', at(2), '/out/load.2.parquet']);
      // A write with no token (a run in one process, a cancellation) is never fenced; a token at least the last one goes through.
      await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'cancelled' });
      await store.upsertBlockRun({ runId: 'r1', block: 'load', status: 'failed' }, 2);
      assert.equal((await store.listBlockRuns('r1'))[0]?.status, 'failed');
    });

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

    it('names the ended runs of a pipeline beyond the newest ones to keep, oldest first', async () => {
      const store = await openStore();
      for (const minute of [1, 2, 3, 4, 5]) {
        await store.createRun(run(`d${minute}`, 'daily', minute));
        await store.finishRun(`d${minute}`, 'succeeded');
      }
      await store.createRun(run('h1', 'hourly', 0));
      await store.finishRun('h1', 'failed');
      assert.deepEqual(await store.runsBeyond('daily', 2), ['d1', 'd2', 'd3']);
      assert.deepEqual(await store.runsBeyond('daily', 5), []);
      assert.deepEqual(await store.runsBeyond('hourly', 0), ['h1']);
    });

    it('leaves out runs still queued or running, and runs whose outputs were pruned', async () => {
      const store = await openStore();
      for (const minute of [1, 2, 3, 4]) await store.createRun(run(`d${minute}`, 'daily', minute));
      for (const id of ['d1', 'd3', 'd4']) await store.finishRun(id, 'failed');
      // d2 still runs (a backfill's date started long ago): it needs its outputs.
      assert.deepEqual(await store.runsBeyond('daily', 1), ['d1', 'd3']);
      await store.recordOutputsPruned(['d1', 'd2']);
      await store.finishRun('d2', 'succeeded');
      // d1 was pruned and is not named again; d2 was running when marked, so the mark did not take.
      assert.deepEqual(await store.runsBeyond('daily', 1), ['d2', 'd3']);
      await store.recordOutputsPruned(['d2', 'd3']);
      assert.deepEqual(await store.runsBeyond('daily', 1), []);
    });
  });
}
