import type { CheckResultRecord } from '../../core/quality/check-result.ts';
import type { CheckResultStore, MetricPointRecord, MetricStore } from '../../core/run-store/quality-store.ts';
import type { MetricFamily, MetricSample } from './prometheus-text.ts';

/** What quality counting reads of a finished run. */
export type QualityRecords = Pick<CheckResultStore, 'listCheckResults'> & Pick<MetricStore, 'listRunMetricPoints'>;

/**
 * Check failures and flagged anomalies of the runs this process executed,
 * counted from what the run store recorded for each run as it finished.
 * Checks that passed and metrics judged normal count zero, so their series
 * exist (and `rate()` works) before the first failure.
 */
export class QualityMetrics {
  private readonly checkFailures = new Map<string, number>();
  private readonly anomalies = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly records: QualityRecords) {}

  /** Starts counting a finished run; a scrape waits for the counting it started before. */
  observeRun(pipeline: string, runId: string): void {
    const counting = this.count(pipeline, runId).catch(() => {
      // A store that cannot answer now loses one run's counts, never the scrape or the run.
    });
    this.pending.add(counting);
    void counting.finally(() => this.pending.delete(counting));
  }

  /** The families, once every run observed so far is counted. */
  async families(): Promise<MetricFamily[]> {
    await Promise.all(this.pending);
    return [
      {
        name: 'sluice_check_failures_total',
        help: 'Checks that failed on the outputs of the runs this process executed, by pipeline, block, check and severity.',
        type: 'counter',
        samples: samplesOf(this.checkFailures),
      },
      {
        name: 'sluice_anomalies_total',
        help: 'Metric values the anomaly detector flagged in the runs this process executed, by pipeline, block and metric.',
        type: 'counter',
        samples: samplesOf(this.anomalies),
      },
    ];
  }

  private async count(pipeline: string, runId: string): Promise<void> {
    const [checks, points] = await Promise.all([this.records.listCheckResults(runId), this.records.listRunMetricPoints(runId)]);
    for (const check of checks) countCheck(this.checkFailures, pipeline, check);
    for (const point of points) countPoint(this.anomalies, pipeline, point);
  }
}

function countCheck(counts: Map<string, number>, pipeline: string, check: CheckResultRecord): void {
  bump(counts, { pipeline, block: check.block, check: check.name, severity: check.severity }, check.status === 'failed' ? 1 : 0);
}

function countPoint(counts: Map<string, number>, pipeline: string, point: MetricPointRecord): void {
  // Values too early in a metric's history to judge are left out: no verdict, nothing to count.
  if (!point.verdict) return;
  bump(counts, { pipeline, block: point.block, metric: point.metric }, point.verdict.anomaly ? 1 : 0);
}

// Label sets are kept as JSON keys, so a pipeline, block or check name with any character stays whole.
function bump(counts: Map<string, number>, labels: Record<string, string>, by: number): void {
  const key = JSON.stringify(labels);
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function samplesOf(counts: Map<string, number>): MetricSample[] {
  return [...counts].map(([labels, value]) => ({ labels: JSON.parse(labels) as Record<string, string>, value }));
}
