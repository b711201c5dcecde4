import type { LineageWarning } from './lineage-types.ts';

/** Tables that more than one block writes, naming every writer, and how to say it is intended. */
export function TwoWritersWarnings({ warnings, onShow }: { warnings: readonly LineageWarning[]; onShow: (dataset: string) => void }) {
  if (!warnings.length) return null;
  return (
    <div className="lineage-warnings" role="status">
      {warnings.map((w) => (
        <div key={`${w.code}-${w.dataset}`} className="warning-note" data-testid="lineage-warning" data-table={w.table}>
          <span>{w.message}</span>
          <button type="button" className="button small" onClick={() => onShow(w.dataset)} data-testid="lineage-warning-show">
            Show
          </button>
        </div>
      ))}
    </div>
  );
}
