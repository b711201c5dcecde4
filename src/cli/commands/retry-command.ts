import { ConfigError } from '../../core/errors.ts';
import { loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { intervalForDate } from '../../core/run/logical-date.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { createEngine, runDependencies } from '../../engine/create-engine.ts';
import { runHeartbeat } from '../../engine/run-heartbeat.ts';
import { describeError, dim, green, red, yellow, type Output } from '../output.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { retryTrigger } from '../../core/run/run-triggers.ts';

/**
 * `sluice retry RUN`: runs again the blocks a failed run (or one lost with its
 * process, e.g. killed) did not finish, on the stored outputs of the blocks it
 * did, with the same variables and logical date. The pipeline's current files are used; the note says whether
 * they changed since the failed run.
 */
export async function retryCommand(runId: string, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  try {
    const failed = await engine.store.getRun(runId);
    if (!failed) throw new ConfigError('retry.unknown_run', `no run '${runId}'; 'sluice runs --status failed' lists the failed ones`);
    if (failed.status === 'succeeded' || failed.status === 'running' || failed.status === 'queued') {
      // Opening the run store has already failed the run as lost if its process died and its lease lapsed.
      const lease = failed.status === 'running' ? ` (if its process died, it is failed as lost once its lease lapses: ${runHeartbeat('cli').leaseMs / 1000}s for a run started by hand)` : '';
      throw new ConfigError('retry.not_failed', `run ${runId} is ${failed.status}${lease}; only a failed or cancelled run can be retried`);
    }
    const pipeline = loadPipeline(project.root, failed.pipeline);
    out.line(
      failed.pipelineVersion === pipeline.version
        ? dim(`pipeline ${pipeline.name} is unchanged since run ${runId} (version ${pipeline.version})`)
        : yellow(`pipeline ${pipeline.name} changed since run ${runId}: it ran version ${failed.pipelineVersion}, the retry uses the current version ${pipeline.version}`),
    );
    const finished = new Set((await engine.store.listBlockRuns(runId)).filter((b) => b.status === 'succeeded').map((b) => b.block));
    const only = pipeline.blocks.filter((b) => !finished.has(b.name)).map((b) => b.name);
    if (!only.length) {
      out.line(`every block of run ${runId} succeeded; nothing to retry`);
      return 0;
    }
    out.line(`retrying ${only.join(', ')}; reusing the outputs of ${[...finished].join(', ') || 'no block'}`);
    const dated = failed.logicalDate ? intervalForDate(pipeline, failed.logicalDate) : undefined;
    const result = await runPipeline(
      await runDependencies(engine),
      pipeline,
      {
        only,
        reuseOutputsOf: runId,
        variables: failed.variables as Record<string, string | number | boolean>,
        logicalDate: failed.logicalDate,
        dataInterval: dated?.interval,
        trigger: retryTrigger(runId),
        heartbeat: runHeartbeat('cli'),
      },
    );
    for (const alert of await alertRun(engine.store, pipeline, result, { project: engine.project })) {
      if (!alert.ok) out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
    }
    if (result.status === 'succeeded') {
      out.line(`${green('Retry succeeded')} ${dim(result.id)}: ${only.length} block(s)`);
      return 0;
    }
    out.error(`${red('Retry failed')} ${dim(result.id)}${result.error ? `: ${describeError(result.error, project.root)}` : ''}`);
    return 1;
  } finally {
    await engine.close();
  }
}
