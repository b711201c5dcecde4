import type { PipelineCharts } from '@sluice/api';
import { formatDuration, formatTime } from '../../format.ts';
import { navigate } from '../../router.ts';
import { chart, ChartGrid } from './ChartGrid.tsx';
import { niceMax } from './chart-scale.ts';

const { width, left, bottom, top } = chart;
const height = 150;

/** One bar per run, oldest on the left, as tall as the run took, coloured by how it ended; a click opens the run. */
export function DurationChart({ runs }: { runs: PipelineCharts['runs'] }) {
  const max = niceMax(Math.max(0, ...runs.map((r) => r.durationMs ?? 0)));
  const plot = height - bottom - top;
  const slot = (width - left) / Math.max(runs.length, 1);
  return (
    <svg className="pc-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Run duration over the last runs" data-testid="chart-duration">
        <ChartGrid height={height} max={max} label={formatDuration} />
      {runs.map((run, i) => {
        const h = run.durationMs === null ? plot : (run.durationMs / max) * plot;
        return (
          <rect
            key={run.id}
            className={`pc-bar pc-bar-${run.durationMs === null ? 'open' : run.status}`}
            x={left + i * slot + slot * 0.15}
            y={top + plot - Math.max(h, 1)}
            width={Math.max(slot * 0.7, 1)}
            height={Math.max(h, 1)}
            onClick={() => navigate(`/runs/${encodeURIComponent(run.id)}`)}
            data-testid="chart-duration-bar"
            data-run-id={run.id}
            data-duration={run.durationMs ?? ''}
          >
            <title>{`${run.id} · ${run.status} · ${run.durationMs === null ? 'still running' : formatDuration(run.durationMs)} · ${formatTime(run.startedAt)}`}</title>
          </rect>
        );
      })}
      <text className="pc-axis" x={left} y={height - 4}>older</text>
      <text className="pc-axis" x={width} y={height - 4} textAnchor="end">newest</text>
    </svg>
  );
}
