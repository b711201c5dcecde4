import type { DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import type { OutputStore } from '../../core/output-store/output-store.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import type { Project } from '../../core/project/load-project.ts';
import type { CheckResult } from '../../core/quality/check-result.ts';
import { runChecksOn } from '../../core/quality/check-block-output.ts';
import type { BlockRunStore } from '../../core/run/block-runner.ts';
import { dim, green, red, yellow, type Output } from '../output.ts';

/**
 * Runs every block's checks on its latest stored output, as `sluice test`
 * does: nothing is re-run, nothing moved to quarantine, nothing recorded.
 * A failed `error` or `quarantine` check counts as a failure, a failed
 * `warn` check is shown and passes.
 */
export async function checkStoredOutputs(
  { project, pipeline, store, outputs, session }: { project: Project; pipeline: Pipeline; store: BlockRunStore; outputs: OutputStore; session: DataPlaneSession },
  out: Output,
): Promise<{ passed: number; warned: number; failed: number }> {
  let passed = 0;
  let warned = 0;
  let failed = 0;
  for (const block of pipeline.blocks.filter((b) => b.checks?.length)) {
    const latest = await store.latestOutput(pipeline.name, block.name);
    if (!latest?.output || !(await outputs.exists(latest.output))) {
      failed++;
      out.line(`${red('✗')} ${pipeline.name}.${block.name}: no stored output to check; run 'sluice run ${pipeline.name}' first`);
      continue;
    }
    const run = await store.getRun(latest.runId);
    const output = { location: await outputs.read(latest.output), rows: latest.rowsOut ?? 0, columns: latest.columns ?? [] };
    const evaluation = await runChecksOn(block, output, { session, project, pipeline, store, outputs, logicalDate: run?.logicalDate, dataInterval: undefined, signal: new AbortController().signal }, new Map(), false);
    for (const result of evaluation.results) {
      if (result.status === 'passed') passed++;
      else if (result.severity === 'warn') warned++;
      else failed++;
      out.line(`${mark(result)} ${pipeline.name}.${block.name} ${result.name} ${dim(`(${result.severity})`)}: ${result.message}`);
    }
  }
  return { passed, warned, failed };
}

function mark(result: CheckResult): string {
  if (result.status === 'passed') return green('✓');
  return result.severity === 'warn' ? yellow('!') : red('✗');
}
