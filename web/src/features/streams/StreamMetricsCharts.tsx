import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { StreamChart } from './StreamChart.tsx';

/** The last hour of samples at most; the store keeps a week, which the API gives with `?since=`. */
const shownSamples = 360;

/** Records per second, latency percentiles and lag over time, from the metadata store, asked again every few seconds. */
export function StreamMetricsCharts({ pipeline, intervalMs }: { pipeline: string; intervalMs: number }) {
  const { data, error } = useApi(endpoint('GET /api/streams/:name/metrics', { params: { name: pipeline }, query: { limit: shownSamples } }), { pollMs: Math.min(intervalMs, 5000) });
  const samples = data?.samples ?? [];
  return (
    <section className="stream-charts" data-testid="stream-charts" data-samples={samples.length}>
      <ErrorNote error={error} />
      {data && !samples.length && (
        <p className="muted small" data-testid="stream-charts-empty">
          No samples yet: a running stream records one every {Math.round(intervalMs / 1000)} s.
        </p>
      )}
      {samples.length > 0 && (
        <div className="stream-chart-grid">
          <StreamChart title="Records per second" samples={samples} series={[{ label: 'rows/s', value: (s) => s.recordsPerSecond }]} />
          <StreamChart
            title="Latency, publish to commit"
            unit=" ms"
            samples={samples}
            series={[
              { label: 'p50', value: (s) => s.latencyP50Ms },
              { label: 'p95', value: (s) => s.latencyP95Ms },
              { label: 'p99', value: (s) => s.latencyP99Ms },
            ]}
          />
          <StreamChart title="Broker lag (messages waiting)" samples={samples} series={[{ label: 'lag', value: (s) => s.lag }]} />
        </div>
      )}
    </section>
  );
}
