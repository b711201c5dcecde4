import { useState, type CSSProperties } from 'react';
import { endpoint, link } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { MaskedBadge } from '../../components/MaskedBadge.tsx';
import { useCan } from '../users/session-context.ts';
import { formatCell, formatCount } from '../../format.ts';
import { formatValue, isNumericType } from './format-value.ts';
import { nextSort, pageSizes, viewQuery, type OutputView } from './output-view.ts';
import { useColumnResize } from './use-column-resize.ts';
import { ProfilePanel } from '../quality/ProfilePanel.tsx';
import { href } from '../../router.ts';

/**
 * One block output, one server page at a time: schema, row count, rows and
 * per-column stats. Sorting and filtering happen on the server, so the
 * browser never holds more than a page; downloads stream from the server.
 * With `mapSource` (`PIPELINE.BLOCK`, where the output is the block's
 * latest), a link opens Map fields with this output as the source.
 */
export function OutputTable({ runId, block, mapSource }: { runId: string; block: string; mapSource?: string }) {
  const [offset, setOffset] = useState(0);
  const [pageSize, setPageSize] = useState<number>(100);
  const [view, setView] = useState<OutputView>({ filters: {} });
  const { widths, startResize } = useColumnResize();
  const params = { id: runId, block };
  const page = useApi(endpoint('GET /api/runs/:id/blocks/:block/output', { params, query: { ...viewQuery(view), offset, limit: pageSize } }));
  const changeView = (next: OutputView) => {
    setView(next);
    setOffset(0);
  };
  const setFilter = (column: string, filter: { op: 'contains' | 'equals'; value: string }) => changeView({ ...view, filters: { ...view.filters, [column]: filter } });
  const download = (format: string, paged: boolean) => link('GET /api/runs/:id/blocks/:block/download', { params, query: { ...viewQuery(view), format, ...(paged ? { offset, limit: pageSize } : {}) } });
  const [showStats, setShowStats] = useState(false);
  const [showProfile, setShowProfile] = useState(false);
  const stats = useApi(showStats ? endpoint('GET /api/runs/:id/blocks/:block/stats', { params }) : undefined);
  const data = page.data;
  const masked = new Set(data?.masked ?? []);
  const canMap = useCan('editor');
  const columnStats = stats.data?.columns ?? [];
  const statsMasked = new Set(stats.data?.masked ?? []);
  const total = data?.total ?? 0;
  const last = Math.max(0, Math.floor((total - 1) / pageSize) * pageSize);

  return (
    <div className="output" data-testid="output-table">
      <div className="output-bar">
        <span className="strong" title={data ? `${data.columns.length} columns` : undefined} data-testid="output-total">{formatCount(data?.total)} rows</span>
        <span className="spacer" />
        <button type="button" className={showStats ? 'button small active' : 'button small'} onClick={() => setShowStats(!showStats)} data-testid="toggle-stats">Stats</button>
        <button type="button" className={showProfile ? 'button small active' : 'button small'} onClick={() => setShowProfile(!showProfile)} data-testid="toggle-profile">Profile</button>
        <details className="menu" data-testid="output-download">
          <summary className="button small">Download</summary>
          {/* A chosen download closes the menu; the download itself goes on in the browser. */}
          <div className="menu-items" onClick={(e) => e.currentTarget.closest('details')?.removeAttribute('open')}>
            <a href={download('csv', true)} download data-testid="download-page-csv">This page as CSV</a>
            <a href={download('parquet', true)} download data-testid="download-page-parquet">This page as Parquet</a>
            <a href={download('csv', false)} download data-testid="download-all-csv">All {formatCount(total)} rows as CSV</a>
            <a href={download('parquet', false)} download data-testid="download-all-parquet">All {formatCount(total)} rows as Parquet</a>
          </div>
        </details>
        {/* "N / page" in the select itself keeps the pager on one row beside the editor. */}
        <select className="output-page-size" value={pageSize} onChange={(e) => { setPageSize(Number(e.target.value)); setOffset(0); }} aria-label="Rows per page" title="Rows per page" data-testid="page-size">
          {pageSizes.map((n) => <option key={n} value={n}>{n} / page</option>)}
        </select>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(0)} title="First page">«</button>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))} title="Previous page" data-testid="page-prev">‹</button>
        <span className="muted small" data-testid="page-range">
          {/* The range of the rows on screen, from the page the server sent, not from the page asked for. */}
          {!data?.rows.length ? '0' : `${formatCount(data.offset + 1)}–${formatCount(data.offset + data.rows.length)}`} of {formatCount(total)}
        </span>
        <button type="button" className="button small" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)} title="Next page" data-testid="page-next">›</button>
        <button type="button" className="button small" disabled={offset >= last} onClick={() => setOffset(last)} title="Last page" data-testid="page-last">»</button>
        {/* Last, so that beside the editor it is the one to wrap, and the pager stays on one row. */}
        {mapSource && canMap && <a className="button small" href={href(`/map?source=${encodeURIComponent(mapSource)}`)} title="Map this output's columns onto another table's" data-testid="output-map-fields">Map fields</a>}
      </div>
      <ErrorNote error={page.error} />
      {showProfile && <ProfilePanel runId={runId} block={block} />}
      {showStats && (
        <table className="table dense stats" data-testid="output-stats">
          <thead>
            <tr><th>Column</th><th>Type</th><th className="num">Nulls</th><th className="num">Distinct</th><th>Min</th><th>Max</th></tr>
          </thead>
          <tbody>
            {columnStats.map((s) => (
              <tr key={s.name}>
                <td className="strong">{s.name}{statsMasked.has(s.name) && <MaskedBadge column={s.name} />}</td>
                <td><code>{s.type}</code></td>
                <td className="num">{formatCount(s.nulls)}</td>
                <td className="num">{formatCount(s.distinct)}</td>
                <td className="mono">{formatCell(s.min)}</td>
                <td className="mono">{formatCell(s.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && (
        <div className="table-scroll">
          <table className="table dense data" data-testid="output-rows">
            <thead>
              <tr>
                <th className="rownum">#</th>
                {data.columns.map((c) => {
                  const sorted = view.sort?.column === c.name ? view.sort.order : undefined;
                  return (
                    <th
                      key={c.name}
                      className={['sortable', isNumericType(c.type) ? 'num' : ''].join(' ').trim()}
                      style={widthStyle(widths[c.name])}
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
                      onClick={() => changeView({ ...view, sort: nextSort(view, c.name) })}
                      title="Sort by this column"
                      data-testid={`output-column-${c.name}`}
                    >
                      {c.name}
                      {masked.has(c.name) && <MaskedBadge column={c.name} />}
                      {sorted && <span className="sort-mark">{sorted === 'asc' ? ' ▲' : ' ▼'}</span>}
                      <span className="col-type">{c.type}</span>
                      <span className="col-resize" onPointerDown={(e) => startResize(c.name, e)} onClick={(e) => e.stopPropagation()} title="Drag to resize" data-testid={`resize-${c.name}`} />
                    </th>
                  );
                })}
              </tr>
              <tr className="column-filters">
                <th className="rownum" />
                {data.columns.map((c) => {
                  const filter = view.filters[c.name] ?? { op: 'contains' as const, value: '' };
                  return (
                    <th key={c.name} style={widthStyle(widths[c.name])}>
                      <span className="column-filter">
                        <select value={filter.op} onChange={(e) => setFilter(c.name, { ...filter, op: e.target.value as 'contains' | 'equals' })} aria-label={`How to filter ${c.name}`} data-testid={`filter-op-${c.name}`}>
                          <option value="contains">contains</option>
                          <option value="equals">equals</option>
                        </select>
                        <input value={filter.value} onChange={(e) => setFilter(c.name, { ...filter, value: e.target.value })} placeholder="filter" aria-label={`Filter ${c.name}`} data-testid={`filter-${c.name}`} />
                      </span>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row, i) => (
                <tr key={offset + i}>
                  <td className="rownum">{offset + i + 1}</td>
                  {data.columns.map((c) => {
                    const value = row[c.name];
                    const numeric = isNumericType(c.type) || typeof value === 'number';
                    return (
                      <td key={c.name} className={[value === null || value === undefined ? 'null' : '', numeric ? 'num' : ''].join(' ').trim()} style={widthStyle(widths[c.name])}>
                        {formatValue(value, c.type)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A dragged column keeps its width; longer values are cut with an ellipsis (the whole value is in the download). */
function widthStyle(width: number | undefined): CSSProperties | undefined {
  return width === undefined ? undefined : { width, minWidth: width, maxWidth: width };
}

/** Whether a block run kept a table to show: its result, or the rows a failed test returned. */
export function hasOutput(blockRun: { status: string; hasOutput?: boolean; output?: string } | undefined): boolean {
  return Boolean(blockRun && (blockRun.status === 'succeeded' || blockRun.status === 'failed') && (blockRun.hasOutput ?? blockRun.output));
}
