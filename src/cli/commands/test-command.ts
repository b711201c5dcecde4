import { ConfigError } from '../../core/errors.ts';
import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { cliHeartbeat } from '../cli-heartbeat.ts';
import { createEngine, runDependencies } from '../compose.ts';
import { describeError, dim, green, red, type Output } from '../output.ts';

/**
 * `sluice test [PIPELINE...]`: runs the test blocks of each pipeline on the
 * latest stored outputs of their upstreams, without re-running anything else.
 * A test fails when it returns rows (in SQL or TypeScript) or throws.
 */
export async function testCommand(names: readonly string[], out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const pipelines = (names.length ? names : listPipelines(project.root)).map((name) => loadPipeline(project.root, name));
  const withTests = pipelines.filter((p) => p.blocks.some((b) => b.role === 'test'));
  if (!withTests.length) {
    if (names.length) throw new ConfigError('test.none', `no test blocks in ${names.join(', ')} (a test block has role: test)`);
    out.line('no test blocks in this project (a test block has role: test)');
    return 0;
  }
  const engine = await createEngine(project);
  let failed = 0;
  let passed = 0;
  try {
    for (const pipeline of withTests) {
      const tests = pipeline.blocks.filter((b) => b.role === 'test').map((b) => b.name);
      const result = await runPipeline(
        await runDependencies(engine),
        pipeline,
        { only: tests, trigger: 'test', heartbeat: cliHeartbeat() },
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
  } finally {
    await engine.close();
  }
  out.line(`${passed} passed, ${failed} failed ${dim('(test blocks)')}`);
  return failed ? 1 : 0;
}
