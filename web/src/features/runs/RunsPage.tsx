import { useState } from 'react';
import { enc, query } from '../../api/client.ts';
import type { PipelineSummary, RunRecord } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { durationBetween, formatDuration, formatTime } from '../../format.ts';
import { href, navigate, routeQuery } from '../../router.ts';
import { BackfillDialog } from './BackfillDialog.tsx';

const statuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** Run history across pipelines; the filters live in the address, so a view can be shared. */
export function RunsPage({ route }: { route: string }) {
  const params = routeQuery(route);
  const filters = { pipeline: params.get('pipeline') ?? '', status: params.get('status') ?? '', trigger: params.get('trigger') ?? '', since: params.get('since') ?? '', until: params.get('until') ?? '' };
  const apiQuery = query({ ...filters, since: filters.since ? `${filters.since}T00:00:00.000Z` : '', until: filters.until ? `${filters.until}T23:59:59.999Z` : '', limit: 200 });
  const { data, error } = useApi<{ runs: RunRecord[] }>(`/api/runs${apiQuery}`, { pollMs: 2000 });
  const pipelines = useApi<{ pipelines: PipelineSummary[] }>('/api/pipelines').data?.pipelines ?? [];
  const [backfill, setBackfill] = useState(false);
  const setFilter = (key: keyof typeof filters, value: string) => navigate(`/runs${query({ ...filters, [key]: value })}`);
  const runs = data?.runs ?? [];

  return (
    <div className="page" data-testid="runs-page">
      <PageHeader title="Runs" subtitle="Every run, newest first" actions={<button type="button" className="button" onClick={() => setBackfill(true)} data-testid="start-backfill">Backfill…</button>} />
      <div className="filters">
        <label>
          Pipeline
          <select value={filters.pipeline} onChange={(e) => setFilter('pipeline', e.target.value)} data-testid="filter-pipeline">
            <option value="">all</option>
            {pipelines.map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => setFilter('status', e.target.value)} data-testid="filter-status">
            <option value="">all</option>
            {statuses.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Trigger
          <select value={filters.trigger} onChange={(e) => setFilter('trigger', e.target.value)} data-testid="filter-trigger">
            <option value="">all</option>
            {['api', 'ui', 'manual', 'schedule', 'backfill', 'file'].map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>
          From
          <input type="date" value={filters.since} onChange={(e) => setFilter('since', e.target.value)} data-testid="filter-since" />
        </label>
        <label>
          To
          <input type="date" value={filters.until} onChange={(e) => setFilter('until', e.target.value)} data-testid="filter-until" />
        </label>
      </div>
      <ErrorNote error={error} />
      <table className="table" data-testid="runs-table">
        <thead>
          <tr><th>Status</th><th>Pipeline</th><th>Run</th><th>Trigger</th><th>Logical date</th><th>Started</th><th className="num">Duration</th></tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} className="clickable" onClick={() => navigate(`/runs/${enc(run.id)}`)} data-testid="run-row" data-pipeline={run.pipeline} data-status={run.status}>
              <td><StatusBadge status={run.status} rejected={run.rowsRejected} /></td>
              <td className="strong">{run.pipeline}</td>
              <td><a href={href(`/runs/${enc(run.id)}`)} className="mono small run-id">{run.id}</a>{run.attempt > 1 && <span className="muted small"> · attempt {run.attempt}</span>}</td>
              <td className="muted">{run.trigger}</td>
              <td className="mono small">{run.logicalDate ?? '—'}</td>
              <td className="muted small">{formatTime(run.startedAt)}</td>
              <td className="num">{formatDuration(durationBetween(run.startedAt, run.endedAt))}</td>
            </tr>
          ))}
          {data && runs.length === 0 && (
            <tr><td colSpan={7} className="empty">No runs match.</td></tr>
          )}
        </tbody>
      </table>
      {backfill && <BackfillDialog pipelines={pipelines.map((p) => p.name)} defaultPipeline={filters.pipeline} onClose={() => setBackfill(false)} />}
    </div>
  );
}
