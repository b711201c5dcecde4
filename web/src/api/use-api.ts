import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client.ts';
import { takePrefetched } from './prefetch.ts';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GETs a route and keeps its answer; `route` undefined waits. */
export function useApi<T>(route: string | undefined, options: { pollMs?: number } = {}): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(route !== undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const first = useRef(true);

  useEffect(() => {
    if (!route) return;
    const controller = new AbortController();
    if (first.current) setLoading(true);
    const ask = () => api<T>('GET', route, undefined, controller.signal);
    // A prefetch that failed (asked before sign-in, say) is asked again, now.
    (takePrefetched<T>(route)?.catch(ask) ?? ask())
      .then((answer) => {
        setData(answer);
        setError(undefined);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failure as Error);
      })
      .finally(() => {
        if (!controller.signal.aborted) {
          first.current = false;
          setLoading(false);
        }
      });
    return () => controller.abort();
  }, [route, tick]);

  useEffect(() => {
    if (!options.pollMs || !route) return;
    const timer = setInterval(reload, options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, route, reload]);

  return { data, error, loading, reload };
}
