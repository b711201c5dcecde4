import { query } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { navigate, routeQuery } from '../../router.ts';
import { AuditEntryRow } from './AuditEntryRow.tsx';
import { AuditFilterBar } from './AuditFilterBar.tsx';
import { auditFiltersOf, auditRoute, type AuditFilters } from './audit-filters.ts';

const pageSize = 50;

/**
 * Who changed what and when, newest first. The log is append-only, so the
 * page only reads; the filters and the page live in the address.
 */
export default function AuditPage({ route }: { route: string }) {
  const params = routeQuery(route);
  const filters = auditFiltersOf(params);
  const cursor = Number(params.get('cursor')) || undefined;
  const { data, error } = useApi(auditRoute(filters, cursor, pageSize));
  const go = (next: AuditFilters, nextCursor?: number) => navigate(`/audit${query({ ...next, cursor: nextCursor })}`);
  const entries = data?.entries ?? [];
  return (
    <div className="page" data-testid="audit-page">
      <PageHeader title="Audit" subtitle="Who changed what and when: file edits, runs, connections, triggers, git and review decisions" />
      <AuditFilterBar filters={filters} onChange={(next) => go(next)} />
      <ErrorNote error={error} />
      <table className="table" data-testid="audit-table">
        <thead>
          <tr><th>When (UTC)</th><th>Actor</th><th>Action</th><th>Target</th><th>Detail</th></tr>
        </thead>
        <tbody>
          {entries.map((entry) => <AuditEntryRow key={entry.seq} entry={entry} />)}
          {data && entries.length === 0 && (
            <tr><td colSpan={5} className="empty">No entries match.</td></tr>
          )}
        </tbody>
      </table>
      {data && (cursor !== undefined || data.next !== null) && (
        <div className="runs-pager" data-testid="audit-pager">
          <button type="button" className="button small" disabled={cursor === undefined} onClick={() => go(filters)} data-testid="audit-newest">← Newest</button>
          <button type="button" className="button small" disabled={data.next === null} onClick={() => go(filters, data.next ?? undefined)} data-testid="audit-older">Older →</button>
        </div>
      )}
    </div>
  );
}
