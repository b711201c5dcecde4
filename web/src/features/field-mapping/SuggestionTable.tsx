import type { FieldSuggestion, MappingDecisions, SampledSide } from './field-mapping-types.ts';
import { doubledTargets } from './field-mapping-types.ts';

/**
 * One row per source column: accept or reject the suggested target, or pick
 * another; the confidence and the reason say why it was suggested.
 */
export function SuggestionTable({ suggestions, source, target, decisions, onDecide }: {
  suggestions: readonly FieldSuggestion[];
  source: SampledSide;
  target: SampledSide;
  decisions: MappingDecisions;
  onDecide: (source: string, target: string | null) => void;
}) {
  const doubled = doubledTargets(decisions);
  return (
    <table className="table map-table" data-testid="map-suggestions">
      <thead>
        <tr>
          <th>Accept</th>
          <th>Source column</th>
          <th>Target column</th>
          <th>Confidence</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {suggestions.map((s) => {
          const chosen = decisions.get(s.source) ?? null;
          const byHand = chosen !== s.target;
          const samples = source.columns.find((c) => c.name === s.source)?.values ?? [];
          return (
            <tr key={s.source} data-testid={`map-row-${s.source}`} className={chosen === null ? 'map-row-none' : doubled.has(chosen) ? 'map-row-doubled' : undefined}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`accept ${s.source}`}
                  checked={chosen !== null}
                  disabled={chosen === null && s.target === null}
                  onChange={(e) => onDecide(s.source, e.target.checked ? s.target : null)}
                  data-testid={`map-accept-${s.source}`}
                />
              </td>
              <td>
                <code>{s.source}</code>
                {samples.length > 0 && <div className="small muted map-samples">{samples.slice(0, 3).join(' · ')}</div>}
              </td>
              <td>
                <select value={chosen ?? ''} onChange={(e) => onDecide(s.source, e.target.value || null)} data-testid={`map-target-${s.source}`}>
                  <option value="">— no match —</option>
                  {target.columns.map((c) => (
                    <option key={c.name} value={c.name}>{c.name}</option>
                  ))}
                </select>
                {chosen !== null && doubled.has(chosen) && <div className="small text-error">also chosen for another column</div>}
              </td>
              <td className="map-confidence" data-testid={`map-confidence-${s.source}`}>
                {byHand ? <span className="muted">{chosen === null ? 'rejected' : 'set by hand'}</span> : s.target === null ? <span className="muted">no match</span> : s.confidence.toFixed(2)}
              </td>
              <td className="small map-reason">{s.reason}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
