import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteRunStore } from '../core/run-store/sqlite-run-store.ts';
import { waitFor } from '../testing/wait-for.ts';
import { listProjectFolder } from './project-folder.ts';
import { createProjectSearch } from './project-search.ts';

describe('searching the project for the command palette', () => {
  let root: string;
  let store: SqliteRunStore;
  const runs = 10_000;
  let search: (q: string, limit?: number) => ReturnType<ReturnType<typeof createProjectSearch>>;

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sluice-search-'));
    mkdirSync(path.join(root, 'pipelines'));
    mkdirSync(path.join(root, 'blocks'));
    writeFileSync(path.join(root, 'sluice.yaml'), 'name: search\n');
    writeFileSync(path.join(root, 'pipelines/daily_sales.yaml'), 'blocks:\n  - { name: raw_orders, role: loader, file: blocks/raw_orders.sql }\n');
    writeFileSync(path.join(root, 'pipelines/broken.yaml'), 'blocks: [not a block\n');
    writeFileSync(path.join(root, 'blocks/raw_orders.sql'), 'SELECT 1\n');
    writeFileSync(path.join(root, 'connections.yaml'), 'connections:\n  crm_db:\n    connector: postgres\n    host: 127.0.0.1\n');
    store = new SqliteRunStore(path.join(root, '.sluice/runs.db'));
    const searchFor = createProjectSearch({ root, stateDir: path.join(root, '.sluice'), store, runsScanned: 500, maxAgeMs: 60_000 });
    search = (q, limit = 20) => searchFor(q, limit);
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < runs; i++) {
      await store.createRun({ id: `run-${String(i).padStart(5, '0')}`, pipeline: i % 2 ? 'daily_sales' : 'broken', pipelineVersion: 'v1', variables: {}, trigger: 'schedule', startedAt: new Date(start + i * 60_000).toISOString(), status: i % 7 === 0 ? 'failed' : 'succeeded' });
    }
  });
  after(async () => {
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('finds pipelines, blocks as pipeline › block, runs and connections', async () => {
    assert.deepEqual((await search('dly sls')).map((h) => [h.kind, h.label]).slice(0, 2), [['pipeline', 'daily_sales'], ['block', 'daily_sales › raw_orders']]);
    assert.deepEqual((await search('raw')).find((h) => h.kind === 'block')?.route, '/pipelines/daily_sales?block=raw_orders');
    assert.deepEqual((await search('crm')).map((h) => [h.kind, h.label, h.detail, h.route]), [['connection', 'crm_db', 'postgres', '/connections']]);
    assert.ok((await search('broken')).some((h) => h.kind === 'pipeline' && h.label === 'broken'), 'a pipeline that does not load is still found');
  });

  it('reads the project again once its reading is older than the age allowed', async () => {
    const fresh = createProjectSearch({ root, stateDir: path.join(root, '.sluice'), store, runsScanned: 500, maxAgeMs: 0 });
    const stale = createProjectSearch({ root, stateDir: path.join(root, '.sluice'), store, runsScanned: 500, maxAgeMs: 60_000 });
    await fresh('x', 5);
    await stale('x', 5);
    writeFileSync(path.join(root, 'pipelines/weekly_stock.yaml'), 'blocks: []\n');
    try {
      await waitFor(async () => (await fresh('weekly', 5)).length === 1, { what: 'a new pipeline to be found' });
      assert.deepEqual(await stale('weekly', 5), [], 'within its age the reading is reused');
    } finally {
      rmSync(path.join(root, 'pipelines/weekly_stock.yaml'));
    }
  });

  it('finds recent runs by status and pipeline, and an old run by its whole id, with bounded work', async () => {
    const failed = await search('failed broken');
    assert.ok(failed.length > 0 && failed.every((h) => h.kind === 'run' && /broken · failed/.test(h.detail)), JSON.stringify(failed.slice(0, 3)));
    assert.equal(failed[0]!.label, 'run-09996', 'the newest first among equals');
    const old = await search('run-00003');
    assert.deepEqual(old.map((h) => h.label), ['run-00003'], 'a run beyond the newest 500 is found by its id');
    const started = performance.now();
    for (const q of ['d', 'da', 'dai', 'run', 'run-0', 'failed', 'zz']) await search(q);
    const each = (performance.now() - started) / 7;
    console.log(`search over ${runs} stored runs, as the user types: ${each.toFixed(1)} ms per keystroke`);
    assert.ok((await search('run', 5)).length === 5, 'at most the limit');
  });

  it('shows a few of each kind for an empty query', async () => {
    const kinds = new Set((await search('')).map((h) => h.kind));
    assert.deepEqual([...kinds].sort(), ['block', 'connection', 'pipeline', 'run']);
  });
});

describe('listing a project folder for the file picker', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sluice-folder-'));
    for (const dir of ['.git', '.sluice', 'data/in', 'b_folder']) mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 'a_file.csv'), 'x\n1\n');
    writeFileSync(path.join(root, 'data/in/orders.csv'), 'id\n');
    symlinkSync(os.tmpdir(), path.join(root, 'data/escape'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists folders first, then files, without git\'s and Sluice\'s folders', () => {
    const listing = listProjectFolder(root, '');
    assert.deepEqual(listing.entries.map((e) => `${e.kind}:${e.path}`), ['folder:b_folder', 'folder:data', 'file:a_file.csv']);
    assert.equal(listing.entries.find((e) => e.kind === 'file')?.bytes, 4);
  });

  it('refuses what leaves the project, also through a symlink', () => {
    for (const outside of ['..', '../..', '.git', '.sluice/x', 'data/escape', '/etc']) {
      assert.throws(() => listProjectFolder(root, outside), (e: Error & { code?: string }) => e.code === 'files.outside_project', outside);
    }
    assert.throws(() => listProjectFolder(root, 'a_file.csv'), (e: Error & { code?: string }) => e.code === 'files.not_a_folder');
    assert.throws(() => listProjectFolder(root, 'nope'), (e: Error & { code?: string }) => e.code === 'files.not_found');
  });

  it('says when it left entries out', () => {
    const listing = listProjectFolder(root, '', 2);
    assert.equal(listing.entries.length, 2);
    assert.equal(listing.truncated, true);
  });
});
