import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Project } from '../core/project/load-project.ts';
import type { RunHistory } from '../core/run-store/run-history.ts';
import type { DriftStore, MetricStore } from '../core/run-store/quality-store.ts';
import type { RunResult } from '../core/run/run-pipeline.ts';
import { alertKindForStatus, createAlertEvent, type AlertEvent } from './alert-event.ts';
import type { AlertEventKind } from '../core/pipeline/alert-schema.ts';
import { alertEnv, alertsOf } from './project-alerts.ts';
import { sendAlerts, type AlertResult } from './send-alerts.ts';
import { blocksHandlingPii, personalDataText } from '../core/lineage/blocks-handling-pii.ts';

/**
 * Sends a finished run's alerts (failure, or success where asked for, and its
 * anomalies to the alerts that listen for them) to the
 * project's channels and the pipeline's own. Never throws: an alert that
 * cannot be sent is reported in the results, and the run's outcome stands.
 */
export async function alertRun(
  store: Pick<RunHistory, 'getRun'> & Pick<MetricStore, 'listRunMetricPoints'> & Pick<DriftStore, 'listDriftEvents'>,
  pipeline: Pipeline,
  result: Pick<RunResult, 'id' | 'status' | 'blocks'>,
  options: { project?: Pick<Project, 'settings' | 'stateDir'>; signal?: AbortSignal } = {},
): Promise<AlertResult[]> {
  const kind = alertKindForStatus(result.status);
  const alerts = alertsOf(options.project, pipeline);
  const sent: AlertResult[] = [];
  const wanted = (k: AlertEventKind): boolean => alerts.some((a) => a.on.includes(k));
  if (!(kind && wanted(kind)) && !wanted('anomaly') && !wanted('drift')) return sent;
  const run = await store.getRun(result.id);
  if (!run) return sent;
  const baseUrl = options.project?.settings.base_url;
  // A channel's readers are not known: an error a block handling personal data wrote may quote a value, so its message stays in Sluice.
  const handling = blocksHandlingPii(pipeline, options.project?.settings.pii?.columns ?? [], result.blocks);
  const withoutPersonalData = (event: AlertEvent): AlertEvent => {
    const block = event.failedBlock;
    const hidden = block === undefined ? handling.size > 0 : handling.has(block);
    return event.error && hidden ? { ...event, error: { ...event.error, message: personalDataText } } : event;
  };
  const send = async (event: AlertEvent): Promise<void> => {
    sent.push(...(await sendAlerts(alerts, withoutPersonalData(event), { signal: options.signal, env: alertEnv(options.project) })));
  };
  if (kind && wanted(kind)) await send(createAlertEvent({ kind, run, blocks: result.blocks, baseUrl }));
  if (wanted('anomaly')) {
    const flagged = (await store.listRunMetricPoints(result.id)).filter((p) => p.verdict?.anomaly && !p.markedExpected);
    const anomalies = flagged.map((p) => ({ block: p.block, metric: p.metric, reason: p.verdict!.reason }));
    if (anomalies.length) await send(createAlertEvent({ kind: 'anomaly', run, blocks: result.blocks, baseUrl, anomalies }));
  }
  if (wanted('drift')) {
    // Accepted drift (evolve) was asked for; what was warned about, refused or set aside is news.
    const events = (await store.listDriftEvents({ runId: result.id })).filter((e) => e.action !== 'accepted');
    const drift = events.map((e) => ({ block: e.block, column: e.column, message: e.message, action: e.action }));
    if (drift.length) await send(createAlertEvent({ kind: 'drift', run, blocks: result.blocks, baseUrl, drift }));
  }
  return sent;
}
