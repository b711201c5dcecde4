import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectors } from '../../connectors/registry.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import type { DataPlane } from '../data-plane/data-plane.ts';
import { ConfigError } from '../errors.ts';
import { loadPipeline } from '../pipeline/load-pipeline.ts';
import { loadProject } from '../project/load-project.ts';
import { SqliteRunStore } from '../run-store/sqlite-run-store.ts';
import type { BlockRunners } from '../run/block-runner.ts';
import { runConnectorBlock } from '../run/connector-block-runner.ts';
import { createInProcessExecutor } from '../run/in-process-executor.ts';
import { runPipeline } from '../run/run-pipeline.ts';
import { runSqlBlock } from '../run/sql-block-runner.ts';
import { findKeptProfile } from './find-kept-profile.ts';

const refuse = (language: string) => async (block: { name: string }) => {
  throw new ConfigError('test.no_block', `this test runs no ${language} block ('${block.name}')`);
};
const runners: BlockRunners = {
  sql: runSqlBlock,
  connector: runConnectorBlock,
  ts: refuse('ts'),
  sync: refuse('sync'),
  clean: refuse('clean'),
  prepare: refuse('prepare'),
  dedupe: refuse('dedupe'),
  stream_lag: refuse('stream_lag'),
  examples: refuse('examples'),
};

describe('the profile of an output an exporter hands on', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-kept-profile-'));
  let store: SqliteRunStore;
  let dataPlane: DataPlane;
  before(async () => {
    const files = {
      'sluice.yaml': 'name: kept_profile\n',
      // Above the eager profile's size, so the profile is sampled and takes measurable time.
      'blocks/numbers.sql': 'SELECT range AS id, range % 7 AS bucket, range::VARCHAR AS label FROM range(300000)',
      'pipelines/ship.yaml': [
        'blocks:',
        '  - { name: numbers, role: transformer, file: blocks/numbers.sql }',
        '  - { name: ship, role: exporter, connector: file, upstream: [numbers], settings: { path: out/numbers.csv } }',
        '',
      ].join('\n'),
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    }
    store = new SqliteRunStore(path.join(root, '.sluice', 'sluice.db'));
    dataPlane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  });
  after(async () => {
    await dataPlane.close();
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  const run = async (options: { block?: string } = {}) => {
    const deps = { project: loadProject(root), store, dataPlane, connectors, runners, executor: createInProcessExecutor({ concurrency: 1 }) };
    const result = await runPipeline(deps, loadPipeline(root, 'ship'), { concurrency: 1, ...options });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    return result;
  };

  it('is the profile its writer kept, taken over rather than made again', async () => {
    const result = await run();
    const written = await store.getProfile(result.id, 'numbers');
    const shipped = await store.getProfile(result.id, 'ship');
    assert.ok(written?.profile.sample, 'the writer kept a sampled profile');
    // The same object to the millisecond it took: a second profile of the file would have timed itself.
    assert.deepEqual(shipped?.profile, written.profile);
  });

  it('is found only for an output a block of the same run wrote', async () => {
    const first = await run();
    const kept = first.blocks.find((b) => b.block === 'numbers')!.output!;
    assert.deepEqual(await findKeptProfile(store, first.id, kept), (await store.getProfile(first.id, 'numbers'))?.profile);
    assert.equal(await findKeptProfile(store, first.id, `${kept}.elsewhere`), undefined);
    const second = await run();
    assert.equal(await findKeptProfile(store, second.id, kept), undefined, "another run's output");
  });
});
