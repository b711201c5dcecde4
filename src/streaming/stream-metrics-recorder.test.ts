import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../core/run/logger.ts';
import type { StreamMetricSample } from '../core/run-store/stream-metrics-store.ts';
import type { BatchReport } from './run-stream.ts';
import { percentile, StreamMetricsRecorder } from './stream-metrics-recorder.ts';

const batch = (rows: number, latenciesMs: number[], deadLettered = 0): BatchReport => ({ messages: rows, rows, duplicates: 0, deadLettered, retried: 0, latencyMs: undefined, latenciesMs });

describe('the stream metrics recorder', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99), percentile([7], 0.99), percentile([], 0.5)], [50, 95, 99, 7, undefined]);
  });

  it('writes one sample per interval: the interval rate and percentiles, the totals, the lag asked at the tick', async () => {
    const samples: StreamMetricSample[] = [];
    let lag = 40;
    const recorder = new StreamMetricsRecorder({ record: async (s) => void samples.push(s) }, { pipeline: 'orders_live', intervalMs: 60_000, restarts: 2, lag: async () => lag, logger: createLogger(() => undefined) });
    recorder.record(batch(300, Array.from({ length: 300 }, (_, i) => i + 1), 1));
    recorder.record(batch(100, Array.from({ length: 100 }, () => 1000)));
    await recorder.flush('running');
    lag = 0;
    await recorder.finish('stopped');
    assert.equal(samples.length, 2);
    const [first, last] = samples as [StreamMetricSample, StreamMetricSample];
    assert.deepEqual(
      { state: first.state, rows: first.rows, p50: first.latencyP50Ms, p95: first.latencyP95Ms, p99: first.latencyP99Ms, lag: first.lag, deadLetters: first.deadLetters, restarts: first.restarts },
      { state: 'running', rows: 400, p50: 200, p95: 1000, p99: 1000, lag: 40, deadLetters: 1, restarts: 2 },
    );
    assert.ok(first.recordsPerSecond > 0);
    // The next interval committed nothing: no rate, no latencies, the totals kept.
    assert.deepEqual({ state: last.state, rate: last.recordsPerSecond, rows: last.rows, p50: last.latencyP50Ms, lag: last.lag, deadLetters: last.deadLetters }, { state: 'stopped', rate: 0, rows: 400, p50: undefined, lag: 0, deadLetters: 1 });
  });

  it("keeps at most 10,000 latencies per interval; a broker that cannot tell its lag and a store that cannot be written never throw, and the store's failure is warned about once", async () => {
    const warnings: string[] = [];
    const recorder = new StreamMetricsRecorder(
      {
        record: async () => {
          throw new Error('metadata store down');
        },
      },
      { pipeline: 'orders_live', intervalMs: 60_000, restarts: 0, lag: async () => {
        throw new Error('broker gone');
      }, logger: createLogger((level, message) => void (level === 'warn' && warnings.push(message))) },
    );
    for (let i = 0; i < 50; i++) recorder.record(batch(1000, Array.from({ length: 1000 }, () => 5)));
    assert.equal((recorder as unknown as { latencies: number[] }).latencies.length, 10_000);
    await recorder.flush('running');
    await recorder.flush('running');
    assert.equal((recorder as unknown as { latencies: number[] }).latencies.length, 0, 'each interval starts afresh');
    assert.deepEqual(warnings, ["could not record the stream's metrics: metadata store down"]);
  });
});
