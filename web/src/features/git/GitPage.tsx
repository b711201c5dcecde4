import { useState, type FormEvent } from 'react';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DiffView } from './DiffView.tsx';
import { GitHistory } from './GitHistory.tsx';
import { suggestCommitMessage } from './suggest-commit-message.ts';
import { useCan } from '../users/session-context.ts';

/** The project's git: branch, changes with their diffs, commit or discard them, the history, switch or create a branch. */
export default function GitPage() {
  const canEdit = useCan('editor');
  const { data, error, reload } = useApi(endpoint('GET /api/git/status'), { pollMs: 4000 });
  const [view, setView] = useState<'changes' | 'history'>('changes');
  const [selected, setSelected] = useState<string>();
  const [unchecked, setUnchecked] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState('');
  const [newBranch, setNewBranch] = useState('');
  const [notice, setNotice] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const diff = useApi(selected ? endpoint('GET /api/git/diff', { query: { path: selected } }) : undefined);
  const changes = data?.changes ?? [];
  const chosen = changes.filter((c) => !unchecked.has(c.path)).map((c) => c.path);
  // Left empty, the message says what the chosen files are, as the placeholder shows.
  const suggested = suggestCommitMessage(changes.filter((c) => !unchecked.has(c.path)));
  const commitMessage = message.trim() || suggested;

  const commit = (event: FormEvent) => {
    event.preventDefault();
    call('POST /api/git/commit', { body: { message: commitMessage, ...(chosen.length < changes.length ? { paths: chosen } : {}) } }).then(() => {
      setNotice(`Committed ${chosen.length} file${chosen.length === 1 ? '' : 's'}.`);
      setMessage('');
      setSelected(undefined);
      setActionError(undefined);
      reload();
    }, setActionError);
  };
  const discard = (file: string) => {
    if (!window.confirm(`Discard your changes to ${file}? It goes back to the last commit${changes.find((c) => c.path === file)?.status === 'untracked' ? ' (a new file is deleted)' : ''}. This cannot be undone.`)) return;
    call('POST /api/git/discard', { body: { path: file } }).then(() => {
      setNotice(`Discarded the changes to ${file}.`);
      if (selected === file) setSelected(undefined);
      setActionError(undefined);
      reload();
    }, setActionError);
  };
  const switchTo = (name: string, create: boolean) =>
    call('POST /api/git/branches', { body: { name, create } }).then(() => {
      setNewBranch('');
      setNotice(`On branch ${name}.`);
      reload();
    }, setActionError);

  return (
    <div className="page" data-testid="git-page">
      <PageHeader
        title="Git"
        subtitle={data ? <span>on branch <b data-testid="git-branch">{data.branch}</b> · {changes.length} changed file{changes.length === 1 ? '' : 's'}</span> : undefined}
        actions={
          <div className="inline">
            <select value={data?.branch ?? ''} disabled={!canEdit} onChange={(e) => void switchTo(e.target.value, false)} title="Switch branch" data-testid="branch-select">
              {(data?.branches ?? []).map((b) => <option key={b} value={b}>{b}</option>)}
            </select>
            {canEdit && <form className="inline" onSubmit={(e) => { e.preventDefault(); void switchTo(newBranch.trim(), true); }}>
              <input value={newBranch} onChange={(e) => setNewBranch(e.target.value)} placeholder="new-branch" spellCheck={false} data-testid="new-branch" />
              <button type="submit" className="button small" disabled={!newBranch.trim()} data-testid="create-branch">Create branch</button>
            </form>}
          </div>
        }
      />
      <ErrorNote error={error ?? actionError} />
      {notice && <div className="notice" data-testid="git-notice">{notice}</div>}
      <div className="tabs page-tabs">
        <button type="button" className={view === 'changes' ? 'tab active' : 'tab'} onClick={() => setView('changes')} data-testid="git-tab-changes">Changes</button>
        <button type="button" className={view === 'history' ? 'tab active' : 'tab'} onClick={() => setView('history')} data-testid="git-tab-history">History</button>
      </div>
      {view === 'history' ? <GitHistory /> : (
      <div className="git-split">
        <div className="git-changes">
          <ul className="file-list" data-testid="git-changes">
            {changes.map((c) => (
              <li key={c.path} className={c.path === selected ? 'selected' : ''}>
                <input type="checkbox" checked={!unchecked.has(c.path)} onChange={(e) => setUnchecked((u) => { const copy = new Set(u); if (e.target.checked) copy.delete(c.path); else copy.add(c.path); return copy; })} aria-label={`include ${c.path}`} />
                <span className={`git-status git-${statusLetter(c.status).toLowerCase()}`} title={c.status}>{statusLetter(c.status)}</span>
                <button type="button" className="link" onClick={() => setSelected(c.path)} data-testid="git-change">{c.path}</button>
                <span className="spacer" />
                {canEdit && <button type="button" className="button small danger" onClick={() => discard(c.path)} title={`Discard the changes to ${c.path}`} aria-label={`discard ${c.path}`} data-testid="git-discard">Discard</button>}
              </li>
            ))}
            {data && changes.length === 0 && <li className="muted">Nothing to commit; the working tree is clean.</li>}
          </ul>
          {canEdit && <form className="form commit" onSubmit={commit}>
            <textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} placeholder={suggested ? `Commit message (empty: "${suggested}")` : 'Commit message'} data-testid="commit-message" />
            <button type="submit" className="button primary" disabled={!commitMessage || chosen.length === 0} title={`Commit as "${commitMessage}"`} data-testid="commit">Commit {chosen.length} file{chosen.length === 1 ? '' : 's'}</button>
          </form>}
        </div>
        <div className="git-diff">
          {selected ? (diff.data ? <DiffView diff={diff.data.diff || '(no textual change)'} /> : <ErrorNote error={diff.error} />) : <p className="muted">Select a file to see its diff.</p>}
        </div>
      </div>
      )}
    </div>
  );
}

const letters: Record<string, string> = { untracked: 'U', added: 'A', modified: 'M', deleted: 'D', renamed: 'R', copied: 'C', conflicted: '!' };

/** One letter per change, as git itself shows them; the full word is in the tooltip. */
function statusLetter(status: string): string {
  const word = status.trim().toLowerCase();
  return letters[word] ?? (word.charAt(0).toUpperCase() || 'M');
}
