import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewRunRecord, RunHistory, RunRecord } from './run-history.ts';
import type { RunQueue } from './run-queue.ts';
import { at, ago, assertDisjoint, run } from './contract-fixtures.ts';

/** The run queue role's contract: claims, cancels and requeues, atomic across two processes. */
export function describeRunQueueContract(openStore: () => Promise<RunQueue & RunHistory>): void {
  describe('queue and retries', () => {
    const queued = (id: string, minute: number, extra: Partial<NewRunRecord> = {}): NewRunRecord => ({ ...run(id, 'daily', minute), status: 'queued', ...extra });

    it('keeps the outputs of a run taken back again, to be pruned once it ends beyond the newest ones', async () => {
      const store = await openStore();
      for (const minute of [1, 2]) await store.createRun(run(`p${minute}`, 'daily', minute));
      await store.finishRun('p1', 'failed');
      await store.finishRun('p2', 'succeeded');
      await store.recordOutputsPruned(['p1']);
      assert.deepEqual(await store.runsBeyond('daily', 1), []);
      await store.requeueRun('p1');
      await store.finishRun('p1', 'succeeded');
      assert.deepEqual(await store.runsBeyond('daily', 1), ['p1']);
    });

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
      const drain = async (store: RunQueue, owner: string): Promise<string[]> => {
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
}
