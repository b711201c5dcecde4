import type { MetricPointRecord, MetricStore } from '../core/run-store/quality-store.ts';

/** One recorded value of a metric as the UI draws it: the value, the range taken as normal and whether it was flagged. */
export interface MetricPointView {
  readonly runId: string;
  readonly date: string;
  readonly value: number | null;
  /** Null while the metric had too little history to be judged. */
  readonly expected: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly anomaly: boolean;
  readonly markedExpected: boolean;
  readonly reason: string | null;
}

export interface MetricHistoryView {
  readonly pipeline: string;
  readonly block: string;
  /** One series per metric (`rows`, `sum:COLUMN`, `null_rate:COLUMN`), oldest value first. */
  readonly series: readonly { readonly metric: string; readonly points: readonly MetricPointView[] }[];
}

/** A block's recorded metrics, the newest `limit` values of each, with the detector's verdicts. */
export async function metricHistory(store: Pick<MetricStore, 'listMetricHistory'>, pipeline: string, block: string, limit: number): Promise<MetricHistoryView> {
  const points = await store.listMetricHistory(pipeline, block, { limit });
  const series = new Map<string, MetricPointView[]>();
  for (const p of points) {
    const list = series.get(p.metric) ?? [];
    list.push(toView(p));
    series.set(p.metric, list);
  }
  return { pipeline, block, series: [...series].map(([metric, list]) => ({ metric, points: list })) };
}

export function toView(p: MetricPointRecord): MetricPointView {
  return {
    runId: p.runId,
    date: p.date,
    value: p.value,
    expected: p.verdict?.expected ?? null,
    low: p.verdict?.low ?? null,
    high: p.verdict?.high ?? null,
    anomaly: p.verdict?.anomaly ?? false,
    markedExpected: p.markedExpected,
    reason: p.verdict?.reason ?? null,
  };
}
