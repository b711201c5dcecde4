import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { triggerKinds } from '../../src/core/run/run-triggers.ts';
import { serveProject, type ServedProject } from './api-server.ts';

interface ListBody {
  runs: { id: string; pipeline: string; trigger: string; status: string; blocks?: string[]; backfill?: { id: string; total: number; counts: Record<string, number> } }[];
  hasMore: boolean;
  triggerKinds: string[];
}

describe('sluice serve: the runs list, dashboard, running-now and chart routes', () => {
  let s: ServedProject;
  let whole: string;
  let partial: string;

  before(async () => {
    s = await serveProject({
      'pipelines/shop.yaml': [
        'schedule: { cron: "0 6 * * *" }',
        'blocks:',
        '  - { name: numbers, file: blocks/numbers.sql }',
        '  - { name: doubled, file: blocks/doubled.sql, upstream: [numbers] }',
        '',
      ].join('\n'),
      'blocks/numbers.sql': 'SELECT i AS n FROM range(10) t(i)\n',
      'blocks/doubled.sql': 'SELECT n * 2 AS n FROM numbers WHERE n < 4\n',
    });
    const start = async (body: unknown) => (await s.json<{ run_id: string }>('/api/pipelines/shop/runs', { method: 'POST', body: JSON.stringify(body) })).body.run_id;
    whole = await start({});
    assert.equal((await s.waitForRun(whole)).status, 'succeeded');
    partial = await start({ blocks: ['doubled'] });
    assert.equal((await s.waitForRun(partial)).status, 'succeeded');
    const backfill = await s.json('/api/pipelines/shop/backfills', { method: 'POST', body: JSON.stringify({ start: '2025-03-01', end: '2025-03-04' }) });
    assert.equal(backfill.status, 202);
  });
  after(async () => s?.close());

  it('lists a page of rows: a backfill as one row with its progress, a partial run with its blocks, and every trigger kind', async () => {
    const { status, body } = await s.json<ListBody>('/api/run-list');
    assert.equal(status, 200);
    assert.deepEqual(body.triggerKinds, [...triggerKinds]);
    assert.deepEqual(body.runs.map((r) => r.trigger), ['backfill', 'api:blocks', 'api']);
    const [backfill, blocks, all] = body.runs;
    assert.deepEqual([backfill!.backfill?.total, backfill!.backfill?.counts], [4, { queued: 4 }]);
    assert.deepEqual(blocks!.blocks, ['doubled']);
    assert.equal(all!.blocks, undefined);
    assert.equal(body.hasMore, false);
    const runs = await s.json<ListBody>(`/api/run-list?backfill=${backfill!.backfill!.id}`);
    assert.equal(runs.body.runs.length, 4);
  });

  it('filters by trigger kind and pages with offset and limit, and refuses what it does not know', async () => {
    const api = await s.json<ListBody>('/api/run-list?trigger=api');
    assert.deepEqual(api.body.runs.map((r) => r.id), [partial, whole]);
    const first = await s.json<ListBody>('/api/run-list?limit=1');
    assert.equal(first.body.hasMore, true);
    const second = await s.json<ListBody>('/api/run-list?limit=1&offset=2');
    assert.deepEqual(second.body.runs.map((r) => r.id), [whole]);
    const bad = await s.json<{ error: { code: string; message: string } }>('/api/run-list?trigger=carrier-pigeon');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'api.bad_query');
    assert.match(bad.body.error.message, /trigger/);
  });

  it('answers the dashboard with the day\'s counts and the next scheduled times', async () => {
    const { body } = await s.json<{ counts: Record<string, number>; failed: unknown[]; next: { pipeline: string; kind: string; next: string[] }[] }>('/api/dashboard');
    assert.deepEqual(body.counts, { succeeded: 2, queued: 4 });
    assert.deepEqual(body.failed, []);
    const [shop] = body.next;
    assert.equal(shop?.pipeline, 'shop');
    assert.equal(shop?.next.length, 3);
    const gaps = shop!.next.slice(1).map((at, i) => Date.parse(at) - Date.parse(shop!.next[i]!));
    assert.deepEqual(gaps, [86_400_000, 86_400_000]);
  });

  it('lists the queued runs as waiting and none as running, and charts the runs with their rows', async () => {
    const now = await s.json<{ running: unknown[]; queued: { trigger: string }[] }>('/api/running-now');
    assert.deepEqual(now.body.running, []);
    assert.deepEqual(now.body.queued.map((r) => r.trigger), ['backfill', 'backfill', 'backfill', 'backfill']);
    const charts = await s.json<{ runs: { id: string; rows: Record<string, number>; durationMs: number | null }[]; blocks: string[] }>('/api/pipelines/shop/charts?runs=30');
    assert.deepEqual(charts.body.blocks, ['doubled', 'numbers']);
    const byId = new Map(charts.body.runs.map((r) => [r.id, r]));
    assert.deepEqual(byId.get(whole)?.rows, { numbers: 10, doubled: 4 });
    assert.deepEqual(byId.get(partial)?.rows, { doubled: 4 });
    assert.ok((byId.get(whole)?.durationMs ?? 0) > 0);
    assert.equal((await s.json('/api/pipelines/nope/charts')).status, 404);
  });
});
