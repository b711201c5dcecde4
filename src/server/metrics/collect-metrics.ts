import { listPipelines } from '../../core/pipeline/load-pipeline.ts';
import type { RunStatus, RunHistory } from '../../core/run-store/run-store.ts';
import type { MetricFamily, MetricSample } from './prometheus-text.ts';
import type { RunMetrics } from './run-metrics.ts';

/**
 * More families for `/metrics`, asked at every scrape. This is where check
 * failures, anomalies and stream lag join once the project records them: a
 * source reads its own store and returns its families.
 */
export type MetricSource = () => Promise<readonly MetricFamily[]>;

export interface MetricsDependencies {
  readonly root: string;
  readonly store: RunHistory;
  /** What this process's own runs measured; absent, those families are left out. */
  readonly runMetrics?: RunMetrics | undefined;
  readonly sources?: readonly MetricSource[] | undefined;
}

const statuses: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/**
 * Every family `/metrics` shows. Runs by status come from the run store, so
 * every scheduler and server sharing it reports the same numbers; they count
 * the runs the store keeps (`keep_runs` per pipeline), hence a gauge.
 */
export async function collectMetrics(deps: MetricsDependencies): Promise<MetricFamily[]> {
  const runs: MetricSample[] = [];
  for (const pipeline of listPipelines(deps.root)) {
    const counts = await deps.store.countRuns({ pipeline });
    for (const status of statuses) runs.push({ labels: { pipeline, status }, value: counts[status] ?? 0 });
  }
  const queued = (await deps.store.countRuns({ status: 'queued' })).queued ?? 0;
  const extra = await Promise.all((deps.sources ?? []).map((source) => source()));
  return [
    { name: 'sluice_runs', help: 'Runs the run store keeps, by pipeline and status.', type: 'gauge', samples: runs },
    { name: 'sluice_queued_runs', help: 'Runs waiting for a free slot (queue depth), across all pipelines.', type: 'gauge', samples: [{ labels: {}, value: queued }] },
    ...((await deps.runMetrics?.families()) ?? []),
    ...extra.flat(),
  ];
}
