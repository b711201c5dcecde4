import { useEffect, useState } from 'react';

/**
 * Routes live in the fragment (`#/runs/ID`), so any static server can serve
 * the UI and a deep link never reaches a server log with its details.
 */
export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

function currentRoute(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function href(to: string): string {
  return `#${to}`;
}

/** Matches `/runs/:id` style patterns; undefined when the route differs. */
export function match(pattern: string, route: string): Record<string, string> | undefined {
  const [path = ''] = route.split('?');
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

export function routeQuery(route: string): URLSearchParams {
  return new URLSearchParams(route.split('?')[1] ?? '');
}
