import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const patch = (body: unknown): RequestInit => ({ method: 'PATCH', body: JSON.stringify(body) });

describe('sluice serve: what the web UI needs to be trusted every day', () => {
  let s: ServedProject;
  const read = (file: string) => readFileSync(path.join(s.dir, file), 'utf8');
  const start = async (pipeline: string, body: unknown = {}) => {
    const { status, body: answer } = await s.json<{ run_id: string }>(`/api/pipelines/${pipeline}/runs`, post(body));
    assert.equal(status, 202, JSON.stringify(answer));
    return answer.run_id;
  };

  before(async () => {
    delete process.env.SLUICE_DAILY_UNSET;
    s = await serveProject({
      'connections.yaml': 'connections:\n  pg:\n    connector: postgres\n    host: 127.0.0.1\n    user: postgres\n    database: test\n    password: ${SLUICE_DAILY_UNSET}\n',
      'pipelines/shop.yaml': [
        'blocks:',
        '  - { name: orders, role: loader, file: blocks/orders.sql }',
        '  - { name: report, role: transformer, file: blocks/report.sql, upstream: [orders] }',
        '  - { name: feed, role: loader, file: blocks/feed.sql }',
        '  - { name: consume, role: exporter, file: blocks/consume.ts, upstream: [feed] }',
        '  - { name: noisy, role: loader, file: blocks/noisy.ts }',
        '',
      ].join('\n'),
      'blocks/orders.sql': "SELECT i AS id, 'n' || (i % 7) AS label FROM range(500) t(i)\n",
      'blocks/report.sql': "-- orders, ordered\nSELECT orders.id, o2.label -- from orders\nFROM orders JOIN \"orders\" AS o2 USING (id)\nWHERE orders.label <> 'orders'\n",
      'blocks/feed.sql': 'SELECT 1 AS id\n',
      'blocks/consume.ts': "import { defineExporter, type TableHandle } from 'sluice';\n\nexport default defineExporter<{ feed: TableHandle }>(async ({ feed }, ctx) => {\n  ctx.log.info(`feed: ${feed.rowCount} rows`);\n});\n",
      'blocks/noisy.ts': "import { defineLoader } from 'sluice';\n\nexport default defineLoader(async function* (_inputs, ctx) {\n  for (let i = 1; i <= 5; i++) ctx.log.info(`line ${i}`);\n  yield [{ id: 1 }];\n});\n",
      'pipelines/daily.yaml': 'blocks:\n  - { name: one, file: blocks/one.sql }\n',
      'blocks/one.sql': 'SELECT 1 AS one\n',
    });
  });
  after(async () => {
    await s?.close();
  });

  it('counts distinct values exactly, never more than the rows', async () => {
    const id = await start('shop', { blocks: ['orders'] });
    assert.equal((await s.waitForRun(id)).status, 'succeeded');
    const { body } = await s.json<{ rows: number; columns: { name: string; distinct: number }[] }>(`/api/runs/${id}/blocks/orders/stats`);
    assert.equal(body.rows, 500);
    assert.deepEqual(body.columns.map((c) => [c.name, c.distinct]), [['id', 500], ['label', 7]]);
  });

  it('replays a finished run\'s log lines from the store, or from a given offset', async () => {
    const id = await start('shop', { blocks: ['noisy'] });
    assert.equal((await s.waitForRun(id)).status, 'succeeded');
    const all = await (await s.api(`/api/runs/${id}/events`)).text();
    assert.deepEqual([...all.matchAll(/"message":"(line \d)"/g)].map((m) => m[1]), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    const rest = await (await s.api(`/api/runs/${id}/events?log_offset=3`)).text();
    assert.deepEqual([...rest.matchAll(/"message":"(line \d)"/g)].map((m) => m[1]), ['line 4', 'line 5']);
    const bad = await s.json<{ error: { code: string } }>(`/api/runs/${id}/events?log_offset=-1`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'api.bad_offset');
  });

  it('renames a block in the SQL that reads it, leaving strings and comments alone', async () => {
    const { status, body } = await s.json(`/api/pipelines/shop/blocks/orders`, patch({ name: 'orders_v2' }));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(read('blocks/report.sql'), "-- orders, ordered\nSELECT orders_v2.id, o2.label -- from orders\nFROM orders_v2 JOIN \"orders_v2\" AS o2 USING (id)\nWHERE orders_v2.label <> 'orders'\n");
    const id = await start('shop', { blocks: ['report'], upstream: true });
    const run = await s.waitForRun(id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
  });

  it('refuses to rename a block that TypeScript reads, naming the file and line, and changes nothing', async () => {
    const before = read('pipelines/shop.yaml');
    const { status, body } = await s.json<{ error: { code: string; message: string } }>(`/api/pipelines/shop/blocks/feed`, patch({ name: 'feed_v2' }));
    assert.equal(status, 400);
    assert.equal(body.error.code, 'block.rename_refused');
    assert.match(body.error.message, /blocks\/consume\.ts:3/);
    assert.equal(read('pipelines/shop.yaml'), before);
    assert.equal(read('blocks/feed.sql'), 'SELECT 1 AS id\n');
  });

  it('refuses a connection named like the built-in warehouse', async () => {
    const { status, body } = await s.json<{ error: { code: string; message: string } }>('/api/connections', post({ name: 'warehouse', connector: 'postgres', settings: { host: '127.0.0.1' } }));
    assert.equal(status, 400);
    assert.equal(body.error.code, 'connection.reserved_name');
    assert.match(body.error.message, /reserved/);
    assert.doesNotMatch(read('connections.yaml'), /warehouse/);
  });

  it('refuses a connection named like the data plane, which SQL blocks name to run there', async () => {
    const { status, body } = await s.json<{ error: { code: string; message: string } }>('/api/connections', post({ name: 'data_plane', connector: 'postgres', settings: { host: '127.0.0.1' } }));
    assert.equal(status, 400);
    assert.equal(body.error.code, 'connection.reserved_name');
    assert.match(body.error.message, /reserved for the data plane itself/);
    assert.doesNotMatch(read('connections.yaml'), /data_plane/);
  });

  it('marks a secret from an unset environment variable as not set, naming the variable', async () => {
    const { body } = await s.json<{ connections: { name: string; settings: Record<string, unknown> }[] }>('/api/connections');
    assert.deepEqual(body.connections.find((c) => c.name === 'pg')?.settings.password, { secret: { set: false, variables: ['SLUICE_DAILY_UNSET'] } });
  });

  it('previews what saving a schedule runs at once, and how to start with the next interval instead', async () => {
    const daily = { cron: '0 6 * * *' };
    const { status, body } = await s.json<{ due: { logical_date: string; end: string }[]; start_from_next: string; next_run: string }>('/api/pipelines/daily/triggers/preview', post({ schedule: daily }));
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.due.length, 1, 'without catchup: the interval that ended last');
    assert.ok(Date.parse(body.due[0]!.end) <= Date.now());
    assert.ok(Date.parse(body.next_run) > Date.now());
    assert.equal(body.start_from_next, body.due[0]!.end, 'the interval under way starts where the owed one ended');
    const skipping = await s.json<{ due: unknown[] }>('/api/pipelines/daily/triggers/preview', post({ schedule: { ...daily, start_date: body.start_from_next } }));
    assert.deepEqual(skipping.body.due, []);
    const catchup = await s.json<{ due: unknown[] }>('/api/pipelines/daily/triggers/preview', post({ schedule: { ...daily, catchup: true, start_date: new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10) } }));
    assert.ok(catchup.body.due.length >= 4, 'with catchup: every interval since start_date');
    const bad = await s.json<{ error: { code: string } }>('/api/pipelines/daily/triggers/preview', post({ schedule: { cron: 'every day' } }));
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'trigger.bad_schedule');
  });

  it('explains a refused pipeline name in a sentence', async () => {
    const { status, body } = await s.json<{ error: { message: string } }>('/api/pipelines', post({ name: 'my pipeline' }));
    assert.equal(status, 400);
    assert.match(body.error.message, /use letters, digits/);
  });
});
