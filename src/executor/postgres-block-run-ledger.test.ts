import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { BlockRunJob } from '../core/run/block-run-job.ts';
import { PostgresRunStore } from '../core/run-store/postgres-run-store.ts';
import { testPgUrl } from '../testing/prerequisite-checks.ts';
import { requirePrerequisites } from '../testing/require-prerequisites.ts';
import { waitFor } from '../testing/wait-for.ts';
import { PostgresBlockRunLedger } from './postgres-block-run-ledger.ts';

const skip = await requirePrerequisites('postgres');
const schema = `so_queue_ledger_${randomBytes(4).toString('hex')}`;

const job = (runId: string, block = 'load'): BlockRunJob => ({
  runId,
  pipeline: 'sales',
  pipelineVersion: 'v1',
  block,
  inputs: [],
  outputLocation: `/outputs/sales/${runId}/${block}.parquet`,
  variables: {},
});
const succeeded = (runId: string) => ({ record: { runId, block: 'load', status: 'succeeded' as const } });

describe('the PostgreSQL block-run ledger', { skip }, () => {
  let ledger: PostgresBlockRunLedger;
  before(async () => {
    if (skip) return;
    // The ledger lives beside the run store's tables (a renewal reads whether the run was cancelled).
    await (await PostgresRunStore.open(testPgUrl(), { schema })).close();
    ledger = await PostgresBlockRunLedger.open(testPgUrl(), schema);
  });
  after(async () => {
    if (skip) return;
    await ledger.close();
    const db = new pg.Client(testPgUrl());
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  it('gives a block run to one claimant at a time, with a larger fencing token for each claim', async () => {
    await ledger.enqueue(job('r1'));
    const key = { runId: 'r1', block: 'load' };
    const [a, b] = await Promise.all([ledger.claim(key, 'w1', 60_000), ledger.claim(key, 'w2', 60_000)]);
    assert.equal([a, b].filter(Boolean).length, 1, 'exactly one of two concurrent claims wins');
    const first = (a ?? b)!;
    assert.equal(first.token, 1);
    assert.equal(first.job.outputLocation, '/outputs/sales/r1/load.parquet');
    assert.equal(await ledger.claim(key, 'w3', 60_000), undefined, 'a live lease keeps others out');
  });

  it("lets another worker take a block run whose lease lapsed, and refuses the first claim's late writes", async () => {
    await ledger.enqueue(job('r2'));
    const key = { runId: 'r2', block: 'load' };
    const paused = (await ledger.claim(key, 'w1', 300))!;
    const later = await waitFor(() => ledger.claim(key, 'w2', 60_000), { what: 'the lapsed lease to let w2 claim' });
    assert.equal(later.token, paused.token + 1);
    assert.equal(later.attempt, 2);
    assert.equal(await ledger.holds(paused), false);
    assert.equal(await ledger.commit(paused), false);
    assert.deepEqual(await ledger.renew(paused, 60_000), { held: false, cancel: true });
    assert.equal(await ledger.finish(paused, succeeded('r2')), false);
    assert.equal(await ledger.commit(later), true);
    assert.equal(await ledger.finish(later, succeeded('r2')), true);
    const [entry] = await ledger.entries([key]);
    assert.equal(entry!.state, 'done');
    assert.equal(entry!.worker, 'w2');
    assert.equal(await ledger.claim(key, 'w3', 60_000), undefined, 'an ended block run is claimed by nobody');
  });

  it('tells a waiter when a block run is done', async () => {
    await ledger.enqueue(job('r3'));
    const heard: string[] = [];
    const stop = await ledger.listen((key) => heard.push(`${key.runId}/${key.block}`));
    try {
      const claim = (await ledger.claim({ runId: 'r3', block: 'load' }, 'w1', 60_000))!;
      await ledger.finish(claim, succeeded('r3'));
      await waitFor(() => heard.includes('r3/load'), { what: 'the notification' });
    } finally {
      await stop();
    }
  });

  it("commits a claim once, checks it after that without writing, and refuses a claim whose block run was queued again", async () => {
    await ledger.enqueue(job('r6'));
    const key = { runId: 'r6', block: 'load' };
    const claim = (await ledger.claim(key, 'w1', 60_000))!;
    const version = async (): Promise<string> => {
      const db = new pg.Client(testPgUrl());
      await db.connect();
      try {
        return (await db.query<{ xmin: string }>(`SELECT xmin::text AS xmin FROM ${schema}.queued_block_runs WHERE run_id = 'r6'`)).rows[0]!.xmin;
      } finally {
        await db.end();
      }
    };
    assert.equal(await ledger.commit(claim), true);
    assert.equal((await ledger.entries([key]))[0]!.state, 'committed');
    const committed = await version();
    assert.equal(await ledger.commit(claim), true);
    assert.equal(await version(), committed, 'a second commit writes no new row version');
    // A run taken up again queues its block runs anew under the same key: the old claim no longer commits.
    await ledger.enqueue(job('r6'));
    assert.equal(await ledger.commit(claim), false);
    assert.equal((await ledger.entries([key]))[0]!.state, 'queued');
  });

  it('withdraws a queued block run on cancel, and asks a held one to stop', async () => {
    await ledger.enqueue(job('r4', 'a'));
    await ledger.enqueue(job('r4', 'b'));
    assert.equal(await ledger.cancel({ runId: 'r4', block: 'a' }), true);
    assert.equal(await ledger.claim({ runId: 'r4', block: 'a' }, 'w1', 60_000), undefined);
    const held = (await ledger.claim({ runId: 'r4', block: 'b' }, 'w1', 60_000))!;
    assert.equal(await ledger.cancel({ runId: 'r4', block: 'b' }), false);
    assert.deepEqual(await ledger.renew(held, 60_000), { held: true, cancel: true });
  });

  it('keeps worker heartbeats and counts what waits', async () => {
    await ledger.enqueue(job('r5'));
    await ledger.beat({ id: 'h:1:x', host: 'h', pid: 1, version: 'abc123', concurrency: 2, draining: false, running: ['r5/load'] });
    const [worker] = (await ledger.workers()).filter((w) => w.id === 'h:1:x');
    assert.equal(worker!.version, 'abc123');
    assert.deepEqual(worker!.running, ['r5/load']);
    assert.equal(worker!.stale, false);
    const stats = await ledger.stats();
    assert.ok(stats.queued >= 1);
    await ledger.leave('h:1:x');
    assert.equal((await ledger.workers()).some((w) => w.id === 'h:1:x'), false);
  });

  it("hands an operator's drain to the worker at its next heartbeat", async () => {
    const beat = { id: 'h:2:y', host: 'h', pid: 2, version: 'abc123', concurrency: 1, draining: false, running: [] };
    assert.deepEqual(await ledger.beat(beat), { drain: false });
    assert.equal(await ledger.requestDrain('h:9:gone'), false, 'a worker not listed cannot be drained');
    assert.equal(await ledger.requestDrain('h:2:y'), true);
    assert.equal((await ledger.workers()).find((w) => w.id === 'h:2:y')!.drainRequested, true);
    assert.deepEqual(await ledger.beat(beat), { drain: true });
    await ledger.leave('h:2:y');
  });
});
