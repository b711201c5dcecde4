import { useState } from 'react';
import { call } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import type { DictionarySummary, ReviewDecision } from './dictionary-types.ts';
import { PendingValueRow } from './PendingValueRow.tsx';
import { useCan } from '../users/session-context.ts';

/** One dictionary: its file, its size, and the review panel of its pending values. */
export function DictionaryCard({ dictionary, onChange }: { dictionary: DictionarySummary; onChange: () => void }) {
  const [error, setError] = useState<Error>();
  // Review decisions are written to the dictionary file: an editor's change (route-roles.ts).
  const canReview = useCan('editor');
  const [saving, setSaving] = useState<string>();
  const decide = (decision: ReviewDecision) => {
    setSaving(decision.value);
    call('POST /api/dictionaries/:name/decisions', { params: { name: dictionary.name }, body: { decisions: [decision] } }).then(
      () => {
        setError(undefined);
        onChange();
      },
      setError,
    ).finally(() => setSaving(undefined));
  };
  const testId = `dictionary-${dictionary.name}`;
  return (
    <section className="alerts-card" data-testid={testId}>
      <header className="alerts-card-head">
        <h2>{dictionary.name}</h2>
        <code className="muted small">{dictionary.file}</code>
        <span className="muted small">{dictionary.values.length} values, {dictionary.reviewed} reviewed</span>
      </header>
      {dictionary.error && <div className="text-error small" data-testid={`${testId}-error`}>{dictionary.error.location?.file ? `${dictionary.error.location.file}${dictionary.error.location.line ? `:${dictionary.error.location.line}` : ''}: ` : ''}{dictionary.error.message}</div>}
      <ErrorNote error={error} />
      {!dictionary.error && dictionary.pending.length === 0 && <p className="muted small" data-testid={`${testId}-nothing`}>Nothing to review: the latest runs mapped every value.</p>}
      {dictionary.pending.length > 0 && !canReview && <p className="muted small" data-testid={`${testId}-review-role`}>Reviewing these values needs the editor role.</p>}
      {dictionary.pending.length > 0 && (
        <table className="table" data-testid={`${testId}-review`}>
          <thead>
            <tr><th>Value</th><th>Rows</th><th>Why</th><th>Stands for</th></tr>
          </thead>
          <tbody>
            {dictionary.pending.map((value) => (
              <PendingValueRow key={value.value} value={value} values={dictionary.values} busy={saving !== undefined} onDecide={canReview ? decide : undefined} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
