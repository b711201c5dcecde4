import { createStreamFailureEvent, sendAlerts } from '../../alerts/index.ts';
import { personalDataText } from '../../core/lineage/blocks-handling-pii.ts';
import { alertEnv, alertsOf } from '../../alerts/project-alerts.ts';
import { toSluiceError } from '../../core/errors.ts';
import { listPipelines, pipelinePath } from '../../core/pipeline/load-pipeline.ts';
import { createLogger } from '../../core/run/logger.ts';
import { createStreamSupervisor, type StreamSupervisor } from '../../scheduler/stream-supervisor.ts';
import { isServedOverHttp, isStreamingFile, loadStreamingPipeline, type IngestEndpoints } from '../../streaming/index.ts';
import type { Engine } from '../../engine/create-engine.ts';
import { describeError, dim, green, red, yellow, type Output } from '../output.ts';
import { runStreamingPipeline } from './stream-command.ts';

/**
 * Keeps the project's streaming pipelines running in this process (inside
 * `sluice serve` or `sluice scheduler`): every `kind: streaming` pipeline
 * whose file does not say `supervise: false`, one process per stream across
 * all that share the run store, restarted with backoff, alerting after
 * repeated failures.
 */
export function superviseStreams(engine: Engine, out: Output, timing: { leaseMs: number; pollMs?: number }, ingest?: IngestEndpoints): StreamSupervisor {
  const { project } = engine;
  const problems = new Map<string, string>();
  const listStreams = (): string[] =>
    listPipelines(project.root).filter((name) => {
      try {
        if (!isStreamingFile(pipelinePath(project.root, name))) return false;
        const { settings } = loadStreamingPipeline(project.root, name);
        problems.delete(name);
        // A stream fed by HTTP requests runs only where they arrive: in sluice serve, not sluice scheduler.
        return settings.supervise && (ingest !== undefined || !isServedOverHttp(settings.source));
      } catch (error) {
        // A broken file stops only its own stream, and is reported once per change.
        const message = describeError(toSluiceError(error), project.root);
        if (problems.get(name) !== message) out.error(`${red('✗')} ${name}: ${message}`);
        problems.set(name, message);
        return false;
      }
    });
  const supervisor = createStreamSupervisor({
    listStreams,
    acquireLease: (name, owner, ttl) => engine.store.acquireLease(name, owner, ttl),
    releaseLease: (name, owner) => engine.store.releaseLease(name, owner),
    leaseMs: Math.max(timing.leaseMs, 5000),
    pollMs: timing.pollMs ?? 2000,
    runStream: async ({ pipeline: name, stop, restarts }) => {
      // Read afresh on each start: an edited file takes effect on the next restart.
      const pipeline = loadStreamingPipeline(project.root, name);
      const logger = createLogger((level, message) => {
        if (level === 'warn' || level === 'error') out.error(`${yellow(level)} ${name}: ${message}`);
      });
      await runStreamingPipeline(engine, pipeline, { stop, logger, supervision: { restarts, supervisedBy: supervisor.owner }, ingest });
    },
    onRepeatedFailure: async (name, error, failuresInARow, restartInMs) => {
      const pipeline = loadStreamingPipeline(project.root, name);
      const failure = createStreamFailureEvent({ pipeline: name, error, failuresInARow, restartInMs });
      // A stream's error may quote a record's value, and a streaming pipeline marks no columns: where the project names personal data, the message stays here.
      const event = failure.error && project.settings.pii.columns.length ? { ...failure, error: { ...failure.error, message: personalDataText } } : failure;
      for (const alert of await sendAlerts(alertsOf(project, { alerts: pipeline.settings.alerts }), event, { env: alertEnv(project) })) {
        if (!alert.ok) out.error(`${yellow('alert not sent')} ${alert.channel}: ${alert.error?.message ?? 'unknown error'}`);
      }
    },
    onEvent: (event) => {
      switch (event.kind) {
        case 'started':
          out.line(`${green('▶')} stream ${event.pipeline} started${event.restarts ? dim(` (restart ${event.restarts})`) : ''}`);
          break;
        case 'failed':
          out.error(`${red('✗')} stream ${event.pipeline} failed (${event.failuresInARow} in a row), restarting in ${Math.round(event.restartInMs / 1000)} s: ${describeError(toSluiceError(event.error), project.root)}`);
          break;
        case 'standby':
          out.line(`stream ${event.pipeline} ${dim('runs in another process (it holds the lease); standing by')}`);
          break;
        case 'lease_lost':
          out.error(`${yellow('!')} stream ${event.pipeline}: another process took its lease; stopping it here`);
          break;
        case 'stopped':
          out.line(`stream ${event.pipeline} stopped`);
          break;
      }
    },
  });
  supervisor.start();
  return supervisor;
}
