import { listPipelines, loadPipeline } from '../../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../../core/pipeline/pipeline.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { runPipeline, type RunResult } from '../../core/run/run-pipeline.ts';
import type { DataInterval } from '../../core/pipeline/schedule.ts';
import type { RunRecord } from '../../core/run-store/run-store.ts';
import { toSluiceError } from '../../core/errors.ts';
import { createScheduler, type Scheduler } from '../../scheduler/scheduler.ts';
import { alertRun } from '../../alerts/alert-run.ts';
import { createAlertEvent } from '../../alerts/alert-event.ts';
import { sendAlerts } from '../../alerts/send-alerts.ts';
import { alertEnv, alertsOf } from '../../alerts/project-alerts.ts';
import { createEngine, runDependencies, type Engine } from '../../engine/create-engine.ts';
import { UsageError } from '../usage-error.ts';
import { describeError, dim, green, red, yellow, type Output } from '../output.ts';
import { RunMetrics } from '../../server/metrics/run-metrics.ts';
import { serveMetrics } from './metrics-server.ts';
import { superviseStreams } from './supervise-streams.ts';
import { readHeartbeat } from '../../streaming/index.ts';

/** Runs a run that already has its record (made by a scheduler or a trigger), then alerts and reports it. */
export async function executeCreatedRun(
  engine: Engine,
  pipeline: Pipeline,
  run: {
    id: string;
    logicalDate?: string | undefined;
    interval?: DataInterval | undefined;
    variables?: Readonly<Record<string, string | number | boolean>> | undefined;
    /** Run only the blocks this run has not finished, on the outputs of those it has (a retried run). */
    resume?: boolean | undefined;
  },
  heartbeat: { owner: string; leaseMs: number },
  out: Output,
): Promise<RunResult> {
  const { project } = engine;
  const finished = run.resume ? new Set((await engine.store.listBlockRuns(run.id)).filter((b) => b.status === 'succeeded').map((b) => b.block)) : undefined;
  const result = await runPipeline(await runDependencies(engine), pipeline, {
    existingRunId: run.id,
    logicalDate: run.logicalDate,
    dataInterval: run.interval,
    variables: run.variables,
    heartbeat,
    ...(finished ? { only: pipeline.blocks.filter((b) => !finished.has(b.name)).map((b) => b.name), reuseOutputsOf: run.id } : {}),
  });
  for (const alert of await alertRun(engine.store, pipeline, result, { project: engine.project })) {
    if (!alert.ok) out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
  }
  const mark = result.status === 'succeeded' ? green('✓') : red('✗');
  out.line(`${mark} ${pipeline.name} ${run.logicalDate ?? ''} ${dim(result.id)} ${result.status}${result.error ? `: ${describeError(result.error, project.root)}` : ''}`, {
    run: result.id,
    level: result.status === 'failed' ? 'error' : 'info',
  });
  return result;
}

/** Starts a scheduler over the project's pipelines, reporting to `out`. */
export async function startScheduler(engine: Engine, out: Output, timing: { pollMs: number; leaseMs: number; concurrency?: number }, runMetrics?: RunMetrics): Promise<Scheduler> {
  const { project } = engine;
  const { pollMs, leaseMs } = timing;
  const problems = new Map<string, string>();
  const loadPipelines = (): Pipeline[] => {
    const pipelines: Pipeline[] = [];
    for (const name of listPipelines(project.root)) {
      try {
        pipelines.push(loadPipeline(project.root, name));
        problems.delete(name);
      } catch (error) {
        // Streaming pipelines are kept running by the stream supervisor, not fired by the scheduler.
        if (toSluiceError(error).code === 'pipeline.streaming') continue;
        // A broken file stops only its own pipeline, and is reported once per change.
        const message = describeError(toSluiceError(error), project.root);
        if (problems.get(name) !== message) out.error(`${red('✗')} ${name}: ${message}`);
        problems.set(name, message);
      }
    }
    return pipelines;
  };
  const reportLost = (run: RunRecord): void => out.line(`${yellow('!')} ${run.pipeline} run ${run.id} lost: ${run.error?.message ?? 'no heartbeat'}`);
  // Runs failed as lost when this process opened the run store: the scheduler retries them as it would its own finds.
  for (const run of engine.reaped) reportLost(run);
  const scheduler = createScheduler({
    store: engine.store,
    loadPipelines,
    pollMs,
    leaseMs,
    maxConcurrentRuns: timing.concurrency,
    root: project.root,
    streamTotals: (name) => readHeartbeat(project.stateDir, name)?.committed,
    onDeadlineMissed: async (pipeline, run, deadline) => {
      const event = createAlertEvent({ kind: 'deadline', run, deadline: deadline.toISOString(), baseUrl: project.settings.base_url });
      for (const alert of await sendAlerts(alertsOf(project, pipeline), event, { env: alertEnv(project) })) {
        if (!alert.ok) out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
      }
    },
    execute: async ({ pipeline, due, runId, heartbeat, variables, resume }) => {
      const result = await executeCreatedRun(engine, pipeline, { id: runId, logicalDate: due?.logicalDate, interval: due?.interval, variables, resume }, heartbeat, out);
      runMetrics?.observeRun(pipeline.name, result);
      return result;
    },
    onEvent: (event) => {
      switch (event.kind) {
        case 'leader':
          out.line(`scheduler ${dim(event.owner)} is firing schedules`);
          break;
        case 'standby':
          out.line(`scheduler ${dim(event.owner)} is standing by (another scheduler holds the lease; this one takes queued runs only)`);
          break;
        case 'fired':
          out.line(`→ ${event.pipeline} ${event.logicalDate} ${dim(event.runId)}${event.lateMs > 1000 ? dim(` (${Math.round(event.lateMs / 1000)}s after its interval ended)`) : ''}`, { run: event.runId });
          break;
        case 'skipped':
          out.line(`${yellow('-')} ${event.pipeline} ${event.logicalDate} skipped: ${event.reason}`);
          break;
        case 'reaped':
          reportLost(event.run);
          break;
        case 'not_retried':
          out.line(`${dim('-')} ${event.run.pipeline} run ${event.run.id} lost, not retried: ${event.reason}`);
          break;
        case 'error':
          out.error(`${red('error')} ${event.pipeline ?? ''}: ${event.message}`);
          break;
        case 'requeued':
          out.line(`${yellow('↻')} ${event.pipeline} run ${event.runId} queued again (attempt ${event.attempt})`);
          break;
        case 'deadline':
          out.line(`${yellow('!')} ${event.pipeline} run ${event.runId} missed its deadline (${event.deadline.toISOString()})`);
          break;
        case 'finished':
          break;
      }
    },
  });
  const scheduled = loadPipelines().filter((p) => p.schedule?.enabled || p.onFile || p.onStream);
  const when = (p: Pipeline): string =>
    [p.schedule?.enabled ? (p.schedule.cron ?? `every ${p.schedule.interval}ms`) : undefined, p.onFile ? `on files ${p.onFile.path}` : undefined, p.onStream ? `on stream ${p.onStream.pipeline}` : undefined].filter(Boolean).join(', ');
  out.line(`scheduling ${scheduled.length} pipeline(s): ${scheduled.map((p) => `${p.name} (${when(p)})`).join(', ') || 'none'}`);
  scheduler.start();
  return scheduler;
}

/** `sluice scheduler`: fires scheduled runs until stopped (Ctrl-C or SIGTERM finish the runs under way first). */
export async function schedulerCommand(options: { poll?: string; lease?: string; concurrency?: string; metricsHost?: string; metricsPort?: string }, out: Output): Promise<number> {
  const pollMs = Number(options.poll ?? 250);
  const concurrency = Number(options.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency takes a whole number from 1; got '${options.concurrency}'`);
  const leaseMs = Number(options.lease ?? 10_000);
  if (!Number.isInteger(pollMs) || pollMs < 10) throw new UsageError(`--poll takes milliseconds (10 or more); got '${options.poll}'`);
  if (!Number.isInteger(leaseMs) || leaseMs < 300) throw new UsageError(`--lease takes milliseconds (300 or more); got '${options.lease}'`);
  // Each run executed at once gets at least one block slot, whatever sluice.yaml's limit.
  const engine = await createEngine(loadProject(process.cwd()), { concurrency });
  const runMetrics = new RunMetrics(engine.store);
  const metrics = options.metricsPort === undefined ? undefined : await serveMetrics(engine, runMetrics, { host: options.metricsHost, port: options.metricsPort }, out);
  const scheduler = await startScheduler(engine, out, { pollMs, leaseMs, concurrency }, runMetrics);
  const streams = superviseStreams(engine, out, { leaseMs });
  await untilStopped();
  out.line('stopping: waiting for the runs under way');
  await metrics?.close();
  await streams.stop();
  await scheduler.stop();
  await engine.close();
  return 0;
}

/** Resolves on Ctrl-C or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
