import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamMetricRetentionMs, type StreamMetricSample, type StreamMetricsStore } from './stream-metrics-store.ts';

/** The streaming metrics part of the run store contract: record, read back in order, newest per pipeline, pruning. */
export function describeStreamMetricsContract(openStore: () => Promise<{ readonly streamMetrics: StreamMetricsStore }>): void {
  describe('stream metrics', () => {
    const at = (second: number): string => new Date(Date.UTC(2026, 4, 1, 10, 0, second)).toISOString();
    const sample = (pipeline: string, second: number, extra: Partial<StreamMetricSample> = {}): StreamMetricSample => ({
      pipeline,
      at: at(second),
      state: 'running',
      recordsPerSecond: 100 + second,
      rows: 1000 * second,
      latencyP50Ms: 12.5,
      latencyP95Ms: 40,
      latencyP99Ms: 95,
      lag: 3000 - second,
      deadLetters: 1,
      restarts: 2,
      ...extra,
    });

    it('records samples and reads a pipeline history oldest first, from a time, bounded', async () => {
      const { streamMetrics } = await openStore();
      for (const second of [20, 0, 10, 30]) await streamMetrics.record(sample('orders_live', second));
      await streamMetrics.record(sample('clicks_live', 5, { lag: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, latencyP99Ms: undefined, state: 'failed' }));
      const all = await streamMetrics.history('orders_live');
      assert.deepEqual(all.map((s) => s.at), [at(0), at(10), at(20), at(30)]);
      assert.deepEqual(all[1], sample('orders_live', 10));
      assert.deepEqual((await streamMetrics.history('orders_live', { since: at(10) })).map((s) => s.at), [at(10), at(20), at(30)]);
      assert.deepEqual((await streamMetrics.history('orders_live', { limit: 2 })).map((s) => s.at), [at(20), at(30)], 'a limit keeps the newest');
      const clicks = await streamMetrics.history('clicks_live');
      assert.deepEqual(clicks, [sample('clicks_live', 5, { lag: undefined, latencyP50Ms: undefined, latencyP95Ms: undefined, latencyP99Ms: undefined, state: 'failed' })]);
      assert.deepEqual(await streamMetrics.history('nothing_here'), []);
    });

    it('gives the newest sample of each pipeline', async () => {
      const { streamMetrics } = await openStore();
      await streamMetrics.record(sample('b_live', 1));
      await streamMetrics.record(sample('a_live', 9, { state: 'stopped', recordsPerSecond: 0 }));
      await streamMetrics.record(sample('a_live', 3));
      const latest = await streamMetrics.latest();
      assert.deepEqual(latest.map((s) => [s.pipeline, s.at, s.state]), [['a_live', at(9), 'stopped'], ['b_live', at(1), 'running']]);
    });

    it('prunes the samples of the recording pipeline that are older than the retention', async () => {
      const { streamMetrics } = await openStore();
      const old = new Date(Date.parse(at(0)) - streamMetricRetentionMs - 1000).toISOString();
      await streamMetrics.record({ ...sample('orders_live', 0), at: old });
      await streamMetrics.record({ ...sample('other_live', 0), at: old });
      await streamMetrics.record(sample('orders_live', 0));
      assert.deepEqual((await streamMetrics.history('orders_live')).map((s) => s.at), [at(0)]);
      assert.equal((await streamMetrics.history('other_live')).length, 1, "another pipeline's samples wait for its own next record");
    });
  });
}
