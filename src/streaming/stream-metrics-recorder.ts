import type { Logger } from '../core/run/logger.ts';
import type { StreamMetricSample, StreamMetricsStore, StreamSampleState } from '../core/run-store/stream-metrics-store.ts';
import type { BatchReport } from './run-stream.ts';

/** Latencies kept per interval for the percentiles: a uniform sample beyond this many, so memory stays flat at any rate. */
const reservoirSize = 10_000;

export interface StreamMetricsRecorderOptions {
  readonly pipeline: string;
  readonly intervalMs: number;
  readonly restarts: number;
  /** Asks the broker for the pipeline's lag; undefined when it cannot tell. */
  readonly lag: () => Promise<number | undefined>;
  readonly logger: Logger;
}

/**
 * Turns a running stream's batch reports into one metrics sample per
 * interval, written to the metadata store: rows per second over the
 * interval, the publish-to-commit latency percentiles of the messages the
 * interval committed, the broker's lag asked at the tick, and the totals of
 * dead letters and restarts. A tick with no batch still writes a sample
 * (0 rows/s and the current lag), so an idle or stuck stream shows as such.
 * A store that cannot be written is warned about and never stops the stream.
 */
export class StreamMetricsRecorder {
  private rows = 0;
  private deadLetters = 0;
  private intervalRows = 0;
  private intervalStart = Date.now();
  private latencies: number[] = [];
  private latenciesSeen = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private warnedAt = 0;

  constructor(
    private readonly store: Pick<StreamMetricsStore, 'record'>,
    private readonly options: StreamMetricsRecorderOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush('running'), this.options.intervalMs).unref();
  }

  record(report: BatchReport): void {
    this.rows += report.rows;
    this.intervalRows += report.rows;
    this.deadLetters += report.deadLettered;
    for (const latency of report.latenciesMs ?? []) {
      this.latenciesSeen++;
      if (this.latencies.length < reservoirSize) this.latencies.push(latency);
      else {
        const slot = Math.floor(Math.random() * this.latenciesSeen);
        if (slot < reservoirSize) this.latencies[slot] = latency;
      }
    }
  }

  /** Stops the ticks and writes the last sample, with the state the stream ended in. */
  async finish(state: Exclude<StreamSampleState, 'running'>): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(state);
  }

  /** Writes one sample for the interval since the last; samples are written one after another, never at once. */
  flush(state: StreamSampleState): Promise<void> {
    this.writing = this.writing.then(() => this.write(state));
    return this.writing;
  }

  private async write(state: StreamSampleState): Promise<void> {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.intervalStart) / 1000);
    const latencies = this.latencies.sort((a, b) => a - b);
    const sample: StreamMetricSample = {
      pipeline: this.options.pipeline,
      at: new Date(now).toISOString(),
      state,
      recordsPerSecond: Math.round((this.intervalRows / seconds) * 10) / 10,
      rows: this.rows,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      latencyP99Ms: percentile(latencies, 0.99),
      lag: await this.askLag(),
      deadLetters: this.deadLetters,
      restarts: this.options.restarts,
    };
    this.intervalRows = 0;
    this.intervalStart = now;
    this.latencies = [];
    this.latenciesSeen = 0;
    try {
      await this.store.record(sample);
    } catch (error) {
      // Once a minute at most: a metadata store that is down must not flood the log of a stream that still works.
      if (now - this.warnedAt > 60_000) {
        this.warnedAt = now;
        this.options.logger.warn(`could not record the stream's metrics: ${(error as Error).message}`);
      }
    }
  }

  private async askLag(): Promise<number | undefined> {
    let timeout: NodeJS.Timeout | undefined;
    // A broker that does not answer within a few seconds leaves the sample's lag unknown rather than late.
    const late = new Promise<undefined>((resolve) => (timeout = setTimeout(() => resolve(undefined), 3000).unref()));
    try {
      return await Promise.race([this.options.lag().catch(() => undefined), late]);
    } finally {
      clearTimeout(timeout);
    }
  }
}

/** The nearest-rank percentile of sorted values, to 0.1 ms; undefined for none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round(sorted[rank]! * 10) / 10;
}
