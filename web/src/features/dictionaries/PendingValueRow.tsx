import { useState } from 'react';
import type { PendingValue, ReviewDecision } from './dictionary-types.ts';

/**
 * A value waiting for review: a button per closest value, any other value
 * from a list, or "none of these". Without `onDecide` (a role that may not
 * review) the closest values are listed, with nothing to press.
 */
export function PendingValueRow({ value, values, busy, onDecide }: { value: PendingValue; values: readonly string[]; busy: boolean; onDecide?: ((decision: ReviewDecision) => void) | undefined }) {
  const [other, setOther] = useState('');
  const where = value.seenIn.map((s) => `${s.pipeline} › ${s.block} › ${s.column}`).join(', ');
  return (
    <tr data-testid="pending-value" data-value={value.value}>
      <td>
        <code>{value.value}</code>
        <div className="small muted">{where}</div>
      </td>
      <td>{value.count}</td>
      <td className="small">{value.flag}</td>
      <td>
        {!onDecide && <span className="small muted" data-testid="pending-candidates">{value.candidates.map((c) => `${c.value} (${c.score.toFixed(2)})`).join(', ') || 'no close value'}</span>}
        {onDecide && (
        <div className="alerts-events">
          {value.candidates.map((c) => (
            <button key={c.value} type="button" className="button small" disabled={busy} onClick={() => onDecide({ value: value.value, canonical: c.value })} title={`map "${value.value}" to "${c.value}" from now on`} data-testid="accept-candidate">
              {c.value} <span className="muted">{c.score.toFixed(2)}</span>
            </button>
          ))}
          <select className="dictionary-other" value={other} disabled={busy} onChange={(e) => setOther(e.target.value)} aria-label={`another value for ${value.value}`} data-testid="other-value">
            <option value="">another value…</option>
            {values.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
          {other && <button type="button" className="button small" disabled={busy} onClick={() => onDecide({ value: value.value, canonical: other })} data-testid="accept-other">Map</button>}
          <button type="button" className="button small" disabled={busy} onClick={() => onDecide({ value: value.value, canonical: null })} title="this value stands for none of the dictionary's values" data-testid="reject-value">None of these</button>
        </div>
        )}
      </td>
    </tr>
  );
}
