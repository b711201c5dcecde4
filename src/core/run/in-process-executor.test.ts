import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connectors } from '../../connectors/registry.ts';
import { loadPipeline } from '../pipeline/load-pipeline.ts';
import { loadProject } from '../project/load-project.ts';
import { runConnectorBlock } from './connector-block-runner.ts';
import type { Executor } from './executor.ts';
import { createInProcessExecutor } from './in-process-executor.ts';
import { runPipeline } from './run-pipeline.ts';
import { runSqlBlock } from './sql-block-runner.ts';
import { runTsBlock } from './ts-block-runner.ts';
import { mostAtOnce } from '../../testing/most-at-once.ts';
import { onlyRunners, useProjectRun } from '../../testing/project-run.ts';

const runners = onlyRunners({ ts: runTsBlock, sql: runSqlBlock, connector: runConnectorBlock });

describe('the in-process executor', () => {
  const fixture = useProjectRun('sluice-executor-', {
    'sluice.yaml': 'name: executor\n',
    'pipelines/pair.yaml': 'blocks:\n  - { name: left, file: blocks/wait.ts }\n  - { name: right, file: blocks/wait.ts }\n',
    'blocks/wait.ts': 'export default async () => {\n  await new Promise((resolve) => setTimeout(resolve, 300));\n  return [{ done: 1 }];\n};\n',
  });
  const { root } = fixture;

  const twoRunsAtOnce = async (processLimit: number): Promise<number> => {
    const project = loadProject(root);
    const pipeline = loadPipeline(root, 'pair');
    const executor = createInProcessExecutor({ concurrency: processLimit });
    const deps = { project, store: fixture.store, dataPlane: fixture.dataPlane, connectors, runners, executor };
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
    const deps = { project: loadProject(root), store: fixture.store, dataPlane: fixture.dataPlane, connectors, runners, executor };
    const result = await runPipeline(deps, loadPipeline(root, 'pair'), { concurrency: 1 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.deepEqual(leftBehind, [false, false]);
  });
});
