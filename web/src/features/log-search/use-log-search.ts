import { useEffect, useMemo, useState } from 'react';
import { findInLines } from './find-in-lines.ts';

export interface LogSearch {
  readonly query: string;
  readonly setQuery: (query: string) => void;
  readonly onlyMatches: boolean;
  readonly setOnlyMatches: (only: boolean) => void;
  /** Indices, into the lines searched, of the lines that match. */
  readonly matches: readonly number[];
  readonly matching: ReadonlySet<number>;
  /** Which match is the current one (an index into `matches`), -1 without matches. */
  readonly current: number;
  readonly step: (by: 1 | -1) => void;
}

/** Search over the lines the level filter kept: the matches, the current one, and stepping between them. */
export function useLogSearch(texts: readonly string[]): LogSearch {
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [current, setCurrent] = useState(0);
  const matches = useMemo(() => findInLines(texts, query), [texts, query]);
  const matching = useMemo(() => new Set(matches), [matches]);
  // A new query starts at its first match; lines arriving later keep the place.
  useEffect(() => setCurrent(0), [query]);
  const clamped = matches.length ? Math.min(current, matches.length - 1) : -1;
  const step = (by: 1 | -1) => {
    if (matches.length) setCurrent((clamped + by + matches.length) % matches.length);
  };
  return { query, setQuery, onlyMatches, setOnlyMatches, matches, matching, current: clamped, step };
}
