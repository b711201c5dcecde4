import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { RunHistory, RunRecord } from './run-history.ts';
import type { RunQueue } from './run-queue.ts';
import { ago, assertDisjoint, run } from './contract-fixtures.ts';

/** The run queue role's contract for heartbeats, lost runs and named leases. */
export function describeRunLeaseContract(openStore: () => Promise<RunQueue & RunHistory>): void {
  describe('heartbeats and lost runs', () => {
    it('names the process that holds a running run and when it last beat', async () => {
      const store = await openStore();
      await store.createRun(run('r1', 'daily', 0));
      assert.equal((await store.getRun('r1'))?.leaseOwner, undefined);
      assert.ok(await store.heartbeat('r1', 'host-a:123:abc', 60_000));
      const [listed] = await store.listRuns({ status: 'running' });
      assert.equal(listed?.leaseOwner, 'host-a:123:abc');
      assert.ok(listed?.heartbeatAt && Math.abs(Date.parse(listed.heartbeatAt) - Date.now()) < 60_000);
    });

    it("creates a run with its lease taken, which lapses like a heartbeat's", async () => {
      const store = await openStore();
      const { created, run: leased } = await store.createRunOnce({ ...run('leased', 'daily', 0), dedupeKey: 'k-leased', lease: { owner: 'host-a:1:x', leaseMs: 1 } });
      assert.equal(created, true);
      assert.equal(leased.leaseOwner, 'host-a:1:x');
      assert.ok(leased.heartbeatAt && Math.abs(Date.parse(leased.heartbeatAt) - Date.now()) < 60_000);
      await store.createRunOnce({ ...run('held', 'daily', 0), dedupeKey: 'k-held', lease: { owner: 'host-a:1:x', leaseMs: 600_000 } });
      // The one that exists keeps its lease: a second creation under the key takes nothing.
      const again = await store.createRunOnce({ ...run('other', 'daily', 0), dedupeKey: 'k-held', lease: { owner: 'host-b:2:y', leaseMs: 1 } });
      assert.equal(again.created, false);
      assert.equal(again.run.leaseOwner, 'host-a:1:x');
      // Both are young, so only a lapsed lease makes one lost, not a missing heartbeat.
      const reaped = await store.reapLostRuns(new Date(Date.now() + 5_000));
      assert.deepEqual(reaped.map((r) => r.id), ['leased']);
      assert.equal((await store.getRun('held'))?.status, 'running');
    });

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
}
