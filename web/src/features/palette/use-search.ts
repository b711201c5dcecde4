import { useEffect, useState } from 'react';
import { call } from '../../api/client.ts';
import type { SearchHit } from './search-hit.ts';

/** The server's answer for the query, asked after a short pause in typing; an older answer never replaces a newer one. */
export function useSearch(text: string): { hits: readonly SearchHit[]; error: Error | undefined; searching: boolean } {
  const [hits, setHits] = useState<readonly SearchHit[]>([]);
  const [error, setError] = useState<Error>();
  const [searching, setSearching] = useState(true);
  useEffect(() => {
    const controller = new AbortController();
    setSearching(true);
    const timer = setTimeout(() => {
      call('GET /api/search', { query: { q: text, limit: 20 }, signal: controller.signal }).then(
        ({ results }) => {
          setHits(results);
          setError(undefined);
          setSearching(false);
        },
        (failure: Error) => {
          if (!controller.signal.aborted) {
            setError(failure);
            setSearching(false);
          }
        },
      );
    }, text ? 60 : 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text]);
  return { hits, error, searching };
}
