import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadPipeline } from '../../src/core/pipeline/load-pipeline.ts';
import { serveProject, type ServedProject } from './api-server.ts';
import { sluice } from './cli-helpers.ts';
import { noCodeOrdersProject } from './no-code-orders-project.ts';

interface SchemasBody {
  blocks: Record<string, { settings: { required?: string[]; properties?: Record<string, { description?: string }> } }>;
}

describe('sluice serve: dedupe and prepare settings as JSON Schema, written from a form as the engine reads them', () => {
  let s: ServedProject;
  const read = () => readFileSync(path.join(s.dir, 'pipelines/orders.yaml'), 'utf8');
  const settingsOf = (block: string) => loadPipeline(s.dir, 'orders').blocks.find((b) => b.name === block) as { settings: unknown };
  const put = (block: string, kind: string, settings: unknown) =>
    s.json<{ detail?: string }>(`/api/pipelines/orders/blocks/${block}/${kind}`, { method: 'PUT', body: JSON.stringify({ settings }) });

  before(async () => {
    s = await serveProject(noCodeOrdersProject);
  });
  after(async () => {
    await s.close();
  });

  it('lists the settings of dedupe, prepare and examples blocks as JSON Schema, with help for each setting', async () => {
    const { status, body } = await s.json<SchemasBody>('/api/no-code-blocks');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.blocks).sort(), ['dedupe', 'examples', 'prepare']);
    assert.deepEqual(body.blocks.examples!.settings.required, ['format']);
    assert.match(body.blocks.examples!.settings.properties!.similarity!.description!, /exact repeats are always dropped/);
    assert.deepEqual(body.blocks.dedupe!.settings.required, ['columns', 'blocking', 'match']);
    assert.deepEqual(body.blocks.prepare!.settings.required, ['split']);
    assert.match(body.blocks.prepare!.settings.properties!.transform!.description!, /fitted on the train rows only/);
  });

  it('writes dedupe settings the loader reads back as sent, keeping comments and unchanged settings', async () => {
    const settings = { columns: { customer: 'jaro_winkler', country: { similarity: 'exact', weight: 0.5 } }, blocking: ['country', ['customer', 'placed']], match: 0.85, review: 0.7 };
    const { status } = await put('people', 'dedupe', settings);
    assert.equal(status, 200);
    assert.deepEqual(settingsOf('people').settings, settings);
    const text = read();
    assert.match(text, /^# Orders, deduplicated and split for a model\./);
    assert.match(text, /customer: jaro_winkler # names are typed by hand/);
    assert.match(text, /country: \{ similarity: exact, weight: 0\.5 \}/);
    assert.match(text, /blocking: \[ country, \[ customer, placed \] \]/);
    assert.ok(loadPipeline(s.dir, 'orders').blocks.some((b) => b.name === 'people__review'), 'a review threshold adds the review block');
  });

  it('writes prepare settings the loader reads back as sent, one line per small part', async () => {
    const settings = {
      split: { by: 'group', column: 'customer', test_fraction: 0.5, seed: 7 },
      transform: { amount: { scale: 'standard' }, country: { encode: 'one_hot', unseen: 'ignore' } },
    };
    const { status } = await put('features', 'prepare', settings);
    assert.equal(status, 200);
    assert.deepEqual(settingsOf('features').settings, settings);
    const text = read();
    assert.match(text, /split: \{ by: group, column: customer, test_fraction: 0\.5, seed: 7 \}/);
    assert.match(text, /transform:\n {8}amount: \{ scale: standard \}\n {8}country: \{ encode: one_hot, unseen: ignore \}\n/);
    const validated = await sluice(s.dir, ['validate']);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
  });

  it('refuses settings the block does not take, naming the file and setting, and leaves the file alone', async () => {
    const before = read();
    const bad = await put('features', 'prepare', { split: { by: 'group', column: 'customer', test_fraction: 2, seed: 1 } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /pipelines\/orders\.yaml.*prepare: split\.test_fraction: /);
    const noBlocking = await put('people', 'dedupe', { columns: { customer: 'exact' }, blocking: [], match: 1 });
    assert.equal(noBlocking.status, 400);
    assert.match(JSON.stringify(noBlocking.body), /name at least one blocking key/);
    const wrongKind = await put('people', 'prepare', { split: { by: 'time', column: 'placed', cutoff: '2024-01-01' } });
    assert.equal(wrongKind.status, 400);
    assert.equal(read(), before);
  });

  it('keeps a reviewer\'s pair decisions in the project, refusing a pair that does not give the compared columns', async () => {
    const post = (block: string, decisions: unknown) => s.json<{ file?: string }>(`/api/pipelines/orders/blocks/${block}/pair-decisions`, { method: 'POST', body: JSON.stringify({ decisions }) });
    const partial = await post('people', [{ left: { customer: 'Ann Lee' }, right: { customer: 'Ann Lea' }, same: true }]);
    assert.equal(partial.status, 400);
    assert.match(JSON.stringify(partial.body), /'people' compares country, customer/);
    assert.equal((await post('features', [{ left: { a: 'x' }, right: { a: 'y' }, same: false }])).status, 400);
    const good = await post('people', [{ left: { customer: 'Ann Lee', country: 'FR' }, right: { customer: 'Ann Lea', country: null }, same: true }]);
    assert.equal(good.status, 200);
    assert.equal(good.body.file, 'reviews/orders/people.yaml');
    assert.match(readFileSync(path.join(s.dir, 'reviews/orders/people.yaml'), 'utf8'), /\nsame:\n {2}- \[ \{ customer: Ann Lee, country: FR \}, \{ customer: Ann Lea, country: null \} \]\n$/);
  });

  it('shows the parameters a prepare block fitted with its run', async () => {
    const { body } = await s.json<{ run_id: string }>('/api/pipelines/orders/runs', { method: 'POST', body: '{}' });
    assert.equal((await s.waitForRun(body.run_id)).status, 'succeeded');
    const run = await s.json<{ blocks: { block: string; rowsOut: number; files: Record<string, unknown> }[] }>(`/api/runs/${body.run_id}`);
    const features = run.body.blocks.find((b) => b.block === 'features')!;
    const fitted = features.files['fitted-transforms.json'] as { fittedOnRows: number; columns: Record<string, unknown> };
    const train = run.body.blocks.find((b) => b.block === 'features__train')!;
    const test = run.body.blocks.find((b) => b.block === 'features__test')!;
    assert.equal(train.rowsOut + test.rowsOut, 4);
    assert.equal(fitted.fittedOnRows, train.rowsOut);
    assert.deepEqual(Object.keys(fitted.columns), ['amount', 'country']);
    assert.deepEqual(train.files, {});
  });
});
