import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Project } from '../core/project/load-project.ts';
import type { RunStore } from '../core/run-store/run-store.ts';
import type { RunResult } from '../core/run/run-pipeline.ts';
import { alertKindForStatus, createAlertEvent } from './alert-event.ts';
import { alertEnv, alertsOf } from './project-alerts.ts';
import { sendAlerts, type AlertResult } from './send-alerts.ts';

/**
 * Sends a finished run's alerts (failure, or success where asked for) to the
 * project's channels and the pipeline's own. Never throws: an alert that
 * cannot be sent is reported in the results, and the run's outcome stands.
 */
export async function alertRun(
  store: RunStore,
  pipeline: Pipeline,
  result: Pick<RunResult, 'id' | 'status' | 'blocks'>,
  options: { project?: Pick<Project, 'settings' | 'stateDir'>; signal?: AbortSignal } = {},
): Promise<AlertResult[]> {
  const kind = alertKindForStatus(result.status);
  const alerts = alertsOf(options.project, pipeline);
  if (!kind || !alerts.some((a) => a.on.includes(kind))) return [];
  const run = await store.getRun(result.id);
  if (!run) return [];
  const event = createAlertEvent({ kind, run, blocks: result.blocks, baseUrl: options.project?.settings.base_url });
  return sendAlerts(alerts, event, { signal: options.signal, env: alertEnv(options.project) });
}
