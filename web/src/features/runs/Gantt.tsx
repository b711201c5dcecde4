import type { BlockRunDetail } from '@sluice/api';
import { durationBetween, formatCount, formatDuration } from '../../format.ts';

/** Block runs on one time axis: where the run spent its time, and what waited on what. */
export function Gantt({ blocks, selected, onSelect }: { blocks: readonly BlockRunDetail[]; selected: string | undefined; onSelect: (block: string) => void }) {
  const started = blocks.filter((b) => b.startedAt);
  const t0 = Math.min(...started.map((b) => Date.parse(b.startedAt!)));
  const t1 = Math.max(...started.map((b) => (b.endedAt ? Date.parse(b.endedAt) : Date.now())));
  const span = Math.max(1, t1 - t0);
  return (
    <div className="gantt" data-testid="gantt">
      <div className="gantt-axis">
        <span>0</span>
        <span>{formatDuration(span / 2)}</span>
        <span>{formatDuration(span)}</span>
      </div>
      {blocks.map((b) => {
        const left = b.startedAt ? ((Date.parse(b.startedAt) - t0) / span) * 100 : 0;
        const width = b.startedAt ? Math.max(0.6, (((b.endedAt ? Date.parse(b.endedAt) : Date.now()) - Date.parse(b.startedAt)) / span) * 100) : 0;
        return (
          <button type="button" key={b.block} className={b.block === selected ? 'gantt-row selected' : 'gantt-row'} onClick={() => onSelect(b.block)} data-testid={`gantt-row-${b.block}`}>
            <span className="gantt-label">{b.block}</span>
            <span className="gantt-track">
              {b.startedAt ? (
                <span className={`gantt-bar bar-${b.status}`} style={{ left: `${left}%`, width: `${width}%` }} title={`${b.block}: ${b.status}, ${formatDuration(durationBetween(b.startedAt, b.endedAt))}`} />
              ) : (
                <span className="gantt-pending">{b.status}</span>
              )}
            </span>
            <span className="gantt-meta">{formatDuration(durationBetween(b.startedAt, b.endedAt))}</span>
            <span className="gantt-meta num">
              {formatCount(b.rowsOut)} rows
              {b.rowsRejected ? <span className="rejects-note" data-testid={`rejected-${b.block}`}>, {formatCount(b.rowsRejected)} rejected</span> : null}
            </span>
          </button>
        );
      })}
    </div>
  );
}
