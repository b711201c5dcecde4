import type { PipelineCharts } from '@sluice/api';
import { formatCount } from '../../format.ts';
import { chart, ChartGrid } from './ChartGrid.tsx';
import { niceMax, shortNumber } from './chart-scale.ts';

const { width, left, bottom, top } = chart;
const height = 170;
/** Room on the right, so the newest run's point is not cut in half. */
const right = 8;
/** More lines than this are unreadable; the blocks with the most rows are drawn. */
const maxSeries = 8;

/** Rows each block wrote per run, one line per block, oldest run on the left. */
export function RowsChart({ runs, blocks }: PipelineCharts) {
  const peak = (block: string) => Math.max(0, ...runs.map((r) => r.rows[block] ?? 0));
  const drawn = [...blocks].sort((a, b) => peak(b) - peak(a)).slice(0, maxSeries).sort();
  const max = niceMax(Math.max(0, ...drawn.map(peak)));
  const plot = height - bottom - top;
  const step = (width - left - right) / Math.max(runs.length - 1, 1);
  const x = (i: number) => left + (runs.length === 1 ? (width - left - right) / 2 : i * step);
  const y = (rows: number) => top + plot - (rows / max) * plot;
  return (
    <div>
      <svg className="pc-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Rows per block over the last runs" data-testid="chart-rows">
        <ChartGrid height={height} max={max} label={shortNumber} />
        {drawn.map((block, s) => {
          const points = runs.map((r, i) => (r.rows[block] === undefined ? undefined : ([x(i), y(r.rows[block]!), r] as const))).filter((p) => p !== undefined);
          return (
            <g key={block} className={`pc-series pc-series-${s}`} data-testid="chart-rows-series" data-block={block}>
              <polyline points={points.map(([px, py]) => `${px},${py}`).join(' ')} />
              {points.map(([px, py, r]) => (
                <circle key={r.id} cx={px} cy={py} r={2.5} data-rows={r.rows[block]}>
                  <title>{`${block}: ${formatCount(r.rows[block])} rows in ${r.id}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <div className="pc-legend">
        {drawn.map((block, s) => (
          <span key={block} className={`pc-legend-item pc-series-${s}`}><span className="pc-swatch" />{block}</span>
        ))}
        {blocks.length > drawn.length && <span className="muted small">and {blocks.length - drawn.length} more</span>}
      </div>
    </div>
  );
}
