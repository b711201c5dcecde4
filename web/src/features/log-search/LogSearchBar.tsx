import type { KeyboardEvent } from 'react';
import { pressed } from '../shortcuts/shortcut-registry.ts';
import type { LogSearch } from './use-log-search.ts';

/** The search box above a log view: the query, the match count, previous/next and a "matching lines only" switch. */
export function LogSearchBar({ search, testId }: { search: LogSearch; testId: string }) {
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (pressed(event.nativeEvent, 'previousMatch')) search.step(-1);
    else if (pressed(event.nativeEvent, 'nextMatch')) search.step(1);
    else return;
    event.preventDefault();
  };
  const { matches, current, query } = search;
  return (
    <span className="look-log-search">
      <input type="search" placeholder="Search logs" value={query} onChange={(e) => search.setQuery(e.target.value)} onKeyDown={onKey} aria-label="Search logs" data-testid={`${testId}-search`} />
      {query.trim() && (
        <span className="look-log-count" data-testid={`${testId}-count`}>
          {matches.length ? `${current + 1} of ${matches.length}` : 'no matches'}
        </span>
      )}
      <button type="button" className="button small" disabled={!matches.length} onClick={() => search.step(-1)} title="Previous match (Shift+Enter)" aria-label="Previous match" data-testid={`${testId}-previous`}>↑</button>
      <button type="button" className="button small" disabled={!matches.length} onClick={() => search.step(1)} title="Next match (Enter)" aria-label="Next match" data-testid={`${testId}-next`}>↓</button>
      <label className="muted small inline" title="Hide the lines that do not match">
        <input type="checkbox" checked={search.onlyMatches} onChange={(e) => search.setOnlyMatches(e.target.checked)} data-testid={`${testId}-only`} /> only matches
      </label>
    </span>
  );
}
