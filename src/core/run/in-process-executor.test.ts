import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import type { BlockRunners } from './block-runner.ts';
import { runConnectorBlock } from './connector-block-runner.ts';
import type { Executor } from './executor.ts';
import { createInProcessExecutor } from './in-process-executor.ts';
import { runPipeline } from './run-pipeline.ts';
import { runSqlBlock } from './sql-block-runner.ts';
import { runTsBlock } from './ts-block-runner.ts';
import { mostAtOnce } from '../../testing/most-at-once.ts';

const runners: BlockRunners = {
  ts: runTsBlock,
  sql: runSqlBlock,
  connector: runConnectorBlock,
  sync: async (block) => {
    throw new ConfigError('test.no_sync', `this test runs no integration pipeline ('${block.name}')`);
  },
  clean: async (block) => {
    throw new ConfigError('test.no_clean', `this test runs no clean block ('${block.name}')`);
  },
  prepare: async (block) => {
    throw new ConfigError('test.no_prepare', `this test runs no prepare block ('${block.name}')`);
  },
  dedupe: async (block) => {
    throw new ConfigError('test.no_dedupe', `this test runs no dedupe block ('${block.name}')`);
  },
  stream_lag: async (block) => {
    throw new ConfigError('test.no_stream_lag', `this test runs no stream_lag block ('${block.name}')`);
  },
  examples: async (block) => {
    throw new ConfigError('test.no_examples', `this test runs no examples block ('${block.name}')`);
  },
};

describe('the in-process executor', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sluice-executor-'));
  let store: SqliteRunStore;
  let dataPlane: DataPlane;
  before(async () => {
    const files = {
      'sluice.yaml': 'name: executor\n',
      'pipelines/pair.yaml': 'blocks:\n  - { name: left, file: blocks/wait.ts }\n  - { name: right, file: blocks/wait.ts }\n',
      'blocks/wait.ts': 'export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, 300));\n  return [{ done: 1 }];\n};\n',
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

  const twoRunsAtOnce = async (processLimit: number): Promise<number> => {
    const project = loadProject(root);
    const pipeline = loadPipeline(root, 'pair');
    const executor = createInProcessExecutor({ concurrency: processLimit });
    const deps = { project, store, dataPlane, connectors, runners, executor };
    const results = await Promise.all([runPipeline(deps, pipeline, { concurrency: 2 }), runPipeline(deps, pipeline, { concurrency: 2 })]);
    for (const result of results) assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    return mostAtOnce(results.flatMap((r) => r.blocks));
  };

  it('runs no more block runs at once than its limit, across every run of the process', async () => {
    assert.equal(await twoRunsAtOnce(1), 1);
  });

  it('runs the block runs of several runs side by side when its limit allows', async () => {
    assert.ok((await twoRunsAtOnce(4)) >= 2);
  });

  it('leaves no scratch folder of the run behind its block runs, as a worker on another machine must not', async () => {
    const inner = createInProcessExecutor({ concurrency: 1 });
    const leftBehind: boolean[] = [];
    const executor: Executor = {
      async execute(request) {
        const outcome = await inner.execute(request);
        // Looked at before the run's own process cleans up, as on a machine of its own.
        leftBehind.push(existsSync(path.join(root, '.sluice', 'tmp', request.job.runId)));
        return outcome;
      },
    };
    const deps = { project: loadProject(root), store, dataPlane, connectors, runners, executor };
    const result = await runPipeline(deps, loadPipeline(root, 'pair'), { concurrency: 1 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(leftBehind, [false, false]);
  });
});
