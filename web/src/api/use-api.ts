import { useCallback, useEffect, useRef, useState } from 'react';
import { read, type Endpoint } from './client.ts';
import { takePrefetched } from './prefetch.ts';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GETs an endpoint (`endpoint('GET /api/runs/:id', { params: { id } })`) and keeps its answer; undefined waits. */
export function useApi<T>(target: Endpoint<T> | undefined, options: { pollMs?: number } = {}): ApiState<T> {
  // The URL, not the object, says when to ask again: a new object for the same URL is the same request.
  const route = target?.url;
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
    const asked: Endpoint<T> = { url: route };
    const ask = () => read(asked, controller.signal);
    // A prefetch that failed (asked before sign-in, say) is asked again, now.
    (takePrefetched(asked)?.catch(ask) ?? ask())
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
