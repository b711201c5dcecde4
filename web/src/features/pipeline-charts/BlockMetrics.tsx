import { useState } from 'react';
import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { MetricChart } from './MetricChart.tsx';

/** The charts drawn for a block: its row count and every summed metric column; null rates appear only when flagged. */
const charted = (metric: string) => metric === 'rows' || metric.startsWith('sum:');

/** A block's metric history, chosen from the pipeline's blocks: a chart per metric and the values flagged as anomalies. */
export function BlockMetrics({ pipeline, blocks }: { pipeline: string; blocks: readonly string[] }) {
  const [chosen, setChosen] = useState<string>();
  const block = chosen ?? blocks[0];
  const { data, error } = useApi(block ? endpoint('GET /api/pipelines/:name/blocks/:block/metrics', { params: { name: pipeline, block }, query: { limit: 60 } }) : undefined, { pollMs: 10_000 });
  if (!block) return null;
  const flagged = (data?.series ?? []).flatMap((s) => s.points.filter((p) => p.anomaly).map((p) => ({ metric: s.metric, ...p }))).reverse();
  return (
    <div data-testid="block-metrics">
      <h2 className="section-title">
        Metrics of{' '}
        <select value={block} onChange={(e) => setChosen(e.target.value)} aria-label="Block whose metrics are shown">
          {blocks.map((b) => <option key={b} value={b}>{b}</option>)}
        </select>
      </h2>
      <ErrorNote error={error} />
      {data && data.series.filter((s) => charted(s.metric)).map((s) => (
        <div key={s.metric}>
          <h3 className="small">{s.metric}</h3>
          <MetricChart metric={s.metric} points={s.points} />
        </div>
      ))}
      {data && !data.series.length && <p className="muted small">No metric values recorded for {block} yet.</p>}
      {flagged.length > 0 && (
        <ul className="mc-anomalies" data-testid="metric-anomalies">
          {flagged.slice(0, 10).map((p) => (
            <li key={`${p.metric} ${p.runId}`}>
              <strong>{p.date}</strong> {p.metric}: {p.reason}{p.markedExpected ? ' (marked expected)' : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
