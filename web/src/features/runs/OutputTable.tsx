import { useState } from 'react';
import { enc, query } from '../../api/client.ts';
import type { ColumnStats, OutputPage } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatCell, formatCount } from '../../format.ts';
import { formatValue, isNumericType } from './format-value.ts';

const pageSize = 100;

/**
 * One block output, one server page at a time: schema, row count, rows and
 * per-column stats. The browser never holds more than a page.
 */
export function OutputTable({ runId, block }: { runId: string; block: string }) {
  const [offset, setOffset] = useState(0);
  const base = `/api/runs/${enc(runId)}/blocks/${enc(block)}`;
  const page = useApi<OutputPage>(`${base}/output${query({ offset, limit: pageSize })}`);
  const [showStats, setShowStats] = useState(false);
  const stats = useApi<{ columns?: ColumnStats[]; stats?: ColumnStats[] } | ColumnStats[]>(showStats ? `${base}/stats` : undefined);
  const data = page.data;
  const columnStats = Array.isArray(stats.data) ? stats.data : (stats.data?.columns ?? stats.data?.stats ?? []);
  const total = data?.total ?? 0;
  const last = Math.max(0, Math.floor((total - 1) / pageSize) * pageSize);

  return (
    <div className="output" data-testid="output-table">
      <div className="output-bar">
        <span className="strong" data-testid="output-total">{formatCount(data?.total)} rows</span>
        <span className="muted">{data ? `${data.columns.length} columns` : ''}</span>
        <span className="spacer" />
        <button type="button" className={showStats ? 'button small active' : 'button small'} onClick={() => setShowStats(!showStats)} data-testid="toggle-stats">Stats</button>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(0)} title="First page">«</button>
        <button type="button" className="button small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))} title="Previous page" data-testid="page-prev">‹</button>
        <span className="muted small" data-testid="page-range">
          {total === 0 ? '0' : `${formatCount(offset + 1)}–${formatCount(Math.min(offset + pageSize, total))}`} of {formatCount(total)}
        </span>
        <button type="button" className="button small" disabled={offset + pageSize >= total} onClick={() => setOffset(offset + pageSize)} title="Next page" data-testid="page-next">›</button>
        <button type="button" className="button small" disabled={offset >= last} onClick={() => setOffset(last)} title="Last page" data-testid="page-last">»</button>
      </div>
      <ErrorNote error={page.error} />
      {showStats && (
        <table className="table dense stats" data-testid="output-stats">
          <thead>
            <tr><th>Column</th><th>Type</th><th className="num">Nulls</th><th className="num">Distinct</th><th>Min</th><th>Max</th></tr>
          </thead>
          <tbody>
            {columnStats.map((s) => (
              <tr key={s.name}>
                <td className="strong">{s.name}</td>
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
                {data.columns.map((c) => (
                  <th key={c.name} className={isNumericType(c.type) ? 'num' : undefined}>
                    {c.name}
                    <span className="col-type">{c.type}</span>
                  </th>
                ))}
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
                      <td key={c.name} className={[value === null || value === undefined ? 'null' : '', numeric ? 'num' : ''].join(' ').trim()}>
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

/** Whether a block run kept an output to page through (exporters and tests may not). */
/** Whether a block run kept a table to show: its result, or the rows a failed test returned. */
export function hasOutput(blockRun: { status: string; hasOutput?: boolean; output?: string } | undefined): boolean {
  return Boolean(blockRun && (blockRun.status === 'succeeded' || blockRun.status === 'failed') && (blockRun.hasOutput ?? blockRun.output));
}
