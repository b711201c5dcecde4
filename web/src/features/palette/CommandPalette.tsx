import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { navigate } from '../../router.ts';
import { pressed } from '../shortcuts/shortcut-registry.ts';
import { markMatches, type SearchHit } from './search-hit.ts';
import { useSearch } from './use-search.ts';

const kindLabels: Record<SearchHit['kind'], string> = { pipeline: 'Pipeline', block: 'Block', run: 'Run', connection: 'Connection' };

/**
 * The command palette: type to search pipelines, blocks, runs and
 * connections; arrows move, Enter opens, Escape closes.
 */
export function CommandPalette({ onClose }: { onClose: () => void }) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const { hits, error, searching } = useSearch(text);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => setActive(0), [hits]);
  useEffect(() => {
    list.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const open = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onClose();
    navigate(hit.route);
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (hits.length ? (i + step + hits.length) % hits.length : 0));
    } else if (pressed(event.nativeEvent, 'paletteOpen')) {
      event.preventDefault();
      open(hits[active]);
    } else if (pressed(event.nativeEvent, 'close')) {
      event.preventDefault();
      onClose();
    }
  };

  return (
    <div className="modal-backdrop look-palette-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="look-palette" role="dialog" aria-label="Command palette" data-testid="command-palette">
        <input
          className="look-palette-input"
          autoFocus
          spellCheck={false}
          placeholder="Search pipelines, blocks, runs and connections…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          role="combobox"
          aria-expanded="true"
          aria-controls="look-palette-results"
          aria-activedescendant={hits[active] ? `look-palette-${active}` : undefined}
          data-testid="palette-input"
        />
        <ErrorNote error={error} />
        <ul className="look-palette-results" id="look-palette-results" role="listbox" ref={list} data-testid="palette-results" aria-busy={searching}>
          {hits.map((hit, i) => (
            <li
              key={`${hit.kind}:${hit.route}:${hit.label}`}
              id={`look-palette-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'look-palette-hit active' : 'look-palette-hit'}
              data-index={i}
              data-kind={hit.kind}
              data-testid="palette-hit"
              onMouseMove={() => setActive(i)}
              onClick={() => open(hit)}
            >
              <span className={`look-palette-kind look-kind-${hit.kind}`}>{kindLabels[hit.kind]}</span>
              <span className="look-palette-label">
                {markMatches(hit.label, hit.at).map((piece, j) => (piece.hit ? <mark key={j}>{piece.text}</mark> : <span key={j}>{piece.text}</span>))}
              </span>
              <span className="look-palette-detail muted small">{hit.detail}</span>
            </li>
          ))}
          {!searching && !error && hits.length === 0 && <li className="look-palette-empty muted">Nothing matches “{text}”.</li>}
        </ul>
        <div className="look-palette-foot muted small">
          <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close · <kbd>?</kbd> all shortcuts
        </div>
      </div>
    </div>
  );
}
