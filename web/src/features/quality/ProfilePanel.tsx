import { endpoint } from '../../api/client.ts';
import type { ColumnProfile } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { MaskedBadge } from '../../components/MaskedBadge.tsx';
import { formatCell, formatCount } from '../../format.ts';

/**
 * The profile kept with a block's output: per column nulls, an estimate of
 * distinct values (labelled as one), min, max, mean, the top values of
 * low-cardinality text and a histogram of numbers. A large output's estimates
 * come from a sample, and the panel says which.
 */
export function ProfilePanel({ runId, block }: { runId: string; block: string }) {
  const { data, error } = useApi(endpoint('GET /api/runs/:id/blocks/:block/profile', { params: { id: runId, block } }));
  const profile = data?.profile;
  const masked = new Set(data?.masked ?? []);
  const sample = profile?.sample;
  const distinctNote = sample
    ? `Estimated from a sample of ${sample.rowGroups} of ${sample.ofRowGroups} row groups (${formatCount(sample.rows)} rows), Duj1 estimator over row groups`
    : 'An estimate (HyperLogLog over every row): can be off by a tenth or more on large columns';
  return (
    <div className="profile" data-testid="output-profile">
      <ErrorNote error={error} />
      {profile && (
        <table className="table dense">
          <thead>
            <tr>
              <th>Column</th><th>Type</th><th className="num">Nulls</th>
              <th className="num" title={distinctNote}>≈ Distinct (approx.)</th>
              <th>Min</th><th>Max</th><th className="num">Mean</th><th title={sample ? 'Counted over the sample' : undefined}>{sample ? 'Shape (sampled)' : 'Shape'}</th>
            </tr>
          </thead>
          <tbody>
            {profile.columns.map((c) => (
              <tr key={c.name} data-testid={`profile-${c.name}`}>
                <td className="strong">{c.name}{masked.has(c.name) && <MaskedBadge column={c.name} />}</td>
                <td><code>{c.type}</code></td>
                <td className="num">{formatCount(c.nulls)}{c.nulls > 0 && profile.rows > 0 && <span className="muted"> ({((c.nulls / profile.rows) * 100).toFixed(1)}%)</span>}</td>
                <td className="num">{c.approxDistinct === undefined ? '' : `≈${formatCount(c.approxDistinct)}`}</td>
                <td className="mono">{formatCell(c.min ?? null)}</td>
                <td className="mono">{formatCell(c.max ?? null)}</td>
                <td className="num">{c.mean === undefined ? '' : formatCell(Math.round(c.mean * 10_000) / 10_000)}</td>
                <td><Shape column={c} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {profile && <p className="muted small">{formatCount(profile.rows)} rows, profiled in {profile.ms} ms {profile.deferred ? 'when first looked at' : 'when the output was stored'}.</p>}
      {sample && (
        <p className="muted small" data-testid="profile-sample-note">
          Sampled: distinct counts, histograms and top values come from {sample.rowGroups} of {sample.ofRowGroups} row groups ({formatCount(sample.rows)} rows); rows, nulls, min, max and mean are exact.
        </p>
      )}
    </div>
  );
}

/** A histogram as a row of bars, or the top values as a short list. */
function Shape({ column }: { column: ColumnProfile }) {
  if (column.histogram?.length) {
    const most = Math.max(1, ...column.histogram.map((b) => b.count));
    return (
      <span className="histogram" data-testid={`histogram-${column.name}`}>
        {column.histogram.map((b, i) => (
          <span key={i} className="histogram-bar" style={{ height: `${Math.max(1, Math.round((b.count / most) * 20))}px` }} title={`${b.from} – ${b.to}: ${formatCount(b.count)}`} />
        ))}
      </span>
    );
  }
  if (column.topValues?.length) {
    return <span className="muted small" data-testid={`top-values-${column.name}`}>{column.topValues.slice(0, 5).map((v) => `${v.value} (${formatCount(v.count)})`).join(', ')}</span>;
  }
  return null;
}
