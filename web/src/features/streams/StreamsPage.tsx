import type { StreamOverview } from '@sluice/api';
import { endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatCount, formatRelative } from '../../format.ts';
import { href, navigate } from '../../router.ts';
import { DeadLetters } from './DeadLetters.tsx';
import { StreamMetricsCharts } from './StreamMetricsCharts.tsx';

const badges: Record<StreamOverview['state'], string> = { running: 'badge-running', failing: 'badge-failed', stopped: 'badge-cancelled', idle: 'badge-none' };

/** The figures of a stream: this machine's heartbeat when it is fresher (it runs here), else the newest sample. */
function figures(s: StreamOverview) {
  const b = s.heartbeat;
  const m = s.metrics;
  const live = b?.state === 'running' && (!m || b.updatedAt >= m.at);
  return {
    rate: live ? b.rowsPerSecond : s.state === 'running' ? (m?.recordsPerSecond ?? 0) : 0,
    lag: live ? (b.lag ?? m?.lag) : m?.lag,
    rows: b?.rows ?? m?.rows,
    deadLetters: b?.deadLettered ?? m?.deadLetters ?? 0,
    restarts: b?.restarts ?? m?.restarts ?? 0,
    updated: [b?.updatedAt, m?.at].filter((t): t is string => t !== undefined).sort().at(-1),
  };
}

/**
 * The project's streaming pipelines: each one's state, rate, latency, lag,
 * dead letters and restarts, asked again every two seconds; a selected
 * stream (`#/streams/NAME`) shows its metrics over time and its dead letters.
 */
export default function StreamsPage({ selected }: { selected?: string | undefined }) {
  const { data, error, reload } = useApi(endpoint('GET /api/streams'), { pollMs: 2000 });
  const streams = data?.streams ?? [];
  const current = streams.find((s) => s.pipeline === selected) ?? (selected === undefined ? streams[0] : undefined);
  return (
    <div className="page" data-testid="streams-page">
      <PageHeader title="Streams" subtitle="Streaming pipelines: state, records per second, latency, broker lag and dead letters; updates every two seconds" />
      <ErrorNote error={error} />
      <table className="table" data-testid="streams-table">
        <thead>
          <tr><th>Pipeline</th><th>State</th><th>Source → sinks</th><th className="num">Rows/s</th><th className="num">p50 / p99</th><th className="num">Lag</th><th className="num">Rows</th><th className="num">Dead letters</th><th className="num">Restarts</th><th>Updated</th></tr>
        </thead>
        <tbody>
          {streams.map((s) => {
            const f = figures(s);
            return (
              <tr key={s.pipeline} className={`clickable${s === current ? ' selected' : ''}`} data-testid="stream-row" data-pipeline={s.pipeline} data-state={s.state} onClick={() => navigate(`/streams/${enc(s.pipeline)}`)}>
                <td><a href={href(`/streams/${enc(s.pipeline)}`)} className="strong">{s.pipeline}</a>{!s.supervised && <div className="muted small">not supervised</div>}</td>
                <td>
                  <span className={`badge ${badges[s.state]}`} data-testid="stream-state" title={s.error}>{s.state}</span>
                </td>
                <td className="small">{s.source ?? '—'} → {s.sinks.join(', ') || '—'}</td>
                <td className="num" data-testid="stream-rate">{formatCount(Math.round(f.rate))}</td>
                <td className="num small">{s.metrics?.latencyP50Ms ?? '—'} / {s.metrics?.latencyP99Ms ?? '—'} ms</td>
                <td className="num" data-testid="stream-lag">{f.lag === undefined ? '—' : formatCount(f.lag)}</td>
                <td className="num" data-testid="stream-rows">{formatCount(f.rows)}</td>
                <td className="num" data-testid="stream-dead-letters">{f.deadLetters}</td>
                <td className="num" data-testid="stream-restarts">{f.restarts}</td>
                <td className="small">{formatRelative(f.updated)}</td>
              </tr>
            );
          })}
          {data && streams.length === 0 && (
            <tr><td colSpan={10} className="empty" data-testid="streams-empty">No streaming pipelines: add one with <code>kind: streaming</code> (see docs/streaming.md, or <code>sluice init --example streaming</code>).</td></tr>
          )}
        </tbody>
      </table>
      {current && (
        <section className="stream-detail" data-testid="stream-detail" data-pipeline={current.pipeline}>
          <h2>{current.pipeline}</h2>
          {current.error && <p className="stream-error small" data-testid="stream-error">{current.error}</p>}
          <StreamMetricsCharts key={`charts-${current.pipeline}`} pipeline={current.pipeline} intervalMs={current.metricsIntervalMs} />
          {current.source !== undefined && <DeadLetters key={`letters-${current.pipeline}`} pipeline={current.pipeline} onChanged={reload} />}
        </section>
      )}
      {selected !== undefined && data && !current && <p className="muted" data-testid="stream-not-found">No streaming pipeline is named {selected}.</p>}
    </div>
  );
}
