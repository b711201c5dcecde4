import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectors } from '../../connectors/registry.ts';
import { loadPipeline } from '../pipeline/load-pipeline.ts';
import { loadProject } from '../project/load-project.ts';
import { runConnectorBlock } from '../run/connector-block-runner.ts';
import { createInProcessExecutor } from '../run/in-process-executor.ts';
import { runPipeline } from '../run/run-pipeline.ts';
import { runSqlBlock } from '../run/sql-block-runner.ts';
import { onlyRunners, useProjectRun } from '../../testing/project-run.ts';
import { findKeptProfile } from './find-kept-profile.ts';

const runners = onlyRunners({ sql: runSqlBlock, connector: runConnectorBlock });

describe('the profile of an output an exporter hands on', () => {
  const fixture = useProjectRun('sluice-kept-profile-', {
    'sluice.yaml': 'name: kept_profile\n',
    // Above the eager profile's size, so the profile is sampled and takes measurable time.
    'blocks/numbers.sql': 'SELECT range AS id, range % 7 AS bucket, range::VARCHAR AS label FROM range(300000)',
    'pipelines/ship.yaml': [
      'blocks:',
      '  - { name: numbers, role: transformer, file: blocks/numbers.sql }',
      '  - { name: ship, role: exporter, connector: file, upstream: [numbers], settings: { path: out/numbers.csv } }',
      '',
    ].join('\n'),
  });
  const run = async () => {
    const { root, store, dataPlane } = fixture;
    const deps = { project: loadProject(root), store, dataPlane, connectors, runners, executor: createInProcessExecutor({ concurrency: 1 }) };
    const result = await runPipeline(deps, loadPipeline(root, 'ship'), { concurrency: 1 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    return result;
  };

  it('is the profile its writer kept, taken over rather than made again', async () => {
    const result = await run();
    const { store } = fixture;
    const written = await store.getProfile(result.id, 'numbers');
    const shipped = await store.getProfile(result.id, 'ship');
    assert.ok(written?.profile.sample, 'the writer kept a sampled profile');
    // The same object to the millisecond it took: a second profile of the file would have timed itself.
    assert.deepEqual(shipped?.profile, written.profile);
  });

  it('is found only for an output a block of the same run wrote', async () => {
    const first = await run();
    const { store } = fixture;
    const kept = first.blocks.find((b) => b.block === 'numbers')!.output!;
    assert.deepEqual(await findKeptProfile(store, first.id, kept), (await store.getProfile(first.id, 'numbers'))?.profile);
    assert.equal(await findKeptProfile(store, first.id, `${kept}.elsewhere`), undefined);
    const second = await run();
    assert.equal(await findKeptProfile(store, second.id, kept), undefined, "another run's output");
  });
});
