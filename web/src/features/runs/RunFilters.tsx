import type { RunStatus, TriggerKind } from '@sluice/api';

/** Every run status, in the filter's order: keyed by the server's RunStatus, so a new status cannot be left out. */
const statusOrder: Record<RunStatus, number> = { queued: 0, running: 1, succeeded: 2, failed: 3, cancelled: 4 };
const statuses = Object.keys(statusOrder) as RunStatus[];

export interface RunListFilters {
  readonly pipeline: string;
  readonly status: string;
  readonly trigger: string;
  readonly since: string;
  readonly until: string;
}

export function runFiltersOf(params: URLSearchParams): RunListFilters {
  return { pipeline: params.get('pipeline') ?? '', status: params.get('status') ?? '', trigger: params.get('trigger') ?? '', since: params.get('since') ?? '', until: params.get('until') ?? '' };
}

/** The runs list's filters; the trigger kinds are the server's, so a new kind appears without a UI change. */
export function RunFilters({ filters, pipelines, triggerKinds, onChange }: { filters: RunListFilters; pipelines: readonly string[]; triggerKinds: readonly TriggerKind[]; onChange: (next: RunListFilters) => void }) {
  const set = (key: keyof RunListFilters, value: string) => onChange({ ...filters, [key]: value });
  return (
    <div className="filters">
      <label>
        Pipeline
        <select value={filters.pipeline} onChange={(e) => set('pipeline', e.target.value)} data-testid="filter-pipeline">
          <option value="">all</option>
          {pipelines.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <label>
        Status
        <select value={filters.status} onChange={(e) => set('status', e.target.value)} data-testid="filter-status">
          <option value="">all</option>
          {statuses.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <label>
        Trigger
        <select value={filters.trigger} onChange={(e) => set('trigger', e.target.value)} data-testid="filter-trigger">
          <option value="">all</option>
          {triggerKinds.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      <label>
        From
        <input type="date" value={filters.since} onChange={(e) => set('since', e.target.value)} data-testid="filter-since" />
      </label>
      <label>
        To
        <input type="date" value={filters.until} onChange={(e) => set('until', e.target.value)} data-testid="filter-until" />
      </label>
    </div>
  );
}
