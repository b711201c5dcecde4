import { useMemo } from 'react';
import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { navigate, routeQuery, withQuery } from '../../router.ts';
import { focusLineage } from './focus-lineage.ts';
import { LineageCanvas } from './LineageCanvas.tsx';
import { LineageDetails } from './LineageDetails.tsx';
import { lineageLabel } from './lineage-types.ts';
import { TwoWritersWarnings } from './TwoWritersWarnings.tsx';
import './lineage.css';

/**
 * Where every table comes from and goes to, across pipelines, read from the
 * project's files. Picking a table narrows the graph to its upstream and
 * downstream; tables with two writers are flagged, naming both.
 */
export default function LineagePage({ route }: { route: string }) {
  const { data, error } = useApi(endpoint('GET /api/lineage'));
  const query = routeQuery(route);
  const focus = query.get('table') ?? undefined;
  const selected = query.get('node') ?? focus;
  const go = (changes: Record<string, string | undefined>) => navigate(withQuery(route, changes), { replace: true });
  const datasets = useMemo(() => (data?.nodes ?? []).filter((n) => n.kind === 'dataset').sort((a, b) => lineageLabel(a).localeCompare(lineageLabel(b))), [data]);
  const shown = useMemo(() => (data ? (focus ? focusLineage(data, focus) : new Set(data.nodes.map((n) => n.id))) : new Set<string>()), [data, focus]);
  return (
    <div className="page lineage-page" data-testid="lineage-page">
      <PageHeader
        title="Lineage"
        subtitle="Where each table comes from and where it goes, across pipelines"
        actions={
          <label className="lineage-pick">
            Table{' '}
            <select value={focus ?? ''} onChange={(e) => go({ table: e.target.value || undefined, node: undefined })} data-testid="lineage-table">
              <option value="">All tables</option>
              {datasets.map((n) => (
                <option key={n.id} value={n.id}>{lineageLabel(n)}</option>
              ))}
            </select>
          </label>
        }
      />
      <ErrorNote error={error} />
      {data && (
        <>
          <TwoWritersWarnings warnings={data.warnings} onShow={(dataset) => go({ table: dataset, node: undefined })} />
          {data.unloaded.map((u) => (
            <p key={u.pipeline} className="small text-error" data-testid="lineage-unloaded">
              {u.pipeline} is left out: {u.error.message}
            </p>
          ))}
          {data.nodes.length === 0 ? (
            <p className="muted" data-testid="lineage-empty">No pipeline reads or writes a table or file yet.</p>
          ) : (
            <div className="lineage-body">
              <div className="lineage-graph">
                <LineageCanvas key={focus ?? ''} data={data} shown={shown} selected={selected} onSelect={(id) => go({ node: id })} />
              </div>
              <LineageDetails data={data} id={selected} onFocus={(id) => go({ table: id, node: undefined })} />
            </div>
          )}
        </>
      )}
    </div>
  );
}
