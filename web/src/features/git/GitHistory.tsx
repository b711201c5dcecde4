import { useState } from 'react';
import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatRelative, formatTime } from '../../format.ts';
import { DiffView } from './DiffView.tsx';

/** The branch's commits, newest first; click one for what it changed. */
export function GitHistory() {
  const { data, error } = useApi(endpoint('GET /api/git/log', { query: { limit: 100 } }));
  const [selected, setSelected] = useState<string>();
  const diff = useApi(selected ? endpoint('GET /api/git/commits/:id', { params: { id: selected } }) : undefined);
  const commits = data?.commits ?? [];
  return (
    <div className="git-split">
      <ul className="file-list commit-list" data-testid="git-log">
        {commits.map((c) => (
          <li key={c.id} className={c.id === selected ? 'selected' : ''}>
            <button type="button" className="link commit-line" onClick={() => setSelected(c.id)} data-testid="git-commit">
              <span className="commit-subject">{c.subject}</span>
              <span className="muted small">
                <code>{c.id.slice(0, 7)}</code> · {c.author} · <span title={formatTime(c.date)}>{formatRelative(c.date)}</span>
              </span>
            </button>
          </li>
        ))}
        {data && commits.length === 0 && <li className="muted">No commits yet.</li>}
      </ul>
      <div className="git-diff">
        <ErrorNote error={error ?? diff.error} />
        {selected ? diff.data && <DiffView diff={diff.data.diff || '(no textual change)'} /> : <p className="muted">Select a commit to see what it changed.</p>}
      </div>
    </div>
  );
}
