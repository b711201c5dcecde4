import { ConfigError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { runHeartbeat } from '../../engine/run-heartbeat.ts';
import { createEngine, runDependencies } from '../../engine/create-engine.ts';
import { describeError, dim, green, red, type Output } from '../output.ts';
import { checkStoredOutputs } from './check-stored-outputs.ts';

/**
 * `sluice test [PIPELINE...]`: runs the test blocks of each pipeline on the
 * latest stored outputs of their upstreams, without re-running anything else,
 * then every block's checks on its latest stored output. A test fails when it
 * returns rows (in SQL or TypeScript) or throws; a check when it finds
 * failing rows (a `warn` check is shown and passes).
 */
export async function testCommand(names: readonly string[], out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipelines = (names.length ? names : listPipelines(project.root)).map((name) => loadPipeline(project.root, name));
  const withTests = pipelines.filter((p) => p.blocks.some((b) => b.role === 'test'));
  const withChecks = pipelines.filter((p) => p.blocks.some((b) => b.checks?.length));
  if (!withTests.length && !withChecks.length) {
    if (names.length) throw new ConfigError('test.none', `no test blocks or checks in ${names.join(', ')} (a test block has role: test; a block's checks are under checks:)`);
    out.line('no test blocks or checks in this project (a test block has role: test; a block\'s checks are under checks:)');
    return 0;
  }
  const engine = await createEngine(project);
  let failed = 0;
  let passed = 0;
  const checks = { passed: 0, warned: 0, failed: 0 };
  try {
    for (const pipeline of withTests) {
      const tests = pipeline.blocks.filter((b) => b.role === 'test').map((b) => b.name);
      const result = await runPipeline(
        await runDependencies(engine),
        pipeline,
        { only: tests, trigger: 'test', heartbeat: runHeartbeat('cli') },
      );
      for (const block of result.blocks) {
        if (block.status === 'succeeded') {
          passed++;
          out.line(`${green('✓')} ${pipeline.name}.${block.block}`);
        } else {
          failed++;
          out.line(`${red('✗')} ${pipeline.name}.${block.block}${block.error ? `: ${describeError(block.error, project.root)}` : ` ${block.status}`}`);
        }
      }
      if (result.error && !result.blocks.some((b) => b.error)) {
        failed++;
        out.line(`${red('✗')} ${pipeline.name}: ${describeError(result.error, project.root)}`);
      }
    }
    if (withChecks.length) {
      const session = await (await engine.dataPlane()).openSession();
      try {
        for (const pipeline of withChecks) {
          const counts = await checkStoredOutputs({ project, pipeline, store: engine.store, outputs: engine.outputs, session }, out);
          checks.passed += counts.passed;
          checks.warned += counts.warned;
          checks.failed += counts.failed;
        }
      } finally {
        await session.close();
      }
    }
  } finally {
    await engine.close();
  }
  if (withTests.length) out.line(`${passed} passed, ${failed} failed ${dim('(test blocks)')}`);
  if (withChecks.length) out.line(`${checks.passed} passed, ${checks.warned} warned, ${checks.failed} failed ${dim('(checks on stored outputs)')}`);
  return failed || checks.failed ? 1 : 0;
}
