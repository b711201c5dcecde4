import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/wait-for.ts';
import { serveProject, type ServedProject } from './api-server.ts';
import { startScheduler, stop } from './cli-helpers.ts';

const slowLoader = `import { defineLoader } from 'sluice';
export default defineLoader(async function* () {
  for (let i = 0; i < 300; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    yield [{ i }];
  }
});
`;

interface RunBody {
  run: { id: string; status: string; trigger: string };
  blocks: { block: string; status: string; rowsOut?: number; file: string | null; hasOutput: boolean; error: { code: string; message: string; location?: { file?: string; line?: number; block?: string } } | null }[];
}

describe('sluice serve: runs, one block at a time, outputs, retries and cancels', () => {
  let s: ServedProject;
  const start = async (pipeline: string, body: unknown = {}) => {
    const r = await s.json<{ run_id: string; blocks?: string[] }>(`/api/pipelines/${pipeline}/runs`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body;
  };
  const detail = async (id: string) => (await s.json<RunBody>(`/api/runs/${id}`)).body;

  before(async () => {
    s = await serveProject({
      'pipelines/shop.yaml': [
        'variables: { factor: 2 }',
        'blocks:',
        '  - { name: numbers, file: blocks/numbers.sql }',
        '  - { name: doubled, file: blocks/doubled.sql, upstream: [numbers] }',
        '  - { name: checked, file: blocks/checked.ts, upstream: [doubled] }',
        '',
      ].join('\n'),
      'blocks/numbers.sql': "SELECT i AS n, CASE WHEN i % 10 = 0 THEN NULL ELSE 'v' || (i % 7) END AS label FROM range(100) t(i)\n",
      'blocks/doubled.sql': "SELECT n * getvariable('factor') AS n2, label FROM numbers\n",
      'blocks/checked.ts': "import { defineTransformer } from 'sluice';\nexport default defineTransformer(async ({ doubled }) => {\n  if (doubled.rowCount > 0) throw new Error('too many rows');\n  return [];\n});\n",
      'pipelines/slow.yaml': 'blocks:\n  - { name: crawl, file: blocks/crawl.ts }\n',
      'blocks/crawl.ts': slowLoader,
    });
  });
  after(async () => {
    await s.close();
  });

  it('runs a pipeline and reports the failing block with its file and line', async () => {
    const { run_id: id } = await start('shop', { variables: { factor: 3 } });
    const run = await s.waitForRun(id);
    assert.equal(run.status, 'failed');
    const { blocks } = await detail(id);
    assert.deepEqual(blocks.map((b) => [b.block, b.status]), [['numbers', 'succeeded'], ['doubled', 'succeeded'], ['checked', 'failed']]);
    const failed = blocks.find((b) => b.block === 'checked')!;
    assert.equal(failed.file, 'blocks/checked.ts');
    assert.equal(failed.error?.location?.file, 'blocks/checked.ts');
    assert.equal(failed.error?.location?.line, 3);
    assert.match(failed.error?.message ?? '', /too many rows/);
    assert.equal(blocks[0]!.rowsOut, 100);
    const filtered = (await s.json<{ runs: { id: string }[] }>(`/api/runs?pipeline=shop&status=failed&trigger=api&since=2000-01-01`)).body.runs;
    assert.deepEqual(filtered.map((r) => r.id), [id]);
    assert.deepEqual((await s.json<{ runs: unknown[] }>('/api/runs?until=2000-01-01')).body.runs, []);
    assert.equal((await s.json('/api/runs?since=yesterday')).status, 400);
    const logs = (await s.json<{ logs: { block?: string; message: string }[] }>(`/api/runs/${id}/logs?block=checked`)).body.logs;
    assert.ok(logs.some((l) => /too many rows/.test(l.message)));
  });

  it('reports a SQL error with the block file and line', async () => {
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'pipelines/bad.yaml', content: 'blocks:\n  - { name: broken, file: blocks/broken.sql }\n' }) });
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/broken.sql', content: 'SELECT 1 AS one\nFROM no_such_table\n' }) });
    const { run_id: id } = await start('bad');
    assert.equal((await s.waitForRun(id)).status, 'failed');
    const [broken] = (await detail(id)).blocks;
    assert.deepEqual([broken!.file, broken!.error?.location?.file, broken!.error?.location?.line, broken!.error?.location?.block], ['blocks/broken.sql', 'blocks/broken.sql', 2, 'broken']);
  });

  it('pages a block output and computes its column stats in the data plane', async () => {
    const [last] = (await s.json<{ runs: { id: string }[] }>('/api/runs?pipeline=shop&limit=1')).body.runs;
    const page = (await s.json<{ total: number; rows: { n2: number }[] }>(`/api/runs/${last!.id}/blocks/doubled/output?offset=10&limit=5`)).body;
    assert.equal(page.total, 100);
    assert.deepEqual(page.rows.map((r) => Number(r.n2)), [30, 33, 36, 39, 42]);
    const stats = (await s.json<{ rows: number; columns: { name: string; type: string; nulls: number; distinct: number; min: string | null; max: string | null }[] }>(`/api/runs/${last!.id}/blocks/numbers/stats`)).body;
    assert.equal(stats.rows, 100);
    const [n, label] = stats.columns;
    assert.deepEqual([n!.name, n!.nulls, n!.min, n!.max], ['n', 0, '0', '99']);
    assert.ok(n!.distinct >= 90 && n!.distinct <= 110, `about 100 distinct: ${n!.distinct}`);
    assert.deepEqual([label!.name, label!.type, label!.nulls, label!.min, label!.max], ['label', 'VARCHAR', 10, 'v0', 'v6']);
    assert.equal((await s.json(`/api/runs/${last!.id}/blocks/checked/stats`)).status, 404);
    assert.equal((await s.json(`/api/runs/nope/blocks/numbers/stats`)).status, 404);
  });

  it('runs one block on the stored outputs of its upstreams, or with its upstreams', async () => {
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/checked.ts', content: "import { defineTransformer } from 'sluice';\nexport default defineTransformer(async ({ doubled }) => [{ rows: doubled.rowCount }]);\n" }) });
    const one = await start('shop', { blocks: ['checked'] });
    assert.deepEqual(one.blocks, ['checked']);
    assert.equal((await s.waitForRun(one.run_id)).status, 'succeeded');
    assert.deepEqual((await detail(one.run_id)).blocks.map((b) => b.block), ['checked'], 'only that block ran');
    const out = (await s.json<{ rows: { rows: number }[] }>(`/api/runs/${one.run_id}/blocks/checked/output`)).body;
    assert.equal(Number(out.rows[0]!.rows), 100);
    const withUp = await start('shop', { blocks: ['doubled'], upstream: true });
    assert.deepEqual(withUp.blocks, ['numbers', 'doubled']);
    assert.equal((await s.waitForRun(withUp.run_id)).status, 'succeeded');
    assert.equal((await s.json(`/api/pipelines/shop/runs`, { method: 'POST', body: JSON.stringify({ blocks: ['ghost'] }) })).status, 404);
  });

  it('refuses a block whose upstream has no stored output, leaving no run behind', async () => {
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'pipelines/fresh.yaml', content: 'blocks:\n  - { name: a, file: blocks/numbers.sql }\n  - { name: b, file: blocks/doubled.sql, upstream: [a] }\n' }) });
    const refused = await s.json<{ error: { code: string } }>('/api/pipelines/fresh/runs', { method: 'POST', body: JSON.stringify({ blocks: ['b'] }) });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'run.upstream_not_stored');
    assert.deepEqual((await s.json<{ runs: unknown[] }>('/api/runs?pipeline=fresh')).body.runs, []);
  });

  it('retries a failed run and retries from a block, reusing the stored outputs', async () => {
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/checked.ts', content: "import { defineTransformer } from 'sluice';\nexport default defineTransformer(async () => {\n  throw new Error('still broken');\n});\n" }) });
    const { run_id: failedId } = await start('shop');
    assert.equal((await s.waitForRun(failedId)).status, 'failed');
    await s.json('/api/files', { method: 'PUT', body: JSON.stringify({ path: 'blocks/checked.ts', content: "import { defineTransformer } from 'sluice';\nexport default defineTransformer(async () => [{ ok: true }]);\n" }) });
    const retry = await s.json<{ run_id: string; blocks: string[] }>(`/api/runs/${failedId}/retry`, { method: 'POST', body: '{}' });
    assert.equal(retry.status, 202);
    assert.deepEqual(retry.body.blocks, ['checked']);
    const retried = await s.waitForRun(retry.body.run_id);
    assert.equal(retried.status, 'succeeded');
    assert.equal(retried.trigger, `retry of ${failedId}`);
    const from = await s.json<{ run_id: string; blocks: string[] }>(`/api/runs/${failedId}/retry`, { method: 'POST', body: JSON.stringify({ from_block: 'doubled' }) });
    assert.deepEqual(from.body.blocks, ['doubled', 'checked']);
    assert.equal((await s.waitForRun(from.body.run_id)).status, 'succeeded');
    const again = await s.json<{ error: { code: string } }>(`/api/runs/${retry.body.run_id}/retry`, { method: 'POST', body: '{}' });
    assert.equal(again.status, 400, 'a succeeded run has nothing to retry');
    assert.equal((await s.json('/api/runs/nope/retry', { method: 'POST', body: '{}' })).status, 404);
  });

  it('cancels a running run within a moment, and a queued one', async () => {
    const { run_id: id } = await start('slow');
    await waitFor(async () => (await detail(id)).blocks.some((b) => b.status === 'running'), { what: 'the slow block to run' });
    const cancel = await s.json<{ run: { status: string } }>(`/api/runs/${id}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200);
    assert.equal(cancel.body.run.status, 'cancelled');
    const run = await s.waitForRun(id);
    assert.equal(run.status, 'cancelled');
    // The block runs for 30 s unless stopped: had the cancel not reached it, it would end succeeded.
    await waitFor(async () => (await detail(id)).blocks[0]?.status !== 'running', { what: 'the cancelled block to stop' });
    assert.equal((await detail(id)).blocks[0]?.status, 'cancelled');
    assert.equal((await s.json(`/api/runs/${id}/cancel`, { method: 'POST' })).status, 409, 'a finished run stays finished');

    const backfill = await s.json<{ runs: { run_id: string; status: string }[] }>('/api/pipelines/slow/backfills', { method: 'POST', body: JSON.stringify({ start: '2025-01-01', end: '2025-01-02' }) });
    assert.equal(backfill.status, 202);
    assert.deepEqual(backfill.body.runs.map((r) => r.status), ['queued', 'queued']);
    const queued = backfill.body.runs[0]!.run_id;
    assert.equal((await s.json<{ run: { status: string } }>(`/api/runs/${queued}/cancel`, { method: 'POST' })).body.run.status, 'cancelled');
    const watched = (await s.json<{ runs: { status: string }[] }>('/api/runs?pipeline=slow&trigger=backfill')).body.runs.map((r) => r.status).sort();
    assert.deepEqual(watched, ['cancelled', 'queued']);
  });

  it('cancels a run another process is running: it stops at its next heartbeat', async () => {
    const [queued] = (await s.json<{ runs: { id: string }[] }>('/api/runs?pipeline=slow&trigger=backfill&status=queued')).body.runs;
    assert.ok(queued, 'the backfill run left queued by the test before');
    const scheduler = startScheduler(s.dir);
    try {
      await waitFor(async () => (await detail(queued.id)).blocks[0]?.status === 'running', { what: 'the scheduler to run the queued run', giveUpWhen: () => (scheduler.child.exitCode !== null ? scheduler.output() : undefined) });
      assert.equal((await detail(queued.id)).run.status, 'running', scheduler.output());
      assert.equal((await s.json(`/api/runs/${queued.id}/cancel`, { method: 'POST' })).status, 200);
      await waitFor(async () => (await detail(queued.id)).blocks[0]?.status !== 'running', { what: 'the other process to stop the block at its next heartbeat' });
      assert.equal((await detail(queued.id)).blocks[0]?.status, 'cancelled', scheduler.output());
      assert.equal((await detail(queued.id)).run.status, 'cancelled');
    } finally {
      await stop(scheduler.child);
    }
  });

  it('streams a run as Server-Sent Events until it has finished', async () => {
    const { run_id: id } = await start('shop', { blocks: ['numbers'] });
    const response = await s.api(`/api/runs/${id}/events`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await response.text();
    assert.match(text, /event: block\ndata: \{"runId":"[^"]+","block":"numbers"/);
    assert.match(text, /event: run\ndata: \{[^\n]*"status":"succeeded"/);
    assert.doesNotMatch(text, /"output":/, 'no server paths in events');
    assert.equal((await s.api(`/api/runs/${id}/events`, { auth: '' })).status, 401);
  });
});
