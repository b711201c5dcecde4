import { useState } from 'react';
import { endpoint, query, type Endpoint } from '../../api/client.ts';
import type { RunListAnswer, RunStatus, TriggerKind } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { navigate, routeQuery } from '../../router.ts';
import { BackfillDialog } from './BackfillDialog.tsx';
import { RunFilters, runFiltersOf, type RunListFilters } from './RunFilters.tsx';
import { BackfillRow, RunRow } from './RunListRows.tsx';

const pageSize = 50;

/** The page of runs that the address `route` shows. */
export function runListRoute(route: string): Endpoint<RunListAnswer> {
  const params = routeQuery(route);
  const filters = runFiltersOf(params);
  return endpoint('GET /api/run-list', {
    query: {
    pipeline: filters.pipeline,
    // The address is the user's to edit: a value that is no status or trigger goes to the server, whose 400 names it.
    status: filters.status as RunStatus,
    trigger: filters.trigger as TriggerKind,
    since: filters.since ? `${filters.since}T00:00:00.000Z` : '',
    until: filters.until ? `${filters.until}T23:59:59.999Z` : '',
    offset: Math.max(0, Number(params.get('offset')) || 0),
    limit: pageSize,
    },
  });
}

/**
 * Run history across pipelines, one page at a time from the server; a backfill
 * is one row with its progress. The filters and the page live in the address,
 * so a view can be shared and Back returns to it.
 */
export function RunsPage({ route }: { route: string }) {
  const params = routeQuery(route);
  const filters = runFiltersOf(params);
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const { data, error } = useApi(runListRoute(route), { pollMs: 3000 });
  // The pipeline list loads every pipeline file: asked for after the first page, so the rows never wait behind it.
  const pipelines = useApi(data || error ? endpoint('GET /api/pipelines') : undefined).data?.pipelines ?? [];
  const [backfill, setBackfill] = useState(false);
  const go = (next: RunListFilters, nextOffset = 0) => navigate(`/runs${query({ ...next, offset: nextOffset || undefined })}`);
  const runs = data?.runs ?? [];

  return (
    <div className="page" data-testid="runs-page">
      <PageHeader title="Runs" subtitle="Every run, newest first" actions={<button type="button" className="button" onClick={() => setBackfill(true)} data-testid="start-backfill">Backfill…</button>} />
      <RunFilters filters={filters} pipelines={pipelines.map((p) => p.name)} triggerKinds={data?.triggerKinds ?? []} onChange={(next) => go(next)} />
      <ErrorNote error={error} />
      <table className="table" data-testid="runs-table">
        <thead>
          <tr><th>Status</th><th>Pipeline</th><th>Run</th><th>Trigger</th><th>Logical date</th><th>Started</th><th className="num">Duration</th></tr>
        </thead>
        <tbody>
          {runs.map((run) => (run.backfill ? <BackfillRow key={run.backfill.id} row={run} /> : <RunRow key={run.id} run={run} />))}
          {data && runs.length === 0 && (
            <tr><td colSpan={7} className="empty">No runs match.</td></tr>
          )}
        </tbody>
      </table>
      {data && (offset > 0 || data.hasMore) && (
        <div className="runs-pager" data-testid="runs-pager">
          <button type="button" className="button small" disabled={offset === 0} onClick={() => go(filters, Math.max(0, offset - pageSize))} data-testid="runs-newer">← Newer</button>
          <span className="muted small">rows {offset + 1}–{offset + runs.length}</span>
          <button type="button" className="button small" disabled={!data.hasMore} onClick={() => go(filters, offset + pageSize)} data-testid="runs-older">Older →</button>
        </div>
      )}
      {backfill && <BackfillDialog pipelines={pipelines.map((p) => p.name)} defaultPipeline={filters.pipeline} onClose={() => setBackfill(false)} />}
    </div>
  );
}
