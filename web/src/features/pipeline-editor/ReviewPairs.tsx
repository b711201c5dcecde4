import { useState } from 'react';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';

export interface ReviewPairsProps {
  readonly pipeline: string;
  readonly runId: string;
  /** The review block (`<name>__review`), whose output holds the pairs. */
  readonly block: string;
  /** The dedupe block the pairs come from, as the pipeline file names it. */
  readonly declaredName: string;
  /** The compared columns, as the block's settings name them. */
  readonly columns: readonly string[];
}

/** The pairs shown at once; the rest wait for the next run, once these are decided. */
const pageSize = 200;

const sideOf = (row: Readonly<Record<string, unknown>>, columns: readonly string[], which: 'left' | 'right'): Record<string, string | null> =>
  Object.fromEntries(columns.map((c) => [c, row[`${c}_${which}`] === null || row[`${c}_${which}`] === undefined ? null : String(row[`${c}_${which}`])]));

/**
 * The pairs a dedupe block left for review, as a table: both rows' compared
 * columns side by side with their similarity, and per pair **Same** or
 * **Different**. A decision is written into the project's review file at once;
 * the next run joins the pairs decided the same and leaves decided pairs out.
 */
export function ReviewPairs({ pipeline, runId, block, declaredName, columns }: ReviewPairsProps) {
  const page = useApi(endpoint('GET /api/runs/:id/blocks/:block/output', { params: { id: runId, block }, query: { limit: pageSize } }));
  const [decided, setDecided] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const rows = page.data?.rows ?? [];
  const decide = (key: string, row: Readonly<Record<string, unknown>>, same: boolean) => {
    setBusy(true);
    const decision = { left: sideOf(row, columns, 'left'), right: sideOf(row, columns, 'right'), same };
    call('POST /api/pipelines/:name/blocks/:block/pair-decisions', { params: { name: pipeline, block: declaredName }, body: { decisions: [decision] } })
      .then(() => {
        setError(undefined);
        setDecided((current) => ({ ...current, [key]: same }));
      }, setError)
      .finally(() => setBusy(false));
  };
  if (page.error) return <ErrorNote error={page.error} />;
  if (!page.data) return <div className="loading">Loading the pairs…</div>;
  if (!rows.length) return <p className="muted small" data-testid="review-pairs-none">No pairs to review in this run.</p>;
  return (
    <div className="review-pairs" data-testid="review-pairs">
      <ErrorNote error={error} />
      <p className="muted small">
        {page.data.total} pair{page.data.total === 1 ? '' : 's'} to review{page.data.total > rows.length ? ` (the first ${rows.length} shown)` : ''}. A decision is kept in
        <code> reviews/{pipeline}/{declaredName}.yaml</code> and used from the next run.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Score</th>
            {columns.map((c) => <th key={c}>{c}</th>)}
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = `${String(row.left_row)}-${String(row.right_row)}`;
            const state = decided[key];
            return (
              <tr key={key} data-testid="review-pair" data-pair={key}>
                <td>{Number(row.score).toFixed(3)}</td>
                {columns.map((c) => (
                  <td key={c}>
                    <div>{String(row[`${c}_left`] ?? '—')}</div>
                    <div>{String(row[`${c}_right`] ?? '—')}</div>
                    <div className="muted small">{row[`${c}_similarity`] === null || row[`${c}_similarity`] === undefined ? 'missing' : Number(row[`${c}_similarity`]).toFixed(2)}</div>
                  </td>
                ))}
                <td>
                  {state === undefined ? (
                    <div className="alerts-events">
                      <button type="button" className="button small" disabled={busy} onClick={() => decide(key, row, true)} title="the two rows are one record: join their clusters from the next run" data-testid="pair-same">Same</button>
                      <button type="button" className="button small" disabled={busy} onClick={() => decide(key, row, false)} title="the two rows are different records" data-testid="pair-different">Different</button>
                    </div>
                  ) : (
                    <span className="small" data-testid="pair-decided">{state ? 'same record' : 'different records'}, from the next run</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
