import { useEffect, useState } from 'react';
import { call, type Answer } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { formatBytes, folderOf, joinPath, nameOf } from './project-paths.ts';

/**
 * Browses the project's folders through the file API, which never leaves the
 * project, and picks a path: click a file to take it, or open a folder and
 * type a new name (for an exporter's output). Double-click takes a file at once.
 */
export function FilePicker({ value, onPick, onClose, testId = 'file-picker' }: { value: string; onPick: (path: string) => void; onClose: () => void; testId?: string }) {
  const [folder, setFolder] = useState(folderOf(value));
  const [path, setPath] = useState(value);
  const [listing, setListing] = useState<Answer<'GET /api/files/list'>>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    const controller = new AbortController();
    call('GET /api/files/list', { query: { path: folder }, signal: controller.signal }).then(
      (answer) => {
        setListing(answer);
        setError(undefined);
      },
      (failure: Error) => {
        if (controller.signal.aborted) return;
        // A path that does not exist yet (a new output file) opens at the project root instead.
        if (folder) setFolder('');
        else setError(failure);
      },
    );
    return () => controller.abort();
  }, [folder]);

  const open = (next: string) => {
    setFolder(next);
    const name = nameOf(path);
    setPath(joinPath(next, name));
  };
  const crumbs = listing?.path ? listing.path.split('/') : [];

  return (
    <Modal title="Choose a project file" onClose={onClose} testId={testId}>
      <div className="look-picker">
        <nav className="look-picker-crumbs" aria-label="Folder">
          <button type="button" className="link" onClick={() => open('')} data-testid={`${testId}-root`}>project</button>
          {crumbs.map((part, i) => (
            <span key={i}>
              <span className="muted">/</span>{' '}
              <button type="button" className="link" onClick={() => open(crumbs.slice(0, i + 1).join('/'))}>{part}</button>
            </span>
          ))}
        </nav>
        <ErrorNote error={error} />
        <ul className="look-picker-list" data-testid={`${testId}-entries`}>
          {listing?.path && (
            <li>
              <button type="button" className="look-picker-entry" onClick={() => open(folderOf(listing.path))} data-testid={`${testId}-up`}>↰ ..</button>
            </li>
          )}
          {listing?.entries.map((entry) => (
            <li key={entry.path}>
              <button
                type="button"
                className={entry.path === path ? 'look-picker-entry selected' : 'look-picker-entry'}
                onClick={() => (entry.kind === 'folder' ? open(entry.path) : setPath(entry.path))}
                onDoubleClick={() => entry.kind === 'file' && onPick(entry.path)}
                data-kind={entry.kind}
                data-name={entry.name}
                data-testid={`${testId}-entry`}
              >
                <span aria-hidden="true">{entry.kind === 'folder' ? '▸' : '◦'}</span>
                {entry.name}
                {entry.kind === 'folder' ? '/' : ''}
                {entry.bytes !== null && <span className="look-picker-size">{formatBytes(entry.bytes)}</span>}
              </button>
            </li>
          ))}
          {listing && listing.entries.length === 0 && <li className="muted small look-picker-entry">This folder is empty.</li>}
          {listing?.truncated && <li className="muted small look-picker-entry">Only the first {listing.entries.length} entries are shown.</li>}
        </ul>
        <div className="look-picker-path">
          <input value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} aria-label="Path" placeholder="folder/file.csv" data-testid={`${testId}-path`} />
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="button" className="button primary" disabled={!path.trim() || path.endsWith('/')} onClick={() => onPick(path.trim())} data-testid={`${testId}-choose`}>Choose</button>
        </div>
      </div>
    </Modal>
  );
}
