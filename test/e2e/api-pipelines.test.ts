import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serveProject, type ServedProject } from './api-server.ts';
import { sluice } from './cli-helpers.ts';

const salesYaml = `# Daily sales: the team's main pipeline.
description: Sales by day
variables:
  region: eu # which region's files
blocks:
  # Raw orders straight from the export.
  - name: orders
    role: loader
    file: blocks/orders.sql
  - name: totals   # one row per day
    file: blocks/totals.sql
    upstream: [orders]
`;

interface PipelineBody {
  pipeline: { name: string; file: string; blocks: { name: string; role: string; language: string; file?: string; upstream: string[]; settings: Record<string, unknown>; connector?: string }[] };
}

describe('sluice serve: pipelines, blocks and triggers edit the files', () => {
  let s: ServedProject;
  const file = (rel: string) => path.join(s.dir, rel);
  const read = (rel: string) => readFileSync(file(rel), 'utf8');

  before(async () => {
    s = await serveProject({
      'pipelines/sales.yaml': salesYaml,
      'blocks/orders.sql': 'SELECT 1 AS id, 10 AS amount\n',
      'blocks/totals.sql': 'SELECT sum(amount) AS total FROM orders\n',
      'pipelines/broken.yaml': 'blocks:\n  - { name: x, file: blocks/missing.sql }\n',
    });
  });
  after(async () => {
    await s.close();
  });

  it('lists every pipeline with its triggers, and the broken one with its error', async () => {
    const { body } = await s.json<{ pipelines: { name: string; blocks?: number; triggers?: unknown; error?: { code: string } }[] }>('/api/pipelines');
    const sales = body.pipelines.find((p) => p.name === 'sales')!;
    assert.equal(sales.blocks, 2);
    assert.deepEqual(sales.triggers, { schedule: null, schedule_enabled: false, api_enabled: true, on_file: null, on_stream: null });
    assert.equal(body.pipelines.find((p) => p.name === 'broken')?.error?.code, 'block.file_missing');
  });

  it('describes one pipeline for the editor', async () => {
    const { status, body } = await s.json<PipelineBody>('/api/pipelines/sales');
    assert.equal(status, 200);
    assert.equal(body.pipeline.file, 'pipelines/sales.yaml');
    assert.deepEqual(body.pipeline.blocks.map((b) => [b.name, b.role, b.language, b.file, b.upstream]), [
      ['orders', 'loader', 'sql', 'blocks/orders.sql', []],
      ['totals', 'transformer', 'sql', 'blocks/totals.sql', ['orders']],
    ]);
    assert.equal((await s.json('/api/pipelines/nope')).status, 404);
    assert.equal((await s.json('/api/pipelines/..%2F..%2Fetc')).status, 400);
  });

  it('lists block templates and connectors with JSON Schemas of their settings', async () => {
    const templates = (await s.json<{ templates: { id: string }[] }>('/api/block-templates')).body.templates.map((t) => t.id);
    assert.deepEqual(templates, ['ts-loader', 'ts-transformer', 'ts-exporter', 'ts-test', 'sql', 'sql-test', 'connector']);
    const { connectors } = (await s.json<{ connectors: { kind: string; connection: { type?: string; properties?: Record<string, unknown> }; read: unknown; capabilities: unknown }[] }>('/api/connectors')).body;
    const postgres = connectors.find((c) => c.kind === 'postgres');
    assert.ok(postgres, 'postgres is listed');
    assert.equal(postgres.connection.type, 'object');
    assert.equal((postgres.connection.properties?.password as { writeOnly?: boolean }).writeOnly, true, 'secrets are marked for forms');
    assert.equal((postgres.connection.properties?.host as { writeOnly?: boolean }).writeOnly, undefined);
    assert.ok(postgres.capabilities);
    assert.ok(connectors.find((c) => c.kind === 'file')?.read);
  });

  it('creates a pipeline with no blocks, which refuses to run until it has one', async () => {
    const created = await s.json<PipelineBody>('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'fresh', description: 'new one' }) });
    assert.equal(created.status, 201);
    assert.ok(existsSync(file('pipelines/fresh.yaml')));
    assert.deepEqual(created.body.pipeline.blocks, []);
    assert.equal((await s.json('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: 'fresh' }) })).status, 409);
    assert.equal((await s.json('/api/pipelines', { method: 'POST', body: JSON.stringify({ name: '../up' }) })).status, 400);
    const run = await s.json<{ error: { code: string; message: string } }>('/api/pipelines/fresh/runs', { method: 'POST', body: '{}' });
    assert.equal(run.status, 400);
    assert.equal(run.body.error.code, 'pipeline.no_blocks');
    const cli = await sluice(s.dir, ['run', 'fresh']);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /pipeline 'fresh' has no blocks yet; add one to pipelines\/fresh.yaml first/);
  });

  it('adds blocks from templates and a connector, writing the block files and keeping the comments', async () => {
    const ts = await s.json<PipelineBody>('/api/pipelines/sales/blocks', { method: 'POST', body: JSON.stringify({ name: 'enrich', template: 'ts-transformer', upstream: ['totals'] }) });
    assert.equal(ts.status, 201, JSON.stringify(ts.body));
    assert.match(read('blocks/enrich.ts'), /defineTransformer<\{ totals: TableHandle \}>/);
    const sql = await s.json('/api/pipelines/sales/blocks', { method: 'POST', body: JSON.stringify({ name: 'report', template: 'sql', upstream: ['enrich'] }) });
    assert.equal(sql.status, 201);
    assert.match(read('blocks/report.sql'), /FROM enrich/);
    const connector = await s.json<PipelineBody>('/api/pipelines/sales/blocks', {
      method: 'POST',
      body: JSON.stringify({ name: 'to_csv', template: 'connector', connector: 'file', upstream: ['report'], settings: { path: 'out/report.csv' } }),
    });
    assert.equal(connector.status, 201, JSON.stringify(connector.body));
    const { line, ...added } = connector.body.pipeline.blocks.at(-1) as Record<string, unknown>;
    assert.equal(typeof line, 'number');
    assert.deepEqual(added, { name: 'to_csv', role: 'exporter', upstream: ['report'], description: null, language: 'connector', connector: 'file', connection: null, settings: { path: 'out/report.csv' } });
    const text = read('pipelines/sales.yaml');
    for (const comment of ["# Daily sales: the team's main pipeline.", '# which region', '# Raw orders straight from the export.', '# one row per day']) {
      assert.ok(text.includes(comment), `keeps ${comment}`);
    }
    assert.equal((await s.json('/api/pipelines/sales/blocks', { method: 'POST', body: JSON.stringify({ name: 'report', template: 'sql' }) })).status, 409);
    assert.equal((await s.json('/api/pipelines/sales/blocks', { method: 'POST', body: JSON.stringify({ name: 'x', template: 'nope' }) })).status, 400);
    const badEdge = await s.json('/api/pipelines/sales/blocks', { method: 'POST', body: JSON.stringify({ name: 'lost', template: 'sql', upstream: ['ghost'] }) });
    assert.equal(badEdge.status, 400);
    assert.ok(!existsSync(file('blocks/lost.sql')), 'a refused edit leaves no file behind');
    assert.equal(read('pipelines/sales.yaml'), text, 'nor a changed pipeline file');
  });

  it('renames a block with its file and every reference, reconnects and removes blocks', async () => {
    const renamed = await s.json<PipelineBody>('/api/pipelines/sales/blocks/report', { method: 'PATCH', body: JSON.stringify({ name: 'daily_report' }) });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.ok(existsSync(file('blocks/daily_report.sql')) && !existsSync(file('blocks/report.sql')));
    assert.deepEqual(renamed.body.pipeline.blocks.find((b) => b.name === 'to_csv')?.upstream, ['daily_report']);
    const rewired = await s.json<PipelineBody>('/api/pipelines/sales/blocks/to_csv', { method: 'PATCH', body: JSON.stringify({ upstream: ['totals'], settings: { path: 'out/totals.csv' } }) });
    assert.deepEqual(rewired.body.pipeline.blocks.find((b) => b.name === 'to_csv')?.settings, { path: 'out/totals.csv' });
    const cycle = await s.json<{ error: { code: string } }>('/api/pipelines/sales/blocks/orders', { method: 'PATCH', body: JSON.stringify({ upstream: ['totals'] }) });
    assert.equal(cycle.status, 400);
    assert.equal(cycle.body.error.code, 'pipeline.cycle');
    const removed = await s.json<PipelineBody>('/api/pipelines/sales/blocks/enrich', { method: 'DELETE' });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.ok(!existsSync(file('blocks/enrich.ts')));
    assert.deepEqual(removed.body.pipeline.blocks.find((b) => b.name === 'daily_report')?.upstream, []);
    assert.equal((await s.json('/api/pipelines/sales/blocks/ghost', { method: 'DELETE' })).status, 404);
    assert.ok(read('pipelines/sales.yaml').includes('# Raw orders straight from the export.'));
  });

  it('reads and writes triggers, validating the schedule before writing', async () => {
    assert.deepEqual((await s.json('/api/pipelines/sales/triggers')).body, { schedule: null, schedule_enabled: false, api_enabled: true, on_file: null, on_stream: null });
    const before = read('pipelines/sales.yaml');
    const bad = await s.json<{ error: { message: string } }>('/api/pipelines/sales/triggers', { method: 'PUT', body: JSON.stringify({ schedule: { cron: 'every day' } }) });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /invalid cron expression/);
    assert.equal(read('pipelines/sales.yaml'), before, 'nothing written');
    const set = await s.json<{ schedule: { cron: string }; schedule_enabled: boolean }>('/api/pipelines/sales/triggers', { method: 'PUT', body: JSON.stringify({ schedule: { cron: '0 6 * * *', timezone: 'Europe/Paris' } }) });
    assert.equal(set.status, 200);
    assert.equal(set.body.schedule.cron, '0 6 * * *');
    assert.equal(set.body.schedule_enabled, true);
    const listed = (await s.json<{ pipelines: { name: string; nextRun: string | null }[] }>('/api/pipelines')).body.pipelines.find((p) => p.name === 'sales');
    assert.ok(listed?.nextRun, 'a scheduled pipeline has a next run');
    const off = await s.json<{ schedule_enabled: boolean; api_enabled: boolean }>('/api/pipelines/sales/triggers', { method: 'PUT', body: JSON.stringify({ schedule_enabled: false, api_enabled: false }) });
    assert.deepEqual([off.body.schedule_enabled, off.body.api_enabled], [false, false]);
    assert.match(read('pipelines/sales.yaml'), /enabled: false/);
    const refused = await s.json<{ error: { code: string } }>('/api/pipelines/sales/runs', { method: 'POST', body: '{}' });
    assert.equal(refused.status, 403, 'API tokens cannot trigger it now');
    assert.equal(refused.body.error.code, 'trigger.api_disabled');
    await s.json('/api/pipelines/sales/triggers', { method: 'PUT', body: JSON.stringify({ schedule: null, api_enabled: true }) });
    assert.deepEqual((await s.json('/api/pipelines/sales/triggers')).body, { schedule: null, schedule_enabled: false, api_enabled: true, on_file: null, on_stream: null });
    assert.ok(read('pipelines/sales.yaml').startsWith("# Daily sales: the team's main pipeline."));
  });

  it('deletes a pipeline file', async () => {
    assert.equal((await s.json('/api/pipelines/fresh', { method: 'DELETE' })).status, 200);
    assert.ok(!existsSync(file('pipelines/fresh.yaml')));
    assert.equal((await s.json('/api/pipelines/fresh', { method: 'DELETE' })).status, 404);
  });
});
