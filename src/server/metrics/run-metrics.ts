import type { RunResult } from '../../core/run/run-pipeline.ts';
import type { MetricFamily, MetricSample } from './prometheus-text.ts';
import { QualityMetrics, type QualityRecords } from './quality-metrics.ts';

/** Upper bounds, in seconds, of the block-duration histogram's buckets: a sub-second query to an hour-long load. */
export const blockDurationBuckets = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600] as const;

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * What the runs this process executed measured since it started: block
 * durations, rows written and rows rejected, by pipeline and block. These
 * are counters, so a restart starts them again from zero, as Prometheus
 * expects of a process's counters. Given the run store, they also count
 * the check failures and anomalies each run recorded there.
 */
export class RunMetrics {
  private readonly durations = new Map<string, Histogram>();
  private readonly rowsWritten = new Map<string, number>();
  private readonly rowsRejected = new Map<string, number>();
  private readonly finished = new Map<string, number>();
  private readonly quality: QualityMetrics | undefined;

  constructor(records?: QualityRecords) {
    this.quality = records ? new QualityMetrics(records) : undefined;
  }

  observeRun(pipeline: string, result: RunResult): void {
    bump(this.finished, key({ pipeline, status: result.status }), 1);
    this.quality?.observeRun(pipeline, result.id);
    for (const block of result.blocks) {
      const labels = key({ pipeline, block: block.block });
      if (block.rowsOut !== undefined) bump(this.rowsWritten, labels, block.rowsOut);
      if (block.rowsRejected !== undefined) bump(this.rowsRejected, labels, block.rowsRejected);
      const seconds = secondsBetween(block.startedAt, block.endedAt);
      if (seconds === undefined) continue;
      const histogram = this.durations.get(labels) ?? { counts: blockDurationBuckets.map(() => 0), sum: 0, count: 0 };
      blockDurationBuckets.forEach((bound, i) => {
        if (seconds <= bound) histogram.counts[i]! += 1;
      });
      histogram.sum += seconds;
      histogram.count += 1;
      this.durations.set(labels, histogram);
    }
  }

  async families(): Promise<MetricFamily[]> {
    return [
      { name: 'sluice_runs_finished_total', help: 'Runs this process finished since it started, by pipeline and status.', type: 'counter', samples: counterSamples(this.finished) },
      { name: 'sluice_block_duration_seconds', help: 'How long the blocks of the runs this process executed took.', type: 'histogram', samples: this.histogramSamples() },
      { name: 'sluice_rows_written_total', help: 'Rows the blocks of the runs this process executed wrote, by pipeline and block.', type: 'counter', samples: counterSamples(this.rowsWritten) },
      { name: 'sluice_rows_rejected_total', help: 'Rows the blocks of the runs this process executed kept apart as rejects.', type: 'counter', samples: counterSamples(this.rowsRejected) },
      ...((await this.quality?.families()) ?? []),
    ];
  }

  private histogramSamples(): MetricSample[] {
    const samples: MetricSample[] = [];
    for (const [labelsKey, histogram] of this.durations) {
      const labels = unkey(labelsKey);
      blockDurationBuckets.forEach((bound, i) => samples.push({ suffix: '_bucket', labels: { ...labels, le: String(bound) }, value: histogram.counts[i]! }));
      samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: histogram.count });
      samples.push({ suffix: '_sum', labels, value: histogram.sum });
      samples.push({ suffix: '_count', labels, value: histogram.count });
    }
    return samples;
  }
}

// Label sets are kept as JSON keys, so a pipeline or block name with any character stays whole.
const key = (labels: Record<string, string>): string => JSON.stringify(labels);
const unkey = (labels: string): Record<string, string> => JSON.parse(labels) as Record<string, string>;

function bump(map: Map<string, number>, labels: string, by: number): void {
  map.set(labels, (map.get(labels) ?? 0) + by);
}

function counterSamples(map: Map<string, number>): MetricSample[] {
  return [...map].map(([labels, value]) => ({ labels: unkey(labels), value }));
}

function secondsBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}
