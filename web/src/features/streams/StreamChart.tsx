import type { StreamMetricSample } from '@sluice/api';
import { chart, ChartGrid } from '../pipeline-charts/ChartGrid.tsx';
import { niceMax, shortNumber } from '../pipeline-charts/chart-scale.ts';

const { width, left, bottom, top } = chart;
const height = 150;
const right = 8;

export interface ChartSeries {
  readonly label: string;
  readonly value: (sample: StreamMetricSample) => number | undefined;
}

/**
 * Metrics samples over time, oldest on the left, one line per series; the
 * x axis is time, so a gap in the samples (a stream that was stopped) shows
 * as one. A point's tooltip gives its time and value.
 */
export function StreamChart({ title, samples, series, unit = '' }: { title: string; samples: readonly StreamMetricSample[]; series: readonly ChartSeries[]; unit?: string }) {
  const times = samples.map((s) => Date.parse(s.at));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(last - first, 1);
  const max = niceMax(Math.max(0, ...series.flatMap((line) => samples.map((s) => line.value(s) ?? 0))));
  const plot = height - bottom - top;
  const x = (t: number) => left + (samples.length === 1 ? (width - left - right) / 2 : ((t - first) / span) * (width - left - right));
  const y = (v: number) => top + plot - (Math.max(v, 0) / max) * plot;
  const label = (v: number) => `${shortNumber(v)}${unit}`;
  return (
    <figure className="stream-chart" data-testid="stream-chart" data-chart={title}>
      <figcaption className="small strong">{title}</figcaption>
      <svg className="pc-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title} over time`}>
        <ChartGrid height={height} max={max} label={label} />
        {series.map((line, index) => {
          const points = samples.map((s, i) => ({ s, t: times[i]!, v: line.value(s) })).filter((p): p is { s: StreamMetricSample; t: number; v: number } => p.v !== undefined);
          return (
            <g key={line.label} className={`pc-series pc-series-${index}`} data-series={line.label}>
              <polyline points={points.map((p) => `${x(p.t)},${y(p.v)}`).join(' ')} />
              {points.map((p) => (
                <circle key={p.s.at} cx={x(p.t)} cy={y(p.v)} r={2} data-testid="stream-chart-point">
                  <title>{`${new Date(p.t).toLocaleTimeString()}: ${line.label} ${label(p.v)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
        {samples.length > 0 && (
          <>
            <text className="pc-axis" x={left} y={height - 4}>{new Date(first).toLocaleTimeString()}</text>
            <text className="pc-axis" x={width - right} y={height - 4} textAnchor="end">{new Date(last).toLocaleTimeString()}</text>
          </>
        )}
      </svg>
      {series.length > 1 && (
        <div className="pc-legend">
          {series.map((line, index) => (
            <span key={line.label} className={`pc-legend-item pc-series-${index}`}><span className="pc-swatch" />{line.label}</span>
          ))}
        </div>
      )}
    </figure>
  );
}
