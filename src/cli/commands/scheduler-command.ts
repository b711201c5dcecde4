import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline } from '../../core/run/run-pipeline.ts';
import { toSluiceError } from '../../core/errors.ts';
import { createScheduler } from '../../scheduler/scheduler.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { createEngine } from '../compose.ts';
import { UsageError } from '../usage-error.ts';
import { describeError, dim, green, red, yellow, type Output } from '../output.ts';

/** `sluice scheduler`: fires scheduled runs until stopped (Ctrl-C or SIGTERM finish the runs under way first). */
export async function schedulerCommand(options: { poll?: string; lease?: string }, out: Output): Promise<number> {
  const pollMs = Number(options.poll ?? 250);
  const leaseMs = Number(options.lease ?? 10_000);
  if (!Number.isInteger(pollMs) || pollMs < 10) throw new UsageError(`--poll takes milliseconds (10 or more); got '${options.poll}'`);
  if (!Number.isInteger(leaseMs) || leaseMs < 300) throw new UsageError(`--lease takes milliseconds (300 or more); got '${options.lease}'`);
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  const dataPlane = await engine.dataPlane();
  const problems = new Map<string, string>();
  const loadPipelines = (): Pipeline[] => {
    const pipelines: Pipeline[] = [];
    for (const name of listPipelines(project.root)) {
      try {
        pipelines.push(loadPipeline(project.root, name));
        problems.delete(name);
      } catch (error) {
        // A broken file stops only its own pipeline, and is reported once per change.
        const message = describeError(toSluiceError(error), project.root);
        if (problems.get(name) !== message) out.error(`${red('✗')} ${name}: ${message}`);
        problems.set(name, message);
      }
    }
    return pipelines;
  };
  const scheduler = createScheduler({
    store: engine.store,
    loadPipelines,
    pollMs,
    leaseMs,
    execute: (pipeline, due, runId, heartbeat) =>
      runPipeline({ project, store: engine.store, dataPlane, connectors: engine.connectors, runners: engine.runners }, pipeline, {
        existingRunId: runId,
        logicalDate: due?.logicalDate,
        dataInterval: due?.interval,
        trigger: 'schedule',
        heartbeat,
      }).then(async (result) => {
        for (const alert of await alertRun(engine.store, pipeline, result)) {
          if (!alert.ok) out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
        }
        const mark = result.status === 'succeeded' ? green('✓') : red('✗');
        out.line(`${mark} ${pipeline.name} ${due?.logicalDate ?? ''} ${dim(result.id)} ${result.status}${result.error ? `: ${describeError(result.error, project.root)}` : ''}`);
        return result;
      }),
    onEvent: (event) => {
      switch (event.kind) {
        case 'leader':
          out.line(`scheduler ${dim(event.owner)} is firing schedules`);
          break;
        case 'standby':
          out.line(`scheduler ${dim(event.owner)} is standing by (another scheduler holds the lease)`);
          break;
        case 'fired':
          out.line(`→ ${event.pipeline} ${event.logicalDate} ${dim(event.runId)}${event.lateMs > 1000 ? dim(` (${Math.round(event.lateMs / 1000)}s after its interval ended)`) : ''}`);
          break;
        case 'skipped':
          out.line(`${yellow('-')} ${event.pipeline} ${event.logicalDate} skipped: ${event.reason}`);
          break;
        case 'reaped':
          out.line(`${yellow('!')} ${event.run.pipeline} run ${event.run.id} lost: ${event.run.error?.message ?? 'no heartbeat'}`);
          break;
        case 'error':
          out.error(`${red('error')} ${event.pipeline ?? ''}: ${event.message}`);
          break;
        case 'finished':
          break;
      }
    },
  });
  const scheduled = loadPipelines().filter((p) => p.schedule?.enabled);
  out.line(`scheduling ${scheduled.length} pipeline(s): ${scheduled.map((p) => `${p.name} (${p.schedule!.cron ?? `every ${p.schedule!.interval}ms`})`).join(', ') || 'none'}`);
  scheduler.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out.line('stopping: waiting for the runs under way');
  await scheduler.stop();
  await engine.close();
  return 0;
}
