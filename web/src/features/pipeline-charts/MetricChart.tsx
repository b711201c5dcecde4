import type { MetricPointView } from '@sluice/api';
import { navigate } from '../../router.ts';
import { chart, ChartGrid } from './ChartGrid.tsx';
import { niceMax, shortNumber } from './chart-scale.ts';

const { width, left, bottom, top } = chart;
const height = 150;
const right = 8;

/**
 * One metric over its runs, oldest on the left: the values as a line, the
 * range the detector took as normal as a band, and flagged values as red
 * points (hollow once marked expected). A click on a point opens its run.
 */
export function MetricChart({ metric, points }: { metric: string; points: readonly MetricPointView[] }) {
  const rate = metric.startsWith('null_rate:');
  const max = niceMax(Math.max(0, ...points.flatMap((p) => [p.value ?? 0, p.high ?? 0])));
  const plot = height - bottom - top;
  const step = (width - left - right) / Math.max(points.length - 1, 1);
  const x = (i: number) => left + (points.length === 1 ? (width - left - right) / 2 : i * step);
  const y = (v: number) => top + plot - (Math.max(v, 0) / max) * plot;
  const judged = points.map((p, i) => ({ p, i })).filter(({ p }) => p.low !== null && p.high !== null);
  const band = judged.length
    ? [...judged.map(({ p, i }) => `${x(i)},${y(p.high!)}`), ...[...judged].reverse().map(({ p, i }) => `${x(i)},${y(p.low!)}`)].join(' ')
    : '';
  const valued = points.map((p, i) => ({ p, i })).filter(({ p }) => p.value !== null);
  const label = (v: number) => (rate ? `${+(v * 100).toFixed(1)}%` : shortNumber(v));
  return (
    <svg className="pc-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${metric} over the last runs`} data-testid="chart-metric" data-metric={metric}>
      <ChartGrid height={height} max={max} label={label} />
      {band && <polygon className="mc-band" points={band} />}
      <g className="pc-series pc-series-0">
        <polyline points={valued.map(({ p, i }) => `${x(i)},${y(p.value!)}`).join(' ')} />
        {valued.map(({ p, i }) => (
          <circle
            key={p.runId}
            cx={x(i)}
            cy={y(p.value!)}
            r={p.anomaly ? 4.5 : 2.5}
            className={p.anomaly ? (p.markedExpected ? 'mc-point mc-accepted' : 'mc-point mc-anomaly') : 'mc-point'}
            data-anomaly={p.anomaly ? (p.markedExpected ? 'expected' : 'flagged') : undefined}
            onClick={() => navigate(`/runs/${encodeURIComponent(p.runId)}`)}
          >
            <title>{`${p.date}: ${label(p.value!)}${p.reason ? ` (${p.reason})` : ''}${p.markedExpected ? ', marked expected' : ''}`}</title>
          </circle>
        ))}
      </g>
    </svg>
  );
}
