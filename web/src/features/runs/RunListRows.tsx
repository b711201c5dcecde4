import { useState } from 'react';
import { endpoint, enc } from '../../api/client.ts';
import type { RunListRow, RunStatus } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { durationBetween, formatDuration } from '../../format.ts';
import { formatStart } from './format-start.ts';
import { href, navigate } from '../../router.ts';

/** One run; a run of only some blocks names them after its pipeline ("daily_sales › clean_orders"). */
export function RunRow({ run, nested = false }: { run: RunListRow; nested?: boolean }) {
  return (
    <tr className={nested ? 'clickable runs-nested' : 'clickable'} onClick={() => navigate(`/runs/${enc(run.id)}`)} data-testid="run-row" data-pipeline={run.pipeline} data-status={run.status} data-run-id={run.id}>
      <td><StatusBadge status={run.status} rejected={run.rowsRejected} /></td>
      <td className="strong" data-testid="run-row-name">
        {run.pipeline}
        {run.blocks && run.blocks.length > 0 && <span className="runs-blocks"> › {run.blocks.join(', ')}</span>}
      </td>
      <td><a href={href(`/runs/${enc(run.id)}`)} className="mono small run-id">{run.id}</a>{run.attempt > 1 && <span className="muted small"> · attempt {run.attempt}</span>}</td>
      <td className="muted">{run.trigger}</td>
      <td className="mono small">{run.logicalDate ?? '—'}</td>
      <td className="muted small">{formatStart(run.startedAt)}</td>
      <td className="num">{formatDuration(durationBetween(run.startedAt, run.endedAt))}</td>
    </tr>
  );
}

/** Each status's word in a backfill's progress, in the bar's order; keyed by the server's RunStatus, so a new status needs a word. */
const progressLabels: Record<RunStatus, string> = { succeeded: 'done', failed: 'failed', running: 'running', queued: 'queued', cancelled: 'cancelled' };
const progressParts = (Object.entries(progressLabels) as [RunStatus, string][]).map(([status, label]) => ({ status, label }));

/** A backfill as one row with its progress; opening it lists its runs. */
export function BackfillRow({ row }: { row: RunListRow }) {
  const [open, setOpen] = useState(false);
  const backfill = row.backfill!;
  const counts = backfill.counts;
  const summary = progressParts.filter((p) => counts[p.status]).map((p) => `${counts[p.status]} ${p.label}`).join(' · ');
  return (
    <>
      <tr className="clickable runs-backfill" onClick={() => setOpen(!open)} data-testid="backfill-row" data-backfill={backfill.id} data-pipeline={row.pipeline} aria-expanded={open}>
        <td><span className="runs-caret" aria-hidden="true">{open ? '▾' : '▸'}</span> <span className="badge badge-backfill">backfill</span></td>
        <td className="strong">{row.pipeline}</td>
        <td colSpan={2}>
          <div className="runs-progress" data-testid="backfill-progress" title={summary}>
            {progressParts.map((p) => (counts[p.status] ? <span key={p.status} className={`runs-progress-part runs-progress-${p.status}`} style={{ flexGrow: counts[p.status] }} /> : null))}
          </div>
          <span className="small muted" data-testid="backfill-summary">{summary} of {backfill.total} interval{backfill.total === 1 ? '' : 's'}</span>
        </td>
        <td className="mono small">{row.logicalDate ?? '—'}</td>
        <td className="muted small">{formatStart(row.startedAt)}</td>
        <td className="num" />
      </tr>
      {open && <BackfillRuns id={backfill.id} />}
    </>
  );
}

function BackfillRuns({ id }: { id: string }) {
  const { data } = useApi(endpoint('GET /api/run-list', { query: { backfill: id, limit: 500 } }), { pollMs: 3000 });
  if (!data) return <tr><td colSpan={7} className="muted small">Loading…</td></tr>;
  return <>{data.runs.map((run) => <RunRow key={run.id} run={run} nested />)}</>;
}
